package metrics

import "github.com/prometheus/client_golang/prometheus"

// ObserveKickListener publishes the state of a node's kick listener
// (kicks.Listener: sign-outs from other nodes) and returns what it calls:
// listening each time its connection LISTENs (again: it replaces one that
// dropped), lost each time that connection drops. Registered only where
// the store is PostgreSQL, so a SQLite node's /metrics is unchanged. Safe
// on a nil *Metrics.
func (m *Metrics) ObserveKickListener() (listening func(again bool), lost func()) {
	if m == nil {
		return func(bool) {}, func() {}
	}
	up := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kefu_kick_listener_up",
		Help: "1 while this node listens for other nodes' sign-outs (PostgreSQL LISTEN); 0 while it reconnects, when a sign-out elsewhere leaves this node's sockets open until they reconnect.",
	})
	reconnects := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kefu_kick_listener_reconnects_total",
		Help: "Times this node's sign-out listener connected again after its PostgreSQL connection dropped.",
	})
	m.reg.MustRegister(up, reconnects)
	listening = func(again bool) {
		up.Set(1)
		if again {
			reconnects.Inc()
		}
	}
	return listening, func() { up.Set(0) }
}
