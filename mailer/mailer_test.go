package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"kefu/internal/poll"
	"kefu/store"
)

// testWait bounds every wait of these tests.
const testWait = 10 * time.Second

// received is one mail the test's SMTP server took.
type received struct {
	from, to string
	data     []byte
}

// smtpServer is a real SMTP server (go-smtp) on a free loopback port: each
// mail it takes goes on got. refuse, while it holds codes, answers each
// DATA with the next of them instead.
type smtpServer struct {
	addr string
	got  chan received
	mu   sync.Mutex
	// refuse are the replies to the next DATAs, in order.
	refuse []int
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{got: make(chan received, 16)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = testWait, testWait
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

type session struct {
	s        *smtpServer
	from, to string
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}
func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	var code int
	if len(x.s.refuse) > 0 {
		code, x.s.refuse = x.s.refuse[0], x.s.refuse[1:]
	}
	x.s.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, Message: "refused by the test"}
	}
	x.s.got <- received{from: x.from, to: x.to, data: data}
	return nil
}

// formStore is a SQLite store holding one form conversation, answered by
// an agent in Chinese after the customer's line, with its mail queued.
func formStore(t *testing.T) (*store.SQLite, store.MailItem) {
	t.Helper()
	st, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC().Truncate(time.Millisecond)
	item := store.MailItem{MessageID: "cv_form.2@kefu.test", Conv: "cv_form", To: "ann@example.com", Lang: "zh-CN", AfterSeq: 1, At: now}
	err = st.Apply(context.Background(), &store.Batch{
		Conversations: []store.Conversation{{ID: "cv_form", CustomerID: "cu_ann", CustomerName: "Ann", Ticket: 1, StartedAt: now,
			Team: store.GeneralTeamID, Origin: store.OriginForm, CustomerEmail: "ann@example.com", CustomerLang: "zh-CN", EndedAt: now, EndReason: "agent_ended"}},
		Messages: []store.Message{
			{Conv: "cv_form", Seq: 1, SenderID: "cu_ann", SenderRole: "customer", SenderName: "Ann", Text: "打印机坏了", At: now},
			{Conv: "cv_form", Seq: 2, SenderID: "ag_bea", SenderRole: "agent", SenderName: "Bea", Text: "请重启一下打印机，然后再试。", At: now},
		},
		Mail: []store.MailItem{item},
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, item
}

func startMailer(t *testing.T, st Store, addr string, tune func(*Config)) *Mailer {
	t.Helper()
	srv, err := ParseServer("smtp://"+addr, "support@kefu.test")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Node: "n1", SMTP: srv, PublicURL: "https://help.example.com/", Timeout: testWait,
		Poll: 20 * time.Millisecond, RetryFirst: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tune != nil {
		tune(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return m
}

func nextMail(t *testing.T, s *smtpServer) received {
	t.Helper()
	select {
	case r := <-s.got:
		return r
	case <-time.After(testWait):
		t.Fatal("no mail came")
	}
	return received{}
}

// waitPending polls, with a deadline, until the outbox holds want
// pending mails.
func waitPending(t *testing.T, st store.MailOutbox, want int) {
	t.Helper()
	poll.Until(t, testWait, fmt.Sprintf("%d pending mails", want), func() bool {
		n, err := st.MailPending(context.Background())
		return err == nil && n == want
	})
}

// refuseNext makes the server answer the next DATAs with codes.
func (s *smtpServer) refuseNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = codes
}

// TestMailSent: a queued mail reaches the SMTP server once, to the address
// left, from -smtp-from, with its Message-ID, a Chinese subject and the
// agent's answer in Chinese, and is marked sent.
func TestMailSent(t *testing.T) {
	st, item := formStore(t)
	s := startSMTP(t)
	var results []string
	var mu sync.Mutex
	startMailer(t, st, s.addr, func(c *Config) {
		c.Counted = func(r string) { mu.Lock(); results = append(results, r); mu.Unlock() }
	})
	r := nextMail(t, s)
	if r.from != "support@kefu.test" || r.to != item.To {
		t.Fatalf("envelope from %q to %q", r.from, r.to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(r.data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != zhWords.subject {
		t.Fatalf("subject %q (%v), want %q", subject, err, zhWords.subject)
	}
	if got := msg.Header.Get("Message-ID"); got != "<"+item.MessageID+">" {
		t.Fatalf("Message-ID %q", got)
	}
	if got := msg.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Fatalf("Auto-Submitted %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"请重启一下打印机，然后再试。", "Bea", "https://help.example.com/"} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "打印机坏了") {
		t.Fatalf("body quotes the customer's own line, before the answer:\n%s", body)
	}
	waitPending(t, st, 0)
	select {
	case extra := <-s.got:
		t.Fatalf("a second mail: %s", extra.data)
	default:
	}
	mu.Lock()
	defer mu.Unlock()
	if len(results) != 1 || results[0] != ResultSent {
		t.Fatalf("results %v, want one sent", results)
	}
}

// TestMailRetried: a 451 and a connection refused are tried again; the
// mail then goes once.
func TestMailRetried(t *testing.T) {
	st, item := formStore(t)
	// Nothing listens at first: a port taken and let go.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	refused := make(chan struct{}, 1)
	startMailer(t, st, addr, func(c *Config) {
		c.Counted = func(r string) {
			if r == ResultRetry {
				select {
				case refused <- struct{}{}:
				default:
				}
			}
		}
	})
	select {
	case <-refused:
	case <-time.After(testWait):
		t.Fatal("a refused connection was not retried")
	}

	st2, _ := formStore(t)
	s := startSMTP(t)
	s.refuseNext(451)
	startMailer(t, st2, s.addr, nil)
	if r := nextMail(t, s); !strings.Contains(string(r.data), item.MessageID) {
		t.Fatalf("mail %s, want the one queued", r.data)
	}
	waitPending(t, st2, 0)
}

// TestMailGivenUp: a 550 is final: the mail is given up at once, not
// retried.
func TestMailGivenUp(t *testing.T) {
	st, _ := formStore(t)
	s := startSMTP(t)
	s.refuseNext(550)
	gaveUp := make(chan string, 4)
	startMailer(t, st, s.addr, func(c *Config) { c.Counted = func(r string) { gaveUp <- r } })
	select {
	case r := <-gaveUp:
		if r != ResultGaveUp {
			t.Fatalf("result %q, want gave_up", r)
		}
	case <-time.After(testWait):
		t.Fatal("no result")
	}
	waitPending(t, st, 0)
	select {
	case r := <-s.got:
		t.Fatalf("a mail went after a 550: %s", r.data)
	default:
	}
}

// TestParseServer: the URL forms -smtp-url takes, and those it refuses.
func TestParseServer(t *testing.T) {
	for in, want := range map[string]string{
		"smtp://mail.example.com":           "smtp://mail.example.com:587",
		"smtps://u:secret@mail.example.com": "smtps://u@mail.example.com:465",
		"smtp://u:secret@127.0.0.1:2525":    "smtp://u@127.0.0.1:2525",
	} {
		s, err := ParseServer(in, "support@example.com")
		if err != nil || s.String() != want {
			t.Fatalf("ParseServer(%q)=%v, %v; want %s", in, s, err, want)
		}
	}
	for _, in := range []string{"http://mail.example.com", "smtp://", "smtp://h/path", "smtp://h?x=1", "::"} {
		if _, err := ParseServer(in, "support@example.com"); err == nil {
			t.Fatalf("ParseServer(%q) took it", in)
		}
	}
	if _, err := ParseServer("smtp://h", "Support <s@e.com>"); err == nil {
		t.Fatal("a named -smtp-from was taken")
	}
	var te error = errors.New("x")
	if permanent(te) {
		t.Fatal("a plain error taken as permanent")
	}
}
