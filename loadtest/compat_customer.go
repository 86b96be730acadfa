package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// compatCustomer is one simulated customer of the tutorial's protocol: it
// asks /getroom for an agent, connects as yonghu, waits for the agent's
// greeting, then sends its lines (on a timer, or in closed loop each once
// the agent answered the last). The protocol has no resume, so a lost
// socket ends the customer.
//
// run is its only goroutine: it alone touches these fields and writes to
// the socket; the link's reader only decodes.
type compatCustomer struct {
	h    *harness
	idx  int
	name string
	http *http.Client

	l        *link[cFrame]
	roomAt   time.Time // when it asked /getroom: the assignment's start
	agent    string    // the agent serving it, from the greeting
	ownSt    *stream   // its own lines as echoed back
	agentSt  *stream   // the agent's lines
	n        int       // lines written
	answered int       // the agent's lines received
	done     bool

	begun     bool
	sendTimer *time.Timer
}

func newCompatCustomer(h *harness, idx int, client *http.Client) *compatCustomer {
	name := h.customerName(idx)
	return &compatCustomer{h: h, idx: idx, name: name, http: client,
		ownSt: newStream(name, name+":c", 'c'), agentSt: newStream(name, name+":a", 'c')}
}

func (c *compatCustomer) run(ctx context.Context, startAt time.Time) {
	c.h.arrive(ctx, startAt, c.enter, c.leave, c.loop)
}

// enter reserves an agent with /getroom, waiting while none is free, and
// connects.
func (c *compatCustomer) enter(ctx context.Context) bool {
	c.roomAt = time.Now()
	for {
		room, err := c.getRoom(ctx)
		if err != nil {
			c.h.m.errs.add("getroom")
		}
		if room {
			break
		}
		if !c.h.pause(ctx, roomRetryEvery) {
			return false
		}
	}
	start := time.Now()
	l, err := dial(ctx, compatSocketURL(c.h.cfg.compatURL(), "yonghu", c.name), decodeCompat)
	if err != nil {
		c.h.m.errs.add("dial")
		return false
	}
	c.h.m.connect.record(c.idx, time.Since(start))
	c.h.m.everConnected.Add(1)
	c.h.m.up()
	c.l = l
	return true
}

// getRoom asks the server to reserve an agent for this customer.
func (c *compatCustomer) getRoom(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.h.cfg.Server+"/getroom?userName="+url.QueryEscape(c.name), nil)
	if err != nil {
		return false, fmt.Errorf("getroom: %w", err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return false, fmt.Errorf("getroom: %w", err)
	}
	defer res.Body.Close()
	var room struct {
		Room bool `json:"room"`
	}
	if res.StatusCode != http.StatusOK {
		return false, fmt.Errorf("getroom: HTTP %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&room); err != nil {
		return false, fmt.Errorf("getroom: reading the answer: %w", err)
	}
	return room.Room, nil
}

func (c *compatCustomer) leave() {
	if c.sendTimer != nil {
		c.sendTimer.Stop()
	}
	if c.l != nil {
		c.l.bye()
		c.l = nil
		c.h.m.down()
	}
}

func (c *compatCustomer) loop(ctx context.Context) {
	begin := c.h.begin
	for !c.done {
		var tick <-chan time.Time
		if c.sendTimer != nil {
			tick = c.sendTimer.C
		}
		select {
		case in := <-c.l.frames:
			if in.lost != nil {
				if !closed(c.h.finish) {
					c.h.m.errs.add("customer:" + lostKind(in.lost))
					c.agentSt.cut, c.ownSt.cut = true, true
				}
				return
			}
			c.handle(in.f)
		case <-tick:
			c.sendTimer.Reset(c.h.cfg.MessageEvery)
			c.send()
		case <-begin:
			begin, c.begun = nil, true
			c.startSending()
		case <-c.h.finish:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (c *compatCustomer) handle(f *cFrame) {
	m := c.h.m
	switch f.ShuiFaDe {
	case compatSystem:
		if agent, ok := noticeName(f.NeiRong, servingPrefix, servingSuffix); ok && c.agent == "" {
			c.agent = agent
			m.assigned.Add(1)
			m.assign.record(c.idx, time.Since(c.roomAt))
			c.startSending()
			return
		}
		if _, ok := noticeName(f.NeiRong, servingPrefix, leftSuffix); ok {
			m.errs.add("customer:agent_left")
			c.agentSt.cut, c.ownSt.cut = true, true
			c.done = true
			return
		}
		if strings.HasPrefix(f.NeiRong, compatError) {
			m.errs.add("customer:error_line")
		}
	case compatCode:
		c.done = true // the order to close; the agent left
	case c.name:
		c.echo(f.NeiRong)
	case c.agent:
		c.answer(f.NeiRong)
	default:
		m.errs.add("customer:line_from_stranger")
	}
}

func (c *compatCustomer) echo(text string) {
	p, ok := parseText(c.h.run, text)
	if !ok || !c.ownSt.receive(uint64(uint32(p.id)), p.id) {
		return
	}
	c.h.m.ackedAt(c.idx, p.sentAt)
}

func (c *compatCustomer) answer(text string) {
	p, ok := parseText(c.h.run, text)
	if !ok {
		c.h.m.errs.add("customer:foreign_line")
		return
	}
	if !c.agentSt.receive(uint64(uint32(p.id)), p.id) {
		return
	}
	m := c.h.m
	m.deliveredAt(c.idx, p.sentAt)
	if !p.answered.IsZero() {
		m.roundTrips.Add(1)
		m.roundTrip.record(c.idx, time.Since(p.answered))
	}
	c.answered++
	budget := c.h.cfg.Messages
	switch {
	case budget > 0 && c.answered >= budget:
		m.finished.Add(1)
		c.done = true
	case c.h.cfg.MessageEvery == 0 && c.answered >= c.n:
		c.send()
	}
}

func (c *compatCustomer) startSending() {
	if c.agent == "" || !c.begun || c.h.windowClosed() {
		return
	}
	if every := c.h.cfg.MessageEvery; every > 0 {
		if c.sendTimer == nil {
			c.sendTimer = time.NewTimer(rand.N(every))
		}
		return
	}
	if c.n == 0 {
		c.send()
	}
}

func (c *compatCustomer) send() {
	budget := c.h.cfg.Messages
	if !c.begun || c.agent == "" || (budget > 0 && c.n >= budget) || !c.h.startMessage() {
		return
	}
	c.n++
	text := msgText(c.h.run, false, c.idx, c.n, time.Now(), time.Time{})
	c.ownSt.top = max(c.ownSt.top, uint64(c.n))
	if err := c.l.write(frameSay(text)); err != nil {
		c.h.m.errs.add("customer:write")
		c.done = true
	}
}
