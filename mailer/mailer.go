// Package mailer sends the mails of the durable outbox (store.MailOutbox):
// the answer to an offline form, to the address the customer left (issue
// 18, docs/teams-plan.md §5).
//
// It is one goroutine per node, not an actor: an SMTP exchange blocks for
// up to the timeout, and an actor doing it would hold its mailbox and a
// scheduler goroutine all that while, while the outbox in the store already
// gives the order and the durability an actor's memory would. It claims
// due mails for a while (twice the timeout), so two nodes never send one
// at once, and a node that dies with a claim lets it run out. Delivery is
// at least once: a crash between the server's 250 and the row marked sent
// sends it again, with the same Message-ID.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"time"

	"kefu/store"
)

// Store is what the mailer reads and marks.
type Store interface {
	store.MailOutbox
	Conversation(ctx context.Context, id string) (store.Conversation, error)
	Messages(ctx context.Context, conv string, afterSeq uint64, limit int) ([]store.Message, error)
}

// Config is everything the mailer starts with.
type Config struct {
	Store Store
	Node  string // this node's id: who holds a claim
	SMTP  *Server
	// PublicURL, if set, is where the mail asks the customer to reply.
	PublicURL string
	Timeout   time.Duration // one send, dial to QUIT; 0: DefaultTimeout
	GiveUp    time.Duration // after this since it was queued a mail is given up; 0: DefaultGiveUp
	Keep      time.Duration // sent and given-up rows are deleted after this; 0: DefaultKeep
	Poll      time.Duration // the wait between passes when nothing nudges; 0: DefaultPoll
	// RetryFirst is the wait after a first failed send, doubling up to
	// RetryMax; 0: the defaults.
	RetryFirst, RetryMax time.Duration
	Log                  *slog.Logger
	// Counted, if set, is told of each mail's outcome: "sent", "retry" or
	// "gave_up" (kefu_mail_total).
	Counted func(result string)
}

// Defaults for Config.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultGiveUp     = 24 * time.Hour
	DefaultKeep       = 7 * 24 * time.Hour
	DefaultPoll       = 5 * time.Second
	DefaultRetryFirst = time.Minute
	DefaultRetryMax   = time.Hour
)

// What a mail came to (Config.Counted).
const (
	ResultSent   = "sent"
	ResultRetry  = "retry"
	ResultGaveUp = "gave_up"
)

// claimBatch is how many mails one claim takes.
const claimBatch = 10

// answerPage bounds the messages one mail quotes.
const answerPage = 50

// markTimeout bounds the store write that marks a mail's outcome.
const markTimeout = 5 * time.Second

// cleanEvery is how often the mailer deletes old rows.
const cleanEvery = time.Hour

// Mailer is the outbox's sender.
type Mailer struct {
	cfg       Config
	nudge     chan struct{}
	lastClean time.Time
}

// New returns the mailer of cfg, its zero fields defaulted.
func New(cfg Config) (*Mailer, error) {
	if cfg.Store == nil || cfg.SMTP == nil || cfg.Node == "" {
		return nil, errors.New("mailer: no store, SMTP server or node id")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, DefaultTimeout)
	def(&cfg.GiveUp, DefaultGiveUp)
	def(&cfg.Keep, DefaultKeep)
	def(&cfg.Poll, DefaultPoll)
	def(&cfg.RetryFirst, DefaultRetryFirst)
	def(&cfg.RetryMax, DefaultRetryMax)
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Mailer{cfg: cfg, nudge: make(chan struct{}, 1)}, nil
}

// Nudge asks for a pass soon: a commit has just queued mail. It never
// waits.
func (m *Mailer) Nudge() {
	select {
	case m.nudge <- struct{}{}:
	default:
	}
}

