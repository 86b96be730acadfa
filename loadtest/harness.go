package loadtest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Timing of the clients' own retries.
const (
	connectTries   = 3                      // a client's first connection, before it gives up
	retryEvery     = 250 * time.Millisecond // between connection attempts
	dialParallel   = 256                    // first connections in flight at once
	roomRetryEvery = 200 * time.Millisecond // compat: /getroom found no free agent
)

// harness is what every client of one run shares: read-only settings, the
// metrics they report into, and the run's phases.
type harness struct {
	cfg     *Config
	servers []string // -server's base URLs; a client's server is an index here
	run     string   // this run's id, in every name and text
	m       *metrics
	started time.Time

	// The phases, each a channel closed once by Run: begin opens the
	// window (customers start talking), stop ends it (nobody starts a new
	// message), finish sends everyone home.
	begin, stop, finish chan struct{}

	// dialSlots bounds the first connections in flight, so that thousands
	// of clients starting at once do not overflow the server's accept
	// backlog and measure the kernel's SYN retries instead of the server.
	dialSlots chan struct{}

	phaseMu   sync.Mutex
	phaseName string    // for the progress line
	windowAt  time.Time // when the window opened

	// stale counts conversations of earlier runs that agents ended.
	stale atomic.Int64

	wg sync.WaitGroup // every client goroutine
}

func newHarness(cfg *Config) *harness {
	return &harness{
		cfg:       cfg,
		servers:   cfg.servers(),
		run:       newRunID(),
		m:         newMetrics(),
		started:   time.Now(),
		phaseName: phaseRampUp,
		begin:     make(chan struct{}),
		stop:      make(chan struct{}),
		finish:    make(chan struct{}),
		dialSlots: make(chan struct{}, dialParallel),
	}
}

// customerName is customer i's display name: the run id lets agents tell
// this run's customers from conversations left by an earlier one.
func (h *harness) customerName(i int) string { return "lt-" + h.run + "-c" + itoa(i) }

// ours says whether a customer name belongs to this run.
func (h *harness) ours(name string) bool {
	p := "lt-" + h.run + "-c"
	return len(name) > len(p) && name[:len(p)] == p
}

// closed says whether a phase channel is closed, without blocking.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// windowClosed says whether stop has closed: nobody starts a new message.
// A client asks here when it is about to write, not a flag it set when its
// select took stop: a select with a frame ready too may take the frame
// first, and a closed-loop client answering it would write after the
// window, even after finish, when both sides are hanging up.
func (h *harness) windowClosed() bool { return closed(h.stop) }

// startMessage counts a message about to be written and says whether it
// may be: not once the window has closed. The count comes first, so that a
// client that still found stop open had counted its message before Run
// closed stop, and the drain, which reads the count after closing stop,
// waits for that message. A compat sender numbers its own lines, so a line
// written and never delivered (its sender gone at finish before the
// server relayed it) would be counted lost.
func (h *harness) startMessage() bool {
	h.m.outstanding.Add(1)
	if h.windowClosed() {
		h.m.outstanding.Add(-1)
		return false
	}
	h.m.sent.Add(1)
	return true
}

// slot waits for a first-connection slot; it returns false when the run
// ends first. The caller gives the slot back with release.
func (h *harness) slot(ctx context.Context) bool {
	select {
	case h.dialSlots <- struct{}{}:
		return true
	case <-h.finish:
	case <-ctx.Done():
	}
	return false
}

func (h *harness) release() { <-h.dialSlots }

// arrive is a customer's life on either protocol: wait for its arrival
// time and a dial slot, get in (or give up, counted), then chat until the
// end and leave.
func (h *harness) arrive(ctx context.Context, startAt time.Time, enter func(context.Context) bool, leave func(), loop func(context.Context)) {
	defer h.wg.Done()
	defer h.departing()
	if !h.pause(ctx, time.Until(startAt)) || !h.slot(ctx) {
		return
	}
	ok := enter(ctx)
	h.release()
	if !ok {
		h.m.gaveUp.Add(1)
		return
	}
	defer leave()
	loop(ctx)
}

// departing is deferred by every customer's goroutine: one that stops
// before the run ends has left (budget spent, or failed), and when all
// have, the window closes early.
func (h *harness) departing() {
	if !closed(h.finish) {
		h.m.departed.Add(1)
	}
}

// pause waits d, or less when the run ends; it returns false then.
func (h *harness) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-h.finish:
	case <-ctx.Done():
	}
	return false
}
