// Package smtptest is a real SMTP server (github.com/emersion/go-smtp) on a
// free loopback port, for tests of the mail that answers offline forms.
// Only tests import it, so the kefu binary does not link go-smtp.
package smtptest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Wait bounds every wait of the server and of Next.
const Wait = 10 * time.Second

// Mail is one mail the server took.
type Mail struct {
	From, To string
	Data     []byte
}

// Server takes every mail it is sent and puts it on its channel; while it
// holds refusal codes, it answers each DATA with the next instead.
type Server struct {
	Addr   string
	got    chan Mail
	mu     sync.Mutex
	refuse []int
}

// Start listens on 127.0.0.1:0 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{got: make(chan Mail, 16)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = Wait, Wait
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Next returns the next mail taken, failing t after Wait.
func (s *Server) Next(t testing.TB) Mail {
	t.Helper()
	select {
	case m := <-s.got:
		return m
	case <-time.After(Wait):
		t.Fatal("no mail came")
	}
	return Mail{}
}

// RefuseNext makes the server answer the next DATAs with codes.
func (s *Server) RefuseNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = codes
}

type session struct {
	s        *Server
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
	x.s.got <- Mail{From: x.from, To: x.to, Data: data}
	return nil
}

// NoMore fails t if a mail has come that was not read with Next.
func (s *Server) NoMore(t testing.TB) {
	t.Helper()
	select {
	case m := <-s.got:
		t.Fatalf("an unexpected mail to %s:\n%s", m.To, m.Data)
	default:
	}
}
