package clustertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gorilla/websocket"
)

// conv is one of a client's open conversations.
type conv struct {
	last    uint64          // the last seq received: what resume says
	replied map[uint64]bool // agent: the customer's messages it has answered
	theirs  int             // customer: the agent's messages received
}

// pending is one of the client's own messages not yet acknowledged: it
// goes again, with the same cid, after a reconnection or a not_stored.
type pending struct {
	conv, cid, text string
	due             bool // to be written at the next tick
}

// client is one simulated native client, agent or customer, as the widget
// and the console behave: every socket goes to a random live server, a
// dropped one reconnects to another with its token and resume, and every
// message not acknowledged is sent again by client id. It logs everything
// in rec for the checks.
//
// run is its only goroutine: it alone touches these fields and writes to
// the socket; each socket's reader only decodes frames into frames.
type client struct {
	d     *driver
	rec   *Record
	label string
	name  string
	rng   *rand.Rand

	token    string
	ws       *websocket.Conn
	frames   chan inbound
	quit     chan struct{}
	dialedAt time.Time
	server   string // the node of the current socket
	welcomed bool

	convs   map[string]*conv
	out     []pending
	n       int                  // own messages numbered
	dropped map[string]time.Time // conversations waiting to come back, since

	// A customer's own conversation cycle.
	state  string // idle, asked (request sent), waiting (queued), chatting
	cur    string // its conversation, while it has one
	sent   int    // its messages in cur
	ending bool   // end sent for cur

	drops, lostRequests, resends int
}

// Customer states.
const (
	stIdle     = "idle"
	stAsked    = "asked"
	stWaiting  = "waiting"
	stChatting = "chatting"
)

func newClient(d *driver, label, role, name string, seed uint64) *client {
	return &client{
		d: d, label: label, name: name, rng: rand.New(rand.NewPCG(seed, 0)),
		rec:   &Record{Client: label, Role: role},
		convs: map[string]*conv{}, dropped: map[string]time.Time{}, state: stIdle,
	}
}

func (c *client) agent() bool { return c.rec.Role == "agent" }

// openConvs names the client's open conversations with the last seq each
// received, for a stalled client's report (to find them in the logs).
func (c *client) openConvs() []string {
	out := make([]string, 0, len(c.convs))
	for id, cv := range c.convs {
		out = append(out, fmt.Sprintf("%s@%d", id, cv.last))
	}
	return out
}

func (c *client) errorf(format string, args ...any) error {
	return fmt.Errorf("%s (%s): "+format, append([]any{c.label, c.name}, args...)...)
}

// run drives the client until it is done or ctx ends. Each client ticks
// once a second, at its own phase.
func (c *client) run(ctx context.Context) error {
	defer c.close()
	phase := time.Duration(c.rng.Int64N(int64(c.d.pace)))
	select {
	case <-time.After(phase):
	case <-ctx.Done():
		return c.errorf("never started: %w", ctx.Err())
	}
	tick := time.NewTicker(c.d.pace)
	defer tick.Stop()
	c.reconnect(ctx)
	for !c.done() {
		select {
		case <-ctx.Done():
			return c.errorf("%w: state %s, %d conversations open %v, %d unacknowledged, %d waiting to resume, on %s", ctx.Err(), c.state, len(c.convs), c.openConvs(), len(c.out), len(c.dropped), c.server)
		case in := <-c.frames:
			if in.lost != nil {
				c.lost(ctx)
				continue
			}
			c.handle(in.f)
		case <-tick.C:
			c.operate(ctx)
		}
	}
	return nil
}

// done: a customer once the load is over and it is idle with nothing
// unacknowledged; an agent once every customer is done and its
// conversations have ended.
func (c *client) done() bool {
	if len(c.out) > 0 || !c.welcomed {
		return false
	}
	if c.agent() {
		return closed(c.d.customersDone) && len(c.convs) == 0
	}
	return closed(c.d.stop) && c.state == stIdle && len(c.convs) == 0
}

// reconnect opens a socket to a random live server and says hello; the
// welcome is handled by the loop. It tries until one accepts or ctx ends.
func (c *client) reconnect(ctx context.Context) {
	for ctx.Err() == nil {
		if err := c.dial(ctx); err == nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(retryEvery):
		}
	}
}

