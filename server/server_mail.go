package server

// This file holds the node's mailer (package mailer, docs/teams-plan.md
// §5): with -smtp-url set, a form's conversation that ends with an answer
// its customer has not read queues that answer in its end's own commit,
// and a goroutine (not an actor: an SMTP exchange blocks for seconds)
// sends it. Off by default: no mail is queued without it.

import (
	"context"
	"strings"
	"time"

	"kefu/mailer"
)

// MailConfig is the mail settings; the zero value sends none.
type MailConfig struct {
	SMTPURL   string // smtp://user:pass@host:587 or smtps://host:465; "": no mail
	From      string // the sender's address, required with SMTPURL
	PublicURL string // where the mail asks the customer to reply; "": no link
	Timeout   time.Duration
	GiveUp    time.Duration
	Keep      time.Duration
}

// prepareMail checks the settings and makes the mailer; it starts with
// the server. Returns the domain mail is sent from ("" with mail off),
// which the conversations put in each mail's Message-ID.
func (s *Server) prepareMail() (string, error) {
	mc := s.cfg.Mail
	if mc.SMTPURL == "" {
		return "", nil
	}
	srv, err := mailer.ParseServer(mc.SMTPURL, mc.From)
	if err != nil {
		return "", err
	}
	m, err := mailer.New(mailer.Config{
		Store: s.store, Node: s.system.ID, SMTP: srv, PublicURL: mc.PublicURL,
		Timeout: mc.Timeout, GiveUp: mc.GiveUp, Keep: mc.Keep, Log: s.cfg.Log,
		Counted: s.metrics.ObserveMail(),
	})
	if err != nil {
		return "", err
	}
	s.mail = m
	_, domain, _ := strings.Cut(mc.From, "@") // a bare address: ParseServer checked
	s.cfg.Log.Info("mail on", "smtp", srv.String(), "from", mc.From)
	return domain, nil
}

// startMail runs the mailer until stopMail.
func (s *Server) startMail() {
	if s.mail == nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.mail.Run(ctx)
	}()
	s.stopMail = func() {
		stop()
		<-done
	}
}

// mailQueued is the store writer's nudge after a commit that queued mail.
func (s *Server) mailQueued() func() {
	if s.mail == nil {
		return nil
	}
	return s.mail.Nudge
}
