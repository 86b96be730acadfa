package loadtest

import (
	"context"
	"errors"
	"time"
)

// customer is one simulated native customer: it says hello, asks for an
// agent, waits in the queue, then sends its messages (on a timer, or each
// once the last is acknowledged), checks what it receives, and when its
// budget is spent ends the conversation and leaves. Dropped (by churn or by
// the network), it resumes with its token and the last seq it has, and
// sends again what was not acknowledged.
//
// run is its only goroutine: it alone touches these fields and writes to
// the socket; the link's reader only decodes.
type customer struct {
	h    *harness
	idx  int
	name string
	srv  int           // the server it dials: h.servers[srv]
	drop chan struct{} // churn: drop the socket and resume

	l        *link[nFrame]
	dialedAt time.Time // when the current connection attempt began
	welcomed bool      // the current connection is admitted
	token    string
	me       string // the party id the server gave

	requested  bool // the request went out (once per customer)
	requestAt  time.Time
	waiting    bool // in the queue now
	agentless  bool // its conversation went back to the queue
	everQueued bool
	conv       string
	st         *stream
	asking     pageAsk // the history request waiting for its answer on this connection
	ending     bool    // sent end, waiting for ended
	done       bool    // the goroutine should return

	out      outbox
	n        int // own messages written a first time
	answered int // the agent's messages received

	begun, stopped bool
	sendTimer      *time.Timer // nil in closed loop
}

func newCustomer(h *harness, idx int) *customer {
	return &customer{h: h, idx: idx, name: h.customerName(idx), srv: h.home(idx), drop: make(chan struct{}, 1)}
}

// run is the customer's goroutine, from its arrival at startAt to the end.
func (c *customer) run(ctx context.Context, startAt time.Time) {
	c.h.arrive(ctx, startAt, c.firstConnect, c.leave, c.loop)
}

// firstConnect tries a few times: a client that never gets in is counted
// and gives up.
func (c *customer) firstConnect(ctx context.Context) bool {
	for try := 0; try < connectTries; try++ {
		if err := c.connect(ctx); err == nil {
			c.h.m.everConnected.Add(1)
			return true
		}
		if !c.h.pause(ctx, retryEvery) {
			return false
		}
	}
	return false
}

// connect dials and says hello; the welcome arrives in the loop.
func (c *customer) connect(ctx context.Context) error {
	c.dialedAt = time.Now()
	l, err := dial(ctx, c.h.nativeURL(c.srv), decodeNative)
	if err != nil {
		c.h.m.errs.add("dial")
		c.srv = c.h.next(c.srv)
		return err
	}
	c.l, c.welcomed, c.asking = l, false, pageAsk{}
	var resume map[string]uint64
	if c.conv != "" {
		resume = map[string]uint64{c.conv: c.st.last()}
	}
	if err := l.write(frameHelloCustomer(c.name, c.token, resume)); err != nil {
		c.h.m.errs.add("write")
		c.closeLink()
		return err
	}
	return nil
}

// reconnect drops the current socket and comes back, trying until the run
// ends; it returns false then.
func (c *customer) reconnect(ctx context.Context) bool {
	c.closeLink()
	c.h.m.reconnects.Add(1)
	for !closed(c.h.finish) && ctx.Err() == nil {
		if c.connect(ctx) == nil {
			return true
		}
		if !c.h.pause(ctx, retryEvery) {
			break
		}
	}
	c.done = true
	return false
}

func (c *customer) closeLink() {
	if c.l == nil {
		return
	}
	c.l.drop()
	c.l = nil
	if c.welcomed {
		c.h.m.down()
		c.welcomed = false
	}
}

func (c *customer) loop(ctx context.Context) {
	begin, stop, finish := c.h.begin, c.h.stop, c.h.finish
	for !c.done {
		var frames <-chan inbound[nFrame]
		if c.l != nil {
			frames = c.l.frames
		}
		var tick <-chan time.Time
		if c.sendTimer != nil {
			tick = c.sendTimer.C
		}
		select {
		case in := <-frames:
			if in.lost != nil {
				c.lost(ctx, in.lost)
				continue
			}
			c.handle(ctx, in.f)
		case <-tick:
			c.sendTimer.Reset(c.h.cfg.MessageEvery)
			c.send(ctx)
		case <-begin:
			begin, c.begun = nil, true
			c.startSending(ctx)
		case <-stop:
			stop, c.stopped = nil, true
			c.stopTimer()
		case <-c.drop:
			if c.welcomed {
				c.reconnect(ctx)
			}
		case <-finish:
			return
		case <-ctx.Done():
			return
		}
	}
}

// lost handles a socket the server or the network ended.
func (c *customer) lost(ctx context.Context, err error) {
	if c.ending || closed(c.h.finish) {
		c.done = true
		return
	}
	c.h.m.errs.add("customer:" + lostKind(err))
	c.reconnect(ctx)
}

// leave ends the run for this customer: the conversation is ended, so the
// server does not keep it open for the agents' next run, and the socket is
// closed politely.
func (c *customer) leave() {
	c.stopTimer()
	if c.l == nil {
		return
	}
	if c.conv != "" && !c.ending && c.welcomed {
		_ = c.l.write(frameEnd(c.conv))
	}
	c.l.bye()
	c.closeLink()
}

// unqueue notes the customer is out of the queue.
// startSending starts the timer, or in closed loop sends the first message.
// send writes the customer's next message, if it may: the window is open,
// it has a conversation and a connection, and budget left.
// maybeEnd ends the conversation once the budget is spent: every message
// acknowledged and answered.
// write sends a frame; a failed write is a lost connection, which is
// resumed. It returns false then, as the frame went nowhere.
func (c *customer) write(ctx context.Context, frame []byte) bool {
	if c.l == nil || !c.welcomed {
		return false // between connections: resent after the welcome
	}
	if err := c.l.write(frame); err != nil {
		if errors.Is(err, context.Canceled) || closed(c.h.finish) {
			c.done = true
			return false
		}
		c.h.m.errs.add("customer:write")
		c.reconnect(ctx)
		return false
	}
	return true
}
