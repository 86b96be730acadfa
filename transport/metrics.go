package transport

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kefu/actors"
	"kefu/metrics"
)

// scrapeTimeout bounds a scrape's wait for the dispatcher's counts. A
// dispatcher slower than this is stuck; /readyz says so, and the scrape
// goes on without the routing gauges rather than fail whole.
const scrapeTimeout = time.Second

// metricsHandler serves the registry in the Prometheus text format.
func metricsHandler(m *metrics.Metrics) http.Handler {
	reg := m.Registry()
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// routingCollector publishes the dispatchers' counts, every pool's summed,
// as gauges. They are asked for at scrape time, like anyone asks
// (GetStats), so the dispatchers keep their state to themselves and pay
// nothing between scrapes.
type routingCollector struct {
	g                                         *Gateway
	queue, oldest                             *prometheus.Desc
	agents, online, free, customers, reserved *prometheus.Desc
	convs                                     *prometheus.Desc
	teamQueue, teamInbox, teamInboxOldest     *prometheus.Desc
}

func newRoutingCollector(g *Gateway) *routingCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &routingCollector{
		g:         g,
		queue:     d("kefu_queue_length", "Native customers waiting in the queue."),
		oldest:    d("kefu_queue_oldest_wait_seconds", "The longest any customer in the queue has waited, since it first asked for an agent; 0 when nobody waits."),
		agents:    d("kefu_agents", "Agents with a record: online, or within their grace period."),
		online:    d("kefu_agents_online", "Agents with at least one live connection."),
		free:      d("kefu_agents_free", "Agents who could take a customer now: online, available, below capacity."),
		customers: d("kefu_customers_connected", "Customers with a live connection."),
		reserved:  d("kefu_reservations", "Compat /getroom offers not yet used."),
		convs:     d("kefu_conversations", "Open conversations: serving (with an agent) or queued (sent back to the queue).", "state"),

		teamQueue:       d("kefu_team_queue_length", "Native customers waiting in one team's queue.", "team", "name"),
		teamInbox:       d("kefu_team_inbox", "Offline forms waiting in one team's inbox for an agent to take them.", "team", "name"),
		teamInboxOldest: d("kefu_team_inbox_oldest_seconds", "How long the oldest form in one team's inbox has waited; 0 when none.", "team", "name"),
	}
}

// Describe implements prometheus.Collector.
func (c *routingCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.queue, c.oldest, c.agents, c.online, c.free, c.customers, c.reserved, c.convs, c.teamQueue, c.teamInbox, c.teamInboxOldest} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *routingCollector) Collect(ch chan<- prometheus.Metric) {
	s, err := actors.AskStats(c.g.cfg.Root, c.g.cfg.Dir, scrapeTimeout)
	if err != nil {
		c.g.cfg.Log.Warn("metrics: the dispatcher did not answer; routing gauges left out", "err", err)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(c.queue, float64(s.Queued))
	var oldest time.Duration
	if !s.OldestQueued.IsZero() {
		oldest = max(time.Since(s.OldestQueued), 0)
	}
	gauge(c.oldest, oldest.Seconds())
	gauge(c.agents, float64(s.Agents))
	gauge(c.online, float64(s.AgentsOnline))
	gauge(c.free, float64(s.FreeAgents))
	gauge(c.customers, float64(s.Customers))
	gauge(c.reserved, float64(s.Reservations))
	gauge(c.convs, float64(s.Serving), "serving")
	gauge(c.convs, float64(s.Conversations-s.Serving), "queued")
	c.collectTeams(gauge)
}

// collectTeams publishes each live team's queue and inbox, from the
// native dispatcher's snapshot (the tutorial's pool has no teams). Labelled
// by the team's id, which never changes, and its name, for people.
func (c *routingCollector) collectTeams(gauge func(d *prometheus.Desc, v float64, labels ...string)) {
	dispatcher := c.g.cfg.Dir.PID(actors.KindDispatcher, actors.DispatcherID(actors.PoolNative))
	res, err := c.g.cfg.Root.RequestFuture(dispatcher, &actors.GetSnapshot{}, scrapeTimeout).Result()
	snap, ok := res.(*actors.Snapshot)
	if err != nil || !ok {
		c.g.cfg.Log.Warn("metrics: no team figures from the dispatcher", "err", err, "answer", fmt.Sprintf("%T", res))
		return
	}
	for _, t := range snap.Teams {
		var oldest time.Duration
		if !t.OldestInbox.IsZero() {
			oldest = max(time.Since(t.OldestInbox), 0)
		}
		gauge(c.teamQueue, float64(t.Queued), t.ID, t.Name)
		gauge(c.teamInbox, float64(t.Inbox), t.ID, t.Name)
		gauge(c.teamInboxOldest, oldest.Seconds(), t.ID, t.Name)
	}
}
