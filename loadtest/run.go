package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Bounds on the phases around the measured window.
const (
	// rampWait bounds the wait for every agent, then every customer, to be
	// connected (and placed: assigned or queued) before the window opens.
	rampWait = 2 * time.Minute
	// drainWait bounds the wait, after the window, for the messages in
	// flight to be acknowledged and delivered before the delivery check.
	drainWait = 15 * time.Second
	pollEvery = 50 * time.Millisecond
)

// clients is every simulated client of a run, fixed once started.
type clients struct {
	customers       []*customer
	agents          []*agent
	compatCustomers []*compatCustomer
	compatAgents    []*compatAgent
}

// Run drives the server as cfg says and returns what it measured. The
// Result is nil only when the run could not start (file limit,
// provisioning); the error is then why. With a Result, the error says the
// delivery check failed or nothing connected.
func Run(ctx context.Context, cfg *Config, prog progress) (*Result, error) {
	need := cfg.socketsNeeded()
	limit, err := raiseFDLimit(need)
	if err != nil {
		return nil, err
	}
	h := newHarness(cfg)
	res := &Result{
		Scenario: cfg.Scenario, Protocol: cfg.Protocol, Server: cfg.Server,
		Started: time.Now().UTC(), Machine: machine(limit), Settings: cfg.settings(),
		Notes: []string{fmt.Sprintf("open-file limit %d (soft raised to hard); this run needs about %d", limit, need)},
	}
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	var tokens []string
	if cfg.Protocol == ProtocolNative {
		if tokens, err = provision(ctx, h, client); err != nil {
			return nil, fmt.Errorf("provisioning agents: %w", err)
		}
	}

	// The clients outlive an interrupt: ^C closes the window early, and
	// the run still drains, checks and reports.
	runCtx := context.WithoutCancel(ctx)
	h.started = time.Now()
	quit, sampled := make(chan struct{}), make(chan *sampler, 1)
	go (&sampler{h: h, prog: prog, phase: h.phase}).run(quit, sampled)

	cl := &clients{}
	agentsUp := startAgents(runCtx, h, cl, tokens)
	ready := h.awaitAgents(ctx, agentsUp)
	if ready < cfg.Agents {
		h.m.errs.add("agent_not_ready")
		res.Notes = append(res.Notes, fmt.Sprintf("only %d of %d agents were ready", ready, cfg.Agents))
	}
	var windowAt, windowEnd time.Time
	var opened, closed costMark
	var profiles *windowProfiles
	openWindow := func() {
		windowAt, opened = h.open(), h.mark()
		profiles = startProfiles(cfg.ServerPprof, cfg.ProfileDir, cfg.Duration)
	}
	if ready > 0 {
		if cfg.Arrival > 0 {
			openWindow()
		}
		startCustomers(runCtx, h, cl, client)
		if cfg.Arrival == 0 {
			if !h.awaitPlaced(ctx) {
				res.Notes = append(res.Notes, "not every customer was connected and placed before the window opened")
			}
			openWindow()
		}
		var churnDone chan struct{}
		if cfg.Churn > 0 {
			churnDone = make(chan struct{})
			go func() { defer close(churnDone); churn(h, cl) }()
		}
		if h.awaitWindow(ctx, windowAt) {
			res.Notes = append(res.Notes, "interrupted: the window was cut short")
		}
		windowEnd, closed = h.close(phaseDraining), h.mark()
		res.Notes = append(res.Notes, profiles.finish()...)
		if churnDone != nil {
			<-churnDone
		}
		if !h.awaitDrain(drainWait) {
			res.Notes = append(res.Notes, fmt.Sprintf("%v after the window, %d messages were still unacknowledged and %d known but not received",
				drainWait, h.m.outstanding.Load(), h.m.unseen.Load()))
		}
	}
	if !windowAt.IsZero() {
		res.Duration = Duration(windowEnd.Sub(windowAt))
	}
	close(h.finish)
	h.wg.Wait()
	close(quit)
	s := <-sampled
	fill(res, h, cl, s, windowAt, windowEnd)
	if !windowAt.IsZero() {
		res.Cost = costOf(res, opened, closed, windowAt.Sub(h.started).Seconds(), windowEnd.Sub(h.started).Seconds())
	}
	res.Targets = targets(res, cfg)
	switch {
	case h.m.everConnected.Load() == 0:
		return res, errors.New("no client connected")
	case !res.Verify.OK():
		return res, fmt.Errorf("delivery check failed: %d lost, %d duplicated, %d out of order", res.Verify.Lost, res.Verify.Duplicated, res.Verify.OutOfOrder)
	}
	return res, nil
}