func (c *client) dial(ctx context.Context) error {
	servers := c.d.servers()
	if len(servers) == 0 {
		return errors.New("no server up")
	}
	addr := servers[c.rng.IntN(len(servers))]
	if c.agent() && c.token == "" {
		token, err := login(ctx, addr, c.name, agentPassword)
		if err != nil {
			return err
		}
		c.token = token
	}
	dctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	ws, _, err := (&websocket.Dialer{HandshakeTimeout: dialWait}).DialContext(dctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		return err
	}
	c.ws, c.welcomed, c.dialedAt, c.server = ws, false, time.Now(), addr
	c.frames, c.quit = make(chan inbound, frameQueue), make(chan struct{})
	go read(ws, c.frames, c.quit)
	if err := c.write(c.hello()); err != nil {
		c.close()
		return err
	}
	return nil
}

// hello is the client's first frame on a connection: its token once it has
// one, and the last seq of each open conversation.
func (c *client) hello() map[string]any {
	h := map[string]any{"type": "hello", "v": 1, "role": c.rec.Role}
	if c.token != "" {
		h["token"] = c.token
	} else {
		h["name"] = c.name
	}
	if len(c.convs) > 0 {
		resume := map[string]uint64{}
		for id, cv := range c.convs {
			resume[id] = cv.last
		}
		h["resume"] = resume
	}
	return h
}