// Run sends due mail until ctx ends: a pass at once, then after each nudge
// or Poll.
func (m *Mailer) Run(ctx context.Context) error {
	wait := time.NewTimer(0)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wait.C:
		case <-m.nudge:
		}
		m.pass(ctx)
		wait.Reset(m.cfg.Poll)
	}
}

// pass sends every mail due now, a claim at a time, and now and then
// deletes the old rows.
func (m *Mailer) pass(ctx context.Context) {
	for ctx.Err() == nil {
		now := time.Now()
		mails, err := m.cfg.Store.ClaimMail(ctx, m.cfg.Node, now, now.Add(2*m.cfg.Timeout), claimBatch)
		if err != nil {
			m.cfg.Log.Error("cannot claim mail", "err", err)
			return
		}
		for _, mail := range mails {
			m.send(ctx, mail)
		}
		if len(mails) < claimBatch {
			break
		}
	}
	if now := time.Now(); now.Sub(m.lastClean) >= cleanEvery {
		m.lastClean = now
		if n, err := m.cfg.Store.DeleteMailBefore(ctx, now.Add(-m.cfg.Keep)); err != nil {
			m.cfg.Log.Error("cannot delete old mail", "err", err)
		} else if n > 0 {
			m.cfg.Log.Info("old mail deleted", "rows", n)
		}
	}
}

// send sends one claimed mail and marks what came of it.
func (m *Mailer) send(ctx context.Context, mail store.Mail) {
	sctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	err := m.deliver(sctx, mail)
	now := time.Now()
	// What came of it is marked even when the mailer is stopping: a mail
	// the server took but not marked sent would go again.
	ctx, cancelMark := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancelMark()
	result, mark := ResultSent, error(nil)
	switch {
	case err == nil:
		mark = m.cfg.Store.MailSent(ctx, mail.ID, m.cfg.Node, now)
	case permanent(err) || now.Sub(mail.At) >= m.cfg.GiveUp:
		result = ResultGaveUp
		m.cfg.Log.Warn("mail given up", "conv", mail.Conv, "id", mail.ID, "attempts", mail.Attempts+1, "err", err)
		mark = m.cfg.Store.MailGaveUp(ctx, mail.ID, m.cfg.Node, now, err.Error())
	default:
		result = ResultRetry
		next := now.Add(m.retryWait(mail.Attempts))
		m.cfg.Log.Info("mail not sent; trying again later", "conv", mail.Conv, "id", mail.ID, "next", next, "err", err)
		mark = m.cfg.Store.MailRetry(ctx, mail.ID, m.cfg.Node, next, err.Error())
	}
	if mark != nil {
		// The claim ran out (a send slower than twice the timeout) and
		// another node took the row, or the store failed: either way the
		// row is still pending and will be sent again.
		m.cfg.Log.Warn("cannot mark mail", "id", mail.ID, "result", result, "err", mark)
	}
	if m.cfg.Counted != nil {
		m.cfg.Counted(result)
	}
}

// retryWait is the wait after the send that follows attempts earlier
// ones: RetryFirst, doubling, up to RetryMax.
func (m *Mailer) retryWait(attempts int) time.Duration {
	return min(m.cfg.RetryFirst<<min(attempts, 20), m.cfg.RetryMax)
}

// deliver builds mail's message and hands it to the SMTP server.
func (m *Mailer) deliver(ctx context.Context, mail store.Mail) error {
	conv, err := m.cfg.Store.Conversation(ctx, mail.Conv)
	if err != nil {
		return fmt.Errorf("read conversation: %w", err)
	}
	msgs, err := m.cfg.Store.Messages(ctx, mail.Conv, mail.AfterSeq, answerPage)
	if err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	body, err := compose(m.cfg.SMTP.From, mail, conv, msgs, m.cfg.PublicURL, time.Now())
	if err != nil {
		return err
	}
	return m.cfg.SMTP.send(ctx, mail.To, body)
}

// permanent reports whether err is the server's refusal for good (a 5xx
// reply): trying again would be refused again.
func permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}
