package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"time"

	"kefu/store"
)

// Server is where the mail goes: -smtp-url and -smtp-from.
//
//	smtp://user:pass@host:587   STARTTLS whenever the server offers it;
//	                            net/smtp's PlainAuth refuses to send the
//	                            password unencrypted except to localhost
//	smtps://user:pass@host:465  TLS from the first byte
type Server struct {
	Addr     string // host:port
	Implicit bool   // smtps: TLS from the start
	Username string
	Password string
	From     string // the bare envelope and header sender
	// TLS is the client's TLS configuration; nil: the system's roots, the
	// server name from Addr. Tests give their own.
	TLS *tls.Config
}

// Default ports by scheme.
const (
	submissionPort = "587"
	smtpsPort      = "465"
)

// ParseServer reads -smtp-url and -smtp-from.
func ParseServer(rawURL, from string) (*Server, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Not err itself: url.Error quotes the URL, password and all.
		return nil, errors.New("-smtp-url: not a URL (a password's special characters must be %-escaped)")
	}
	s := &Server{From: from}
	port := submissionPort
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.Implicit, port = true, smtpsPort
	default:
		return nil, fmt.Errorf("-smtp-url: scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, errors.New("-smtp-url: want smtp://[user:pass@]host[:port], nothing more")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if from == "" || store.ValidEmail(from) != nil {
		return nil, fmt.Errorf("-smtp-from %q: want a bare address, such as support@example.com", from)
	}
	return s, nil
}

// String names the server without its password, for the logs.
func (s *Server) String() string {
	scheme := "smtp"
	if s.Implicit {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: s.Addr}
	if s.Username != "" {
		u.User = url.User(s.Username)
	}
	return u.String()
}

// send hands msg for to to the server: one connection, one mail. ctx's
// deadline bounds the whole exchange.
func (s *Server) send(ctx context.Context, to string, msg []byte) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// A stop (ctx cancelled) ends the exchange at once rather than at its
	// deadline, so that a node stops within its budget.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	cfg := s.tlsConfig(host)
	if s.Implicit {
		conn = tls.Client(conn, cfg)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if !s.Implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(cfg); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (s *Server) tlsConfig(host string) *tls.Config {
	if s.TLS != nil {
		return s.TLS
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}