// write sends one frame; a failed write is the socket's end, which the
// reader reports.
func (c *client) write(v any) error {
	if c.ws == nil {
		return errors.New("no socket")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// close drops the current socket without a close frame.
func (c *client) close() {
	if c.ws == nil {
		return
	}
	close(c.quit)
	c.ws.Close()
	c.ws, c.frames, c.quit = nil, nil, nil
}

// lost handles the end of the current socket: each open conversation
// starts waiting to come back, and the client reconnects elsewhere.
func (c *client) lost(ctx context.Context) {
	now := time.Now()
	if c.welcomed {
		c.rec.Conns[len(c.rec.Conns)-1].Lost = now
	} else if c.ws != nil {
		c.rec.Unwelcomed = append(c.rec.Unwelcomed, Conn{Dialed: c.dialedAt, Lost: now, Server: c.server})
	}
	for id := range c.convs {
		if _, already := c.dropped[id]; !already {
			c.dropped[id] = now
		}
	}
	c.drops++
	c.close()
	c.welcomed = false
	c.reconnect(ctx)
}

// operate is one tick: a customer asks, sends or ends; anyone resends what
// was refused for now; a socket that never got its welcome is given up.
func (c *client) operate(ctx context.Context) {
	if c.ws == nil {
		c.reconnect(ctx)
		return
	}
	if !c.welcomed {
		if time.Since(c.dialedAt) > welcomeWait {
			c.lost(ctx)
		}
		return
	}
	for i := range c.out {
		if c.out[i].due {
			c.out[i].due = false
			c.resends++
			c.send(c.out[i])
		}
	}
	if !c.agent() {
		c.customerTick()
	}
}

// customerTick: idle, ask for an agent (until the load is over); chatting,
// send the next message, and once all are acknowledged and answered, end.
func (c *client) customerTick() {
	switch c.state {
	case stIdle:
		if !closed(c.d.stop) && c.write(map[string]any{"type": "request"}) == nil {
			c.state = stAsked
		}
	case stChatting:
		cv := c.convs[c.cur]
		switch {
		case cv == nil:
		case c.sent < c.d.perConv:
			c.sent++
			c.say(c.cur)
		case !c.ending && len(c.out) == 0 && cv.theirs >= c.d.perConv:
			if c.write(map[string]any{"type": "end", "conv": c.cur}) == nil {
				c.ending = true
			}
		}
	}
}

// say sends a new message of the client's own in conv.
func (c *client) say(conv string) {
	c.n++
	text := fmt.Sprintf("%s-%d", c.label, c.n)
	p := pending{conv: conv, cid: "k-" + text, text: text}
	c.rec.Sent = append(c.rec.Sent, Sent{Conv: conv, CID: p.cid, Text: p.text})
	c.out = append(c.out, p)
	c.send(p)
}

func (c *client) send(p pending) {
	_ = c.write(map[string]any{"type": "msg", "conv": p.conv, "text": p.text, "cid": p.cid})
}

// handle takes one frame.
func (c *client) handle(f frame) {
	switch f.Type {
	case "welcome":
		c.welcome(f)
	case "conv":
		c.onConv(f)
	case "msg":
		c.onMsg(f)
	case "ack":
		c.onAck(f)
	case "ended":
		c.onEnded(f)
	case "error":
		c.onError(f)
	case "queued":
		if c.state == stAsked || c.state == stIdle {
			c.state = stWaiting
		}
	case "ping":
		_ = c.write(map[string]any{"type": "pong"})
	}
}

// welcome takes the server's answer to hello, and sends again every
// message not yet acknowledged.
func (c *client) welcome(f frame) {
	c.welcomed = true
	c.rec.Conns = append(c.rec.Conns, Conn{Dialed: c.dialedAt, Welcomed: time.Now(), Server: c.server})
	if f.You != nil {
		c.rec.Party = f.You.ID
	}
	if !c.agent() {
		c.token = f.Token
		c.ending = false // an end lost with the socket goes again
		switch {
		case f.State == stIdle && (c.state == stAsked || c.state == stWaiting):
			// A request in the last instant before a crash may be lost
			// (docs/protocol.md, Grace and resume): ask again.
			c.lostRequests++
			c.state = stIdle
		case f.State == "queued" && c.state != stChatting:
			c.state = stWaiting
		}
	}
	for _, p := range c.out {
		c.resends++
		c.send(p)
	}
}

// onConv takes a conversation's opening, or its re-sending after a
// reconnection (sync), or the replay of one that ended meanwhile.
func (c *client) onConv(f frame) {
	if at, ok := c.dropped[f.Conv]; ok {
		c.rec.Resumes = append(c.rec.Resumes, Resume{Conv: f.Conv, Dropped: at, Resumed: time.Now()})
		delete(c.dropped, f.Conv)
	}
	if c.convs[f.Conv] == nil && f.Why != "ended" {
		c.convs[f.Conv] = &conv{replied: map[uint64]bool{}}
		if !c.agent() {
			c.state, c.cur, c.sent, c.ending = stChatting, f.Conv, 0, false
		}
	}
	for _, m := range f.History {
		m.Conv = f.Conv
		c.onMsg(m)
	}
}

// onMsg logs a message; an agent answers each customer message once.
func (c *client) onMsg(f frame) {
	from := ""
	if f.From != nil {
		from = f.From.ID
	}
	c.rec.Received = append(c.rec.Received, Received{Conv: f.Conv, Seq: f.Seq, From: from, Text: f.Text})
	cv := c.convs[f.Conv]
	if cv == nil {
		return
	}
	cv.last = max(cv.last, f.Seq)
	if f.From == nil || f.From.ID == c.rec.Party {
		return
	}
	if !c.agent() {
		cv.theirs++
		return
	}
	if !cv.replied[f.Seq] {
		cv.replied[f.Seq] = true
		c.say(f.Conv)
	}
}

func (c *client) onAck(f frame) {
	c.rec.Acks = append(c.rec.Acks, Ack{Conv: f.Conv, CID: f.CID, Seq: f.Seq})
	c.d.acked.Add(1)
	c.out = slices.DeleteFunc(c.out, func(p pending) bool { return p.cid == f.CID })
}

func (c *client) onEnded(f frame) {
	c.rec.Ends = append(c.rec.Ends, End{Conv: f.Conv, Reason: f.Reason})
	delete(c.convs, f.Conv)
	delete(c.dropped, f.Conv)
	// Its messages not yet acknowledged never will be.
	c.out = slices.DeleteFunc(c.out, func(p pending) bool { return p.conv == f.Conv })
	if !c.agent() && f.Conv == c.cur {
		c.state, c.cur = stIdle, ""
	}
}

// onError: a message the server could not take now goes again at the next
// tick; one to a conversation that is over is given up.
func (c *client) onError(f frame) {
	i := slices.IndexFunc(c.out, func(p pending) bool { return p.cid == f.CID })
	switch {
	case f.CID == "" || i < 0:
		if f.Code == "wrong_state" && c.state == stAsked {
			c.state = stWaiting // already waiting or chatting: the server says where
		}
	case f.Code == "conversation_ended" || f.Code == "unknown_conversation":
		c.out = slices.Delete(c.out, i, i+1)
	default: // not_stored, rate_limited, wrong_state before a welcome
		c.out[i].due = true
	}
}
