package metrics

import "github.com/prometheus/client_golang/prometheus"

// ObserveMail publishes the mailer's outcomes and returns its counter
// (mailer.Config.Counted): registered only where mail is on, so a node
// without -smtp-url shows none. Safe on a nil *Metrics.
func (m *Metrics) ObserveMail() (counted func(result string)) {
	if m == nil {
		return func(string) {}
	}
	mails := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kefu_mail_total",
		Help: "Answers to offline forms the mailer tried to send, by result: sent, retry (a failed attempt, tried again later), gave_up.",
	}, []string{"result"})
	m.reg.MustRegister(mails)
	return func(result string) { mails.WithLabelValues(result).Inc() }
}
