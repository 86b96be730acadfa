package loadtest

import (
	"sync"
	"sync/atomic"
	"time"
)

// metrics is what every client reports into while the run goes on. Counters
// and gauges are atomics; latencies go to sharded histograms.
type metrics struct {
	// Gauges: how things are now.
	connected atomic.Int64 // sockets open and admitted
	waiting   atomic.Int64 // customers in the queue now
	peak      atomic.Int64 // the most sockets open at once

	// Totals.
	everConnected atomic.Int64 // clients whose first connection succeeded
	queued        atomic.Int64 // customers that waited in the queue
	assigned      atomic.Int64 // customers that got a conversation
	sent          atomic.Int64 // messages written a first time
	acked         atomic.Int64 // messages acknowledged (native) or echoed (compat), once each
	delivered     atomic.Int64 // messages that reached the other side, once each
	reconnects    atomic.Int64
	roundTrips    atomic.Int64 // compat: replies to a customer's message received
	finished      atomic.Int64 // customers done with their budget
	gaveUp        atomic.Int64 // customers that never got in
	departed      atomic.Int64 // customers gone before the run's end, for any reason

	// outstanding is messages written and not yet acknowledged, and
	// unseen the positions native parties know their conversations hold
	// and have not received (stream.awaited), for the drain at the end.
	outstanding atomic.Int64
	unseen      atomic.Int64

	connect, assign, delivery, ack, roundTrip *shardedHist
	window                                    *shardedHist // delivery, the current second

	errs errorCounts
}

func newMetrics() *metrics {
	return &metrics{
		connect: newShardedHist(), assign: newShardedHist(), delivery: newShardedHist(),
		ack: newShardedHist(), roundTrip: newShardedHist(), window: newShardedHist(),
	}
}

// up counts a socket opened and admitted.
func (m *metrics) up() {
	n := m.connected.Add(1)
	for p := m.peak.Load(); n > p && !m.peak.CompareAndSwap(p, n); p = m.peak.Load() {
	}
}

// down counts a socket gone.
func (m *metrics) down() { m.connected.Add(-1) }

// delivered records a message that reached the other side, sent at sentAt.
func (m *metrics) deliveredAt(shard int, sentAt time.Time) {
	m.delivered.Add(1)
	if sentAt.IsZero() {
		return
	}
	d := time.Since(sentAt)
	m.delivery.record(shard, d)
	m.window.record(shard, d)
}

// ackedAt records the acknowledgement of a message sent at sentAt, which
// no longer waits for one.
func (m *metrics) ackedAt(shard int, sentAt time.Time) {
	m.acked.Add(1)
	m.outstanding.Add(-1)
	m.ack.record(shard, time.Since(sentAt))
}

// errorCounts counts errors by kind. Errors are rare, so one mutex is
// enough; total is an atomic for the per-second samples.
type errorCounts struct {
	mu    sync.Mutex
	kinds map[string]int64
	total atomic.Int64
}

// add counts one error of a kind: "dial", "closed:1006",
// "error_frame:not_stored", ...
func (e *errorCounts) add(kind string) {
	e.total.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.kinds == nil {
		e.kinds = map[string]int64{}
	}
	e.kinds[kind]++
}

// snapshot copies the counts.
func (e *errorCounts) snapshot() map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int64, len(e.kinds))
	for k, v := range e.kinds {
		out[k] = v
	}
	return out
}
