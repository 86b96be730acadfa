package metrics

import "github.com/prometheus/client_golang/prometheus"

// ObserveCluster publishes a node's view of its cluster: how many members
// it sees and whether it holds its lease. It returns the counter of
// messages for grains that were dropped, by why (nodes.GrainConfig's
// bounds): registered only on a node of a cluster, so a single node's
// /metrics is unchanged. Safe on a nil *Metrics (the count is then lost).
func (m *Metrics) ObserveCluster(members func() int, leaseOK func() bool) (dropped func(why string)) {
	if m == nil {
		return func(string) {}
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kefu_cluster_members",
		Help: "Members of the cluster this node sees now, itself included.",
	}, func() float64 { return float64(members()) }))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kefu_cluster_lease_ok",
		Help: "1 while this node holds its lease and sees a majority: it may claim conversations and reports ready.",
	}, func() float64 {
		if leaseOK() {
			return 1
		}
		return 0
	}))
	drops := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kefu_remote_send_failures_total",
		Help: "Messages for an actor on the cluster that were dropped before reaching it, by why: unresolved (no member activated it in time), queue_full.",
	}, []string{"why"})
	m.reg.MustRegister(drops)
	return func(why string) { drops.WithLabelValues(why).Inc() }
}
