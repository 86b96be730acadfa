package main

import (
	"flag"
	"fmt"
	"time"

	"kefu/mailer"
	"kefu/server"
)

// mailFlags are the settings of the mail that answers offline forms
// (server_mail.go): off unless -smtp-url is set.
type mailFlags struct{ cfg server.MailConfig }

func addMailFlags(fs *flag.FlagSet) *mailFlags {
	f := &mailFlags{}
	c := &f.cfg
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "mail the answers to offline forms through this server: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465; off when empty")
	fs.StringVar(&c.From, "smtp-from", "", "the sender address of that mail, e.g. support@example.com; required with -smtp-url")
	fs.StringVar(&c.PublicURL, "public-url", "", "the desk's address as customers reach it, e.g. https://help.example.com: the mail links to it; no link when empty")
	fs.DurationVar(&c.Timeout, "mail-timeout", mailer.DefaultTimeout, "how long one mail's SMTP exchange may take (over: that attempt fails and is retried)")
	fs.DurationVar(&c.GiveUp, "mail-give-up", mailer.DefaultGiveUp, "a mail not sent this long after it was queued is given up (logged, kefu_mail_total{result=\"gave_up\"})")
	fs.DurationVar(&c.Keep, "mail-keep", mailer.DefaultKeep, "sent and given-up mail is deleted from the outbox after this")
	return f
}

// apply checks the values and puts them in cfg.
func (f *mailFlags) apply(cfg *server.Config) error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"-mail-timeout", f.cfg.Timeout}, {"-mail-give-up", f.cfg.GiveUp}, {"-mail-keep", f.cfg.Keep}} {
		if d.v <= 0 {
			return fmt.Errorf("%s: must be more than 0", d.name)
		}
	}
	if f.cfg.SMTPURL == "" && f.cfg.From != "" {
		return fmt.Errorf("-smtp-from without -smtp-url: no mail would be sent")
	}
	cfg.Mail = f.cfg
	return nil
}