// startAgents starts every agent's goroutine; each reports on the channel
// once, whether it is ready.
func startAgents(ctx context.Context, h *harness, cl *clients, tokens []string) <-chan bool {
	up := make(chan bool, h.cfg.Agents)
	for i := range h.cfg.Agents {
		h.wg.Add(1)
		if h.cfg.Protocol == ProtocolCompat {
			a := newCompatAgent(h, i, up)
			cl.compatAgents = append(cl.compatAgents, a)
			go a.run(ctx)
			continue
		}
		a := newAgent(h, i, tokens[i], up)
		cl.agents = append(cl.agents, a)
		go a.run(ctx)
	}
	return up
}

// startCustomers starts every customer's goroutine, each with its arrival
// time: all now, or spread evenly over -arrival.
func startCustomers(ctx context.Context, h *harness, cl *clients, client *http.Client) {
	n := h.cfg.Customers
	now := time.Now()
	for i := range n {
		at := now.Add(time.Duration(int64(h.cfg.Arrival) * int64(i) / int64(n)))
		h.wg.Add(1)
		if h.cfg.Protocol == ProtocolCompat {
			c := newCompatCustomer(h, i, client)
			cl.compatCustomers = append(cl.compatCustomers, c)
			go c.run(ctx, at)
			continue
		}
		c := newCustomer(h, i)
		cl.customers = append(cl.customers, c)
		go c.run(ctx, at)
	}
}

// phase returns the run's phase for the progress line.
func (h *harness) phase() (string, time.Time) {
	h.phaseMu.Lock()
	defer h.phaseMu.Unlock()
	return h.phaseName, h.windowAt
}

// open opens the measured window: customers start talking.
func (h *harness) open() time.Time {
	h.phaseMu.Lock()
	defer h.phaseMu.Unlock()
	h.phaseName, h.windowAt = phaseRunning, time.Now()
	close(h.begin)
	return h.windowAt
}

// close ends the window: nobody starts a new message.
func (h *harness) close(next string) time.Time {
	h.phaseMu.Lock()
	defer h.phaseMu.Unlock()
	h.phaseName = next
	close(h.stop)
	return time.Now()
}

// awaitAgents waits until every agent said whether it is ready, and
// returns how many are.
func (h *harness) awaitAgents(ctx context.Context, up <-chan bool) int {
	deadline := time.After(rampWait)
	ready := 0
	for range h.cfg.Agents {
		select {
		case ok := <-up:
			if ok {
				ready++
			}
		case <-deadline:
			return ready
		case <-ctx.Done():
			return ready
		}
	}
	return ready
}

// awaitPlaced waits until every customer is assigned or queued (or gave
// up); it returns false when rampWait or an interrupt came first.
func (h *harness) awaitPlaced(ctx context.Context) bool {
	deadline := time.Now().Add(rampWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		m := h.m
		if m.assigned.Load()+m.waiting.Load()+m.gaveUp.Load() >= int64(h.cfg.Customers) {
			return true
		}
		time.Sleep(pollEvery)
	}
	return false
}

// awaitWindow waits out the window, or less when every customer has spent
// its budget; it returns true when interrupted.
func (h *harness) awaitWindow(ctx context.Context, at time.Time) bool {
	end := time.NewTimer(time.Until(at.Add(h.cfg.Duration)))
	defer end.Stop()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	for {
		select {
		case <-end.C:
			return false
		case <-ctx.Done():
			return true
		case <-poll.C:
			m := h.m
			if h.cfg.Messages > 0 && m.departed.Load() >= int64(h.cfg.Customers) {
				return false
			}
		}
	}
}

// awaitDrain waits until every message written is acknowledged and
// delivered, and every native party holds every position it knows of (its
// own messages' echoes too), or wait; it returns false then.
func (h *harness) awaitDrain(wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		m := h.m
		if m.outstanding.Load() <= 0 && m.delivered.Load() >= m.acked.Load() && m.unseen.Load() <= 0 {
			return true
		}
		time.Sleep(pollEvery)
	}
	return false
}
