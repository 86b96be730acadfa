// Package metrics holds kefu's Prometheus metrics: one registry per server,
// and the counters and histograms the actors and the transport update as
// things happen. Prometheus metric objects are safe for concurrent use, so
// actors update them directly; none of them holds routing state, and nothing
// reads them back to make a decision.
//
// Every method is safe on a nil *Metrics and then does nothing, so actors
// and tests built without metrics need no stand-in.
package metrics

import (
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
)

// Protocol indexes the per-protocol children. The values match
// actors.Pool (native 0, compat 1), which this package cannot import.
type Protocol int

const (
	Native Protocol = iota
	Compat
	numProtocols
)

var protocolNames = [numProtocols]string{Native: "native", Compat: "compat"}

// Role indexes the per-role children: the values match actors.Role minus
// one (agent 0, customer 1).
type Role int

const (
	Agent Role = iota
	Customer
	numRoles
)

var roleNames = [numRoles]string{Agent: "agent", Customer: "customer"}

// Bucket boundaries, in base units. Delivery is in-process work measured in
// milliseconds; waiting for an agent in seconds to an hour; a commit from a
// fraction of a millisecond (a few messages, WAL) to the 10 s it may take.
var (
	deliveryBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	waitBuckets     = []float64{.1, .5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600}
	commitBuckets   = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	entryBuckets    = prometheus.ExponentialBuckets(1, 2, 13) // 1 to 4096, the writer's most per transaction
)

// Metrics is one server's metrics. The children of each vector are resolved
// once here, so an update on the chat path is an array index and an atomic
// add: no label lookup, no map, no lock.
type Metrics struct {
	reg *prometheus.Registry

	connections [numRoles][numProtocols]prometheus.Gauge
	received    [numProtocols]prometheus.Counter
	delivered   [numProtocols]prometheus.Counter
	slowDropped [numProtocols]prometheus.Counter
	delivery    prometheus.Histogram

	routing        *prometheus.CounterVec
	timeToAssign   prometheus.Histogram
	commitEntries  prometheus.Histogram
	commitDuration prometheus.Histogram
	commitFailures prometheus.Counter
	storeFenced    prometheus.Counter
	convsRehomed   prometheus.Counter
}

