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

	"kefu/internal/poll"
	"kefu/mailer/smtptest"
	"kefu/store"
)

// testWait bounds every wait of these tests.
const testWait = 10 * time.Second

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

// waitPending polls, with a deadline, until the outbox holds want
// pending mails.
func waitPending(t *testing.T, st store.MailOutbox, want int) {
	t.Helper()
	poll.Until(t, testWait, fmt.Sprintf("%d pending mails", want), func() bool {
		n, err := st.MailPending(context.Background())
		return err == nil && n == want
	})
}

// TestMailSent: a queued mail reaches the SMTP server once, to the address
// left, from -smtp-from, with its Message-ID, a Chinese subject and the
// agent's answer in Chinese, and is marked sent.
func TestMailSent(t *testing.T) {
	st, item := formStore(t)
	s := smtptest.Start(t)
	var results []string
	var mu sync.Mutex
	startMailer(t, st, s.Addr, func(c *Config) {
		c.Counted = func(r string) { mu.Lock(); results = append(results, r); mu.Unlock() }
	})
	r := s.Next(t)
	if r.From != "support@kefu.test" || r.To != item.To {
		t.Fatalf("envelope from %q to %q", r.From, r.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(r.Data)))
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
	s.NoMore(t)
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
	s := smtptest.Start(t)
	s.RefuseNext(451)
	startMailer(t, st2, s.Addr, nil)
	if r := s.Next(t); !strings.Contains(string(r.Data), item.MessageID) {
		t.Fatalf("mail %s, want the one queued", r.Data)
	}
	waitPending(t, st2, 0)
}

// TestMailGivenUp: a 550 is final: the mail is given up at once, not
// retried.
func TestMailGivenUp(t *testing.T) {
	st, _ := formStore(t)
	s := smtptest.Start(t)
	s.RefuseNext(550)
	gaveUp := make(chan string, 4)
	startMailer(t, st, s.Addr, func(c *Config) { c.Counted = func(r string) { gaveUp <- r } })
	select {
	case r := <-gaveUp:
		if r != ResultGaveUp {
			t.Fatalf("result %q, want gave_up", r)
		}
	case <-time.After(testWait):
		t.Fatal("no result")
	}
	waitPending(t, st, 0)
	s.NoMore(t) // none after a 550
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