// New returns a server's metrics on a registry of their own, not the
// library's global one: only what kefu means to publish is published, and
// tests can run several servers in one process. The registry also holds
// the Go runtime's and the process's metrics (goroutines, heap, resident
// memory, CPU, open files), which the load harness's soak reads.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	conns := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kefu_connections",
		Help: "WebSocket connections admitted and open now, by role and protocol.",
	}, []string{"role", "protocol"})
	received := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kefu_messages_received_total",
		Help: "Chat messages clients sent that passed their connection's checks and went to their conversation to be stored.",
	}, []string{"protocol"})
	delivered := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kefu_messages_delivered_total",
		Help: "Stored chat messages handed to a recipient's socket: one per connection reached, the sender's echo included.",
	}, []string{"protocol"})
	slow := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kefu_slow_clients_dropped_total",
		Help: "Sockets closed with 4008 because their outbound queue was full.",
	}, []string{"protocol"})
	for p := range numProtocols {
		for r := range numRoles {
			m.connections[r][p] = conns.WithLabelValues(roleNames[r], protocolNames[p])
		}
		m.received[p] = received.WithLabelValues(protocolNames[p])
		m.delivered[p] = delivered.WithLabelValues(protocolNames[p])
		m.slowDropped[p] = slow.WithLabelValues(protocolNames[p])
	}
	m.delivery = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kefu_delivery_latency_seconds",
		Help:    "From a chat message's commit to its hand-over to a recipient's socket.",
		Buckets: deliveryBuckets,
	})
	m.routing = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kefu_routing_events_total",
		Help: "Routing changes by kind: queued, left_queue, assigned, transferred, requeued, ended.",
	}, []string{"kind"})
	m.timeToAssign = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kefu_time_to_assignment_seconds",
		Help:    "How long native customers waited in the queue before an agent was assigned (since joining it, or since being sent back to it).",
		Buckets: waitBuckets,
	})
	m.commitEntries = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kefu_store_commit_entries",
		Help:    "Entries (messages, records, events, read marks) per group commit.",
		Buckets: entryBuckets,
	})
	m.commitDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kefu_store_commit_duration_seconds",
		Help:    "How long each group commit took, failed ones included.",
		Buckets: commitBuckets,
	})
	m.commitFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kefu_store_commit_failures_total",
		Help: "Group commits that failed: nothing of them was stored.",
	})
	m.storeFenced = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kefu_store_fenced_total",
		Help: "Writes the store refused because an owner epoch they carried was stale (another node claimed the conversation or dispatcher) or this node's lease was not live; their writers stop. Always 0 on a single node.",
	})
	m.convsRehomed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kefu_convs_rehomed_total",
		Help: "Conversations this node's dispatchers activated again after their actor stopped without ending (moved: its node died, or a rebalance). Always 0 on a single node.",
	})
	m.reg.MustRegister(
		// Beside the memstats series: the heap the last GC found live and
		// the GC's CPU, which the load harness reports per message and per
		// socket. Both are read at a scrape, never on a message's path.
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.GoRuntimeMetricsRule{
			Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$|^/cpu/classes/gc/total:cpu-seconds$`),
		})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		conns, received, delivered, slow, m.delivery, m.routing,
		m.timeToAssign, m.commitEntries, m.commitDuration, m.commitFailures, m.storeFenced,
		m.convsRehomed,
	)
	return m
}

// ObserveWAL publishes the store's write-ahead log size, read at each
// scrape.
func (m *Metrics) ObserveWAL(bytes func() int64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kefu_store_wal_bytes",
		Help: "Size of the store's write-ahead log file. It stays near 64 MiB under load; growth without end means checkpoints fall behind.",
	}, func() float64 { return float64(bytes()) }))
}

// ObservePool publishes how many goroutines the actors' pool has.
func (m *Metrics) ObservePool(goroutines func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kefu_actor_goroutines",
		Help: "Goroutines the actors' pool holds, busy or idle; idle ones exit after 5 s.",
	}, func() float64 { return float64(goroutines()) }))
}

// Registry is where the metrics live, for the /metrics handler and for
// collectors that read state elsewhere (limit offences, routing).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func valid(p Protocol) bool { return p >= 0 && p < numProtocols }

// ConnectionOpened and ConnectionClosed count an admitted connection in and
// out; a connection never admitted is not counted.
func (m *Metrics) ConnectionOpened(r Role, p Protocol) {
	if m != nil && valid(p) && r >= 0 && r < numRoles {
		m.connections[r][p].Inc()
	}
}

func (m *Metrics) ConnectionClosed(r Role, p Protocol) {
	if m != nil && valid(p) && r >= 0 && r < numRoles {
		m.connections[r][p].Dec()
	}
}

// Received counts one chat message accepted from a client.
func (m *Metrics) Received(p Protocol) {
	if m != nil && valid(p) {
		m.received[p].Inc()
	}
}

// Delivered counts one message handed to a socket, stored at stored
// (zero for a line that was never stored: not timed).
func (m *Metrics) Delivered(p Protocol, stored Stamp) {
	if m == nil || !valid(p) {
		return
	}
	m.delivered[p].Inc()
	if stored != 0 {
		m.delivery.Observe(time.Duration(Now() - stored).Seconds())
	}
}

// Stamp is a moment on the process's monotonic clock. It rides on every
// delivered message, and takes 8 bytes where a time.Time takes 24: enough
// to push a message into a larger allocation class.
type Stamp int64

var epoch = time.Now()

// Now returns the current Stamp, never zero (zero means "not stamped").
func Now() Stamp { return Stamp(max(time.Since(epoch), 1)) }

// SlowClients returns the counter of protocol p's sockets closed for a full
// outbound queue, for a socket to keep; nil for none.
func (m *Metrics) SlowClients(p Protocol) prometheus.Counter {
	if m == nil || !valid(p) {
		return nil
	}
	return m.slowDropped[p]
}

// RoutingEvent counts one routing change of kind. Routing changes are per
// arrival and per assignment, not per message: the label lookup is fine.
func (m *Metrics) RoutingEvent(kind string) {
	if m != nil {
		m.routing.WithLabelValues(kind).Inc()
	}
}

// Assigned records how long a customer waited in the queue for an agent.
func (m *Metrics) Assigned(waited time.Duration) {
	if m != nil {
		m.timeToAssign.Observe(waited.Seconds())
	}
}

// Commit records one group commit: its entries, duration and outcome. Its
// signature is actors.StoreWriterConfig.Observe's.
func (m *Metrics) Commit(entries int, took time.Duration, err error) {
	if m == nil {
		return
	}
	m.commitEntries.Observe(float64(entries))
	m.commitDuration.Observe(took.Seconds())
	if err != nil {
		m.commitFailures.Inc()
	}
}

// StoreFenced counts one write refused for a stale fence. Its signature
// is actors.StoreWriterConfig.Fenced's.
func (m *Metrics) StoreFenced() {
	if m != nil {
		m.storeFenced.Inc()
	}
}

// ConvRehomed counts one conversation activated again after a move.
func (m *Metrics) ConvRehomed() {
	if m != nil {
		m.convsRehomed.Inc()
	}
}

// MessagesReceived returns the total of kefu_messages_received_total over
// both protocols: the supervisor's messages per second are its differences.
func (m *Metrics) MessagesReceived() uint64 {
	if m == nil {
		return 0
	}
	var total float64
	for _, c := range m.received {
		var out dto.Metric
		if c.Write(&out) == nil {
			total += out.GetCounter().GetValue()
		}
	}
	return uint64(total)
}
