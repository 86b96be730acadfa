package server

// Clients for the durability tests (the churn test here, the crash test at
// the repository root). This file uses only the standard library and
// gorilla/websocket, so the root test can carry a copy of it: test files of
// one package cannot be imported by another.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Bounds on one connection attempt and on a silent server.
const (
	durConnectWait = 10 * time.Second      // dial, hello, welcome and the sync's conv frame
	durRetryEvery  = 25 * time.Millisecond // between attempts while the server is away
	durReadIdle    = 30 * time.Second      // the server pings every few seconds; this is a dead one
	durWriteWait   = 5 * time.Second       // one frame written
	durFrameQueue  = 64                    // frames read ahead of the chatter's loop
)

// The frames are read into nframe and nparty (native_harness_test.go).

// durMsg is one chat message as a client received it, or as stored.
type durMsg struct {
	Seq  uint64
	From string // the sender's party id
	Text string
	CID  string
}

// durAck is the acknowledgement of one of a client's own messages.
type durAck struct {
	Seq uint64
	Gen int // the server lifetime that sent it
}

// durIn is one frame from a connection's reader, or the connection's end.
type durIn struct {
	f    nframe
	raw  []byte
	lost error // the connection ended
	bad  error // the frame is not JSON
}

// lostError is a connection that failed or ended: the crash test reconnects
// after one; for the churn test, which drops its own sockets, it is a failure.
type lostError struct {
	who string
	err error
}

func (e *lostError) Error() string { return e.who + ": connection lost: " + e.err.Error() }
func (e *lostError) Unwrap() error { return e.err }

// durServer says where the server listens. The crash test moves it when the
// binary restarts; gen counts the server's lifetimes.
type durServer struct {
	mu   sync.Mutex
	addr string
	gen  int
}

func (s *durServer) set(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addr, s.gen = addr, s.gen+1
}

func (s *durServer) get() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr, s.gen
}

// durPlan is what a chatter does once its conversation is open.
type durPlan struct {
	Count     int           // own messages to send
	Total     int           // messages in the conversation, both sides
	Pace      time.Duration // one operation (a send, then maybe a drop) per tick
	DropOneIn int           // drop the socket after one operation in this many; 0 never
	// AbandonOneIn: after one drop in this many, a reconnection is cut off
	// right after its hello and resends, before the welcome; 0 never.
	AbandonOneIn int
}

// chatter is one party of a conversation: it sends numbered messages, each
// with its own client id, drops its socket when told to, reconnects with its
// token and the last sequence number it has, sends again every message not
// yet acknowledged, and checks the stream it receives as it goes.
//
// One goroutine drives a chatter and alone touches its state and writes to
// its socket; each connection has a reader goroutine that only decodes frames
// into the frames channel.
type chatter struct {
	label    string // "c3", "a3": its texts are label-0, label-1, …
	role     string // "agent" or "customer"
	name     string
	password string // agents: logged in again on each server lifetime
	srv      *durServer
	rng      *rand.Rand
	lossOK   bool          // reconnect when the server goes away, instead of failing
	acked    *atomic.Int64 // counts first acks across chatters; may be nil

	// token is an agent's login, kept across the server's restarts as the
	// console keeps it: the signing key is stored, so it stays valid.
	token string
	me    nparty
	peer  nparty
	conv  string

	gen    int // the server lifetime of the current connection
	ws     *websocket.Conn
	frames chan durIn
	quit   chan struct{} // closed to release the current reader
	synced bool          // the current connection has had its conv frame

	stream  []durMsg          // all received, stream[i].Seq == i+1
	own     map[string]int    // own client id → message index
	seen    map[string]uint64 // own client id → seq it arrived at
	acks    map[string]durAck // own client id → its ack
	sent    int               // own messages sent a first time
	unacked []int             // own messages sent and not yet acked, oldest first

	drops      int         // sockets this chatter closed itself
	abandoned  int         // reconnections it cut off half way
	losses     int         // connections the server or the network ended
	resent     map[int]int // resends by server lifetime
	resentSeen int         // resends of messages already back in a history
}

func newChatter(label, role, name, password string, srv *durServer, rng *rand.Rand) *chatter {
	return &chatter{
		label: label, role: role, name: name, password: password, srv: srv, rng: rng,
		own: map[string]int{}, seen: map[string]uint64{}, acks: map[string]durAck{}, resent: map[int]int{},
	}
}

func (c *chatter) text(i int) string { return fmt.Sprintf("%s-%d", c.label, i) }
func (c *chatter) cid(i int) string  { return "k-" + c.text(i) }
func (c *chatter) last() uint64      { return uint64(len(c.stream)) }

func (c *chatter) lostf(format string, args ...any) error {
	return &lostError{who: fmt.Sprintf("%s (%s)", c.label, c.name), err: fmt.Errorf(format, args...)}
}

func (c *chatter) errorf(format string, args ...any) error {
	return fmt.Errorf("%s (%s): "+format, append([]any{c.label, c.name}, args...)...)
}

// connect opens a connection and brings it up to date: hello, welcome, and
// for a conversation already open, its conv frame with what the chatter
// lacks; then every unacknowledged message goes again with its client id.
// When the server is away it tries again until ctx ends, if lossOK.
func (c *chatter) connect(ctx context.Context) error {
	tick := time.NewTicker(durRetryEvery)
	defer tick.Stop()
	for {
		err := c.attempt(ctx)
		var lost *lostError
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &lost) || !c.lossOK:
			return err
		}
		c.close()
		select {
		case <-ctx.Done():
			return c.errorf("reconnecting: %w (last attempt: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

func (c *chatter) attempt(ctx context.Context) error {
	addr, gen := c.srv.get()
	if c.role == "agent" && c.token == "" {
		token, err := durLogin(ctx, addr, c.name, c.password)
		if err != nil {
			return c.lostf("log in: %w", err)
		}
		c.token = token
	}
	dctx, cancel := context.WithTimeout(ctx, durConnectWait)
	defer cancel()
	d := websocket.Dialer{HandshakeTimeout: durConnectWait}
	ws, _, err := d.DialContext(dctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		return c.lostf("dial: %w", err)
	}
	c.ws, c.gen, c.synced = ws, gen, false
	c.frames, c.quit = make(chan durIn, durFrameQueue), make(chan struct{})
	go durRead(ws, c.frames, c.quit)

	if err := c.write(c.hello()); err != nil {
		return err
	}
	welcomed := false
	if err := c.await(dctx, "welcome", func() bool { return welcomed }, func(in durIn) (bool, error) {
		switch {
		case in.lost != nil || in.bad != nil || in.f.Type == "ping":
			return false, nil // handle says what it is
		case in.f.Type != "welcome":
			return true, c.errorf("frame %s before welcome", in.raw)
		}
		welcomed = true
		return true, c.welcome(in)
	}); err != nil {
		return err
	}
	if c.conv == "" {
		return nil
	}
	if err := c.await(dctx, "the conversation's sync", func() bool { return c.synced }, nil); err != nil {
		return err
	}
	for _, i := range c.unacked {
		if err := c.write(c.msg(i)); err != nil {
			return err
		}
		c.resent[c.gen]++
		if _, ok := c.seen[c.cid(i)]; ok {
			c.resentSeen++
		}
	}
	return nil
}

// hello is the chatter's first frame on a connection.
func (c *chatter) hello() map[string]any {
	hello := map[string]any{"type": "hello", "v": 1, "role": c.role}
	if c.token != "" {
		hello["token"] = c.token
	} else {
		hello["name"] = c.name
	}
	if c.conv != "" {
		hello["resume"] = map[string]uint64{c.conv: c.last()}
	}
	return hello
}

// msg is own message i.
func (c *chatter) msg(i int) map[string]any {
	return map[string]any{"type": "msg", "conv": c.conv, "text": c.text(i), "cid": c.cid(i)}
}

// abandon opens a connection, says hello, sends again every message not yet
// acknowledged without waiting for the welcome, and drops the connection
// at once: a reconnection cut off half way.
func (c *chatter) abandon(ctx context.Context) error {
	addr, _ := c.srv.get()
	d := websocket.Dialer{HandshakeTimeout: durConnectWait}
	ws, _, err := d.DialContext(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		return c.lostf("dial: %w", err)
	}
	defer ws.Close()
	frames := []map[string]any{c.hello()}
	for _, i := range c.unacked {
		frames = append(frames, c.msg(i))
	}
	for _, f := range frames {
		b, _ := json.Marshal(f)
		_ = ws.SetWriteDeadline(time.Now().Add(durWriteWait))
		if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
			return c.lostf("write: %w", err)
		}
	}
	c.abandoned++
	return nil
}

func (c *chatter) welcome(in durIn) error {
	w := in.f
	switch {
	case w.You == nil || w.You.Role != c.role:
		return c.errorf("welcome %s, want role %s", in.raw, c.role)
	case c.me.ID != "" && *w.You != c.me:
		return c.errorf("welcome %s, want the same party as before: %+v", in.raw, c.me)
	case c.role == "customer" && w.Token == "":
		return c.errorf("welcome %s without a resume token", in.raw)
	case c.role == "customer" && c.conv != "" && w.State != "chatting":
		return c.errorf("welcome %s, want state chatting: the conversation must still be open", in.raw)
	}
	c.me = *w.You
	if c.role == "customer" {
		c.token = w.Token // the newest, as the protocol asks
	}
	return nil
}

// durRead is a connection's only reader. It hands each frame to out until the
// connection ends or quit closes.
func durRead(ws *websocket.Conn, out chan<- durIn, quit <-chan struct{}) {
	for {
		_ = ws.SetReadDeadline(time.Now().Add(durReadIdle))
		_, data, err := ws.ReadMessage()
		in := durIn{raw: data}
		if err != nil {
			in.lost = err
		} else if err := json.Unmarshal(data, &in.f); err != nil {
			in.bad = err
		}
		select {
		case out <- in:
		case <-quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// write sends v as one text frame on the current connection.
func (c *chatter) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return c.errorf("encode: %v", err)
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(durWriteWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		if errors.Is(err, websocket.ErrCloseSent) {
			// The reader has answered the server's close; the reason is
			// on its way.
			return c.closeReason()
		}
		return c.lostf("write: %w", err)
	}
	return nil
}

// closeReason waits briefly for the end of the current connection, as its
// reader saw it; frames before it are let go with the connection.
func (c *chatter) closeReason() error {
	timeout := time.NewTimer(durWriteWait)
	defer timeout.Stop()
	for {
		select {
		case in := <-c.frames:
			if in.lost != nil {
				c.losses++
				return c.lostf("%w", in.lost)
			}
		case <-timeout.C:
			return c.lostf("write after the server's close, whose reason never came")
		}
	}
}

// close ends the current connection abruptly: no close frame, as when a
// phone loses its network or a tab is killed.
func (c *chatter) close() {
	if c.ws == nil {
		return
	}
	close(c.quit)
	c.ws.Close()
	c.ws, c.frames, c.quit = nil, nil, nil
}

// await handles frames until done holds. take, if not nil, sees each frame
// first; it returns true for one it has handled itself.
func (c *chatter) await(ctx context.Context, what string, done func() bool, take func(durIn) (bool, error)) error {
	for !done() {
		select {
		case <-ctx.Done():
			return c.lostf("waiting for %s: %w", what, ctx.Err())
		case in := <-c.frames:
			if take != nil {
				handled, err := take(in)
				if err != nil {
					return err
				}
				if handled {
					continue
				}
			}
			if err := c.handle(in); err != nil {
				return err
			}
		}
	}
	return nil
}

// handle checks one frame and records what it says.
func (c *chatter) handle(in durIn) error {
	switch {
	case in.lost != nil:
		c.losses++
		return c.lostf("%w", in.lost)
	case in.bad != nil:
		return c.errorf("frame %q is not JSON: %v", in.raw, in.bad)
	}
	f := in.f
	switch f.Type {
	case "ping":
		return c.write(map[string]any{"type": "pong"})
	case "pong", "queued", "read", "typing", "state":
		return nil
	case "conv":
		return c.onConv(f, in.raw)
	case "msg":
		if !c.synced {
			// On each connection, messages come after the conversation's
			// conv frame, which carries what came before them.
			return c.errorf("msg %s before the conversation's conv frame on this connection", in.raw)
		}
		return c.onMsg(f, in.raw)
	case "ack":
		return c.onAck(f, in.raw)
	}
	return c.errorf("unexpected frame %s", in.raw)
}

// onConv takes a conversation's opening or its re-sending after a
// reconnection: the history must carry on exactly where the chatter is.
func (c *chatter) onConv(f nframe, raw []byte) error {
	switch {
	case c.conv == "":
		if f.Why != "assigned" || f.After != 0 || len(f.History) != 0 || f.Customer == nil || f.Agent == nil {
			return c.errorf("first conv frame %s, want a new assignment with no history", raw)
		}
		c.conv = f.Conv
		c.peer = *f.Agent
		if c.role == "agent" {
			c.peer = *f.Customer
		}
	case f.Conv != c.conv:
		return c.errorf("conv frame %s for another conversation than %s", raw, c.conv)
	case f.Why != "sync":
		return c.errorf("conv frame %s, want why sync", raw)
	case f.After != c.last():
		return c.errorf("conv frame after=%d, want %d (the last seq this client has and sent in resume): %s", f.After, c.last(), raw)
	}
	for _, m := range f.History {
		if m.Type != "msg" {
			return c.errorf("history entry of type %q in %s", m.Type, raw)
		}
		if err := c.onMsg(m, raw); err != nil {
			return err
		}
	}
	c.synced = true
	return nil
}

// onMsg takes one message: it must be the next in sequence, and one of the
// chatter's own must be one it sent and has not seen before.
func (c *chatter) onMsg(f nframe, raw []byte) error {
	switch {
	case f.Conv != c.conv:
		return c.errorf("msg for conversation %q, want %q: %s", f.Conv, c.conv, raw)
	case f.Seq != c.last()+1:
		kind := "a gap"
		if f.Seq <= c.last() {
			kind = "a duplicate or reordering"
		}
		return c.errorf("msg seq %d after seq %d: %s: %s", f.Seq, c.last(), kind, raw)
	case f.From == nil:
		return c.errorf("msg without from: %s", raw)
	}
	c.stream = append(c.stream, durMsg{Seq: f.Seq, From: f.From.ID, Text: f.Text, CID: f.CID})
	switch f.From.ID {
	case c.peer.ID:
		return nil
	case c.me.ID:
	default:
		return c.errorf("msg from %+v, neither this client nor %+v: %s", *f.From, c.peer, raw)
	}
	i, mine := c.own[f.CID]
	switch {
	case !mine:
		return c.errorf("msg from this client with a client id it never sent: %s", raw)
	case f.Text != c.text(i):
		return c.errorf("msg %s, want text %q for that client id", raw, c.text(i))
	}
	if seq, twice := c.seen[f.CID]; twice {
		return c.errorf("own message %q stored twice: seq %d and %d", f.CID, seq, f.Seq)
	}
	c.seen[f.CID] = f.Seq
	if a, ok := c.acks[f.CID]; ok && a.Seq != f.Seq {
		return c.errorf("msg %s, but its ack said seq %d", raw, a.Seq)
	}
	return nil
}

// onAck takes an acknowledgement: of a message the chatter sent, at the seq
// the message arrived at, and the same every time it is given.
func (c *chatter) onAck(f nframe, raw []byte) error {
	i, mine := c.own[f.CID]
	switch {
	case f.Conv != c.conv || !mine:
		return c.errorf("ack %s for nothing this client sent", raw)
	case f.Seq == 0:
		return c.errorf("ack %s without a seq", raw)
	}
	if a, ok := c.acks[f.CID]; ok {
		if a.Seq != f.Seq {
			return c.errorf("ack %s, but the first ack of %q said seq %d", raw, f.CID, a.Seq)
		}
		return nil
	}
	if seq, ok := c.seen[f.CID]; ok && seq != f.Seq {
		return c.errorf("ack %s, but the message arrived at seq %d", raw, seq)
	}
	if f.Seq <= c.last() && c.stream[f.Seq-1].CID != f.CID {
		// The server numbered it again over what this client already has:
		// it has lost messages, or numbers two at one place.
		return c.errorf("ack %s, but seq %d is %+v", raw, f.Seq, c.stream[f.Seq-1])
	}
	c.acks[f.CID] = durAck{Seq: f.Seq, Gen: c.gen}
	c.unacked = slices.DeleteFunc(c.unacked, func(j int) bool { return j == i })
	if c.acked != nil {
		c.acked.Add(1)
	}
	return nil
}

// request asks for an agent and waits for the conversation.
func (c *chatter) request(ctx context.Context) error {
	if err := c.write(map[string]any{"type": "request"}); err != nil {
		return err
	}
	return c.awaitConv(ctx)
}

// awaitConv waits for the conversation to open.
func (c *chatter) awaitConv(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, durConnectWait)
	defer cancel()
	return c.await(ctx, "a conversation", func() bool { return c.conv != "" }, nil)
}

func (c *chatter) finished(p durPlan) bool {
	return c.sent == p.Count && len(c.unacked) == 0 && len(c.stream) >= p.Total
}

// run carries out the plan: one operation per tick, a first send while any
// is left and, at random, a dropped socket, until every own message is
// acknowledged and the whole conversation has arrived.
func (c *chatter) run(ctx context.Context, p durPlan) error {
	tick := time.NewTicker(p.Pace)
	defer tick.Stop()
	for !c.finished(p) {
		var err error
		select {
		case <-ctx.Done():
			return c.errorf("%w with %d/%d sent, unacked %v, %d/%d messages received", ctx.Err(), c.sent, p.Count, c.unacked, len(c.stream), p.Total)
		case in := <-c.frames:
			err = c.handle(in)
		case <-tick.C:
			err = c.operate(ctx, p)
		}
		if err = c.recover(ctx, err); err != nil {
			return err
		}
	}
	return nil
}

func (c *chatter) operate(ctx context.Context, p durPlan) error {
	if c.sent < p.Count {
		i := c.sent
		c.sent++
		c.own[c.cid(i)] = i
		c.unacked = append(c.unacked, i)
		if err := c.write(c.msg(i)); err != nil {
			return err
		}
	}
	if p.DropOneIn > 0 && c.rng.IntN(p.DropOneIn) == 0 {
		c.drops++
		c.close()
		if p.AbandonOneIn > 0 && c.rng.IntN(p.AbandonOneIn) == 0 {
			if err := c.abandon(ctx); err != nil {
				return err
			}
		}
		return c.connect(ctx)
	}
	return nil
}

// recover reconnects after a lost connection when that is allowed.
func (c *chatter) recover(ctx context.Context, err error) error {
	var (
		lost   *lostError
		closed *websocket.CloseError
	)
	switch {
	case err == nil || !errors.As(err, &lost) || !c.lossOK:
		return err
	case errors.As(err, &closed) && closed.Code >= 4000:
		// Sent away on purpose (4xxx, such as 4011 connected elsewhere):
		// a failure of its own, not a lost connection to come back from.
		return err
	}
	c.close()
	return c.connect(ctx)
}

// settle runs once the chatter has everything, until all chatters do. Then it
// makes a round trip (ping, pong) so that anything the server still sends
// this client arrives and is checked, and closes.
func (c *chatter) settle(ctx context.Context, all <-chan struct{}) error {
	defer c.close()
	for waiting := true; waiting; {
		select {
		case <-ctx.Done():
			return c.errorf("waiting for the others: %w", ctx.Err())
		case <-all:
			waiting = false
		case in := <-c.frames:
			if err := c.recover(ctx, c.handle(in)); err != nil {
				return err
			}
		}
	}
	if err := c.write(map[string]any{"type": "ping"}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, durConnectWait)
	defer cancel()
	ponged := false
	return c.await(ctx, "pong", func() bool { return ponged }, func(in durIn) (bool, error) {
		ponged = in.lost == nil && in.f.Type == "pong"
		return ponged, nil
	})
}

// check verifies what the chatter has at the end: the whole conversation,
// each of its own messages once and acknowledged where it arrived.
func (c *chatter) check(p durPlan) error {
	if got, want := len(c.stream), p.Total; got != want {
		return c.errorf("received %d messages, want %d", got, want)
	}
	for i := range p.Count {
		cid := c.cid(i)
		seq, seen := c.seen[cid]
		a, acked := c.acks[cid]
		switch {
		case !seen:
			return c.errorf("own message %q never arrived", cid)
		case !acked:
			return c.errorf("own message %q never acknowledged", cid)
		case a.Seq != seq:
			return c.errorf("own message %q acknowledged as seq %d, arrived as %d", cid, a.Seq, seq)
		}
	}
	return nil
}

// durCheckPair verifies a conversation from both ends and from the store: the
// same messages in the same order everywhere, each side's own exactly once.
func durCheckPair(cust, agent *chatter, stored []durMsg, p durPlan) error {
	if cust.conv != agent.conv {
		return fmt.Errorf("%s is in %s but %s in %s", cust.label, cust.conv, agent.label, agent.conv)
	}
	for _, c := range []*chatter{cust, agent} {
		if err := c.check(p); err != nil {
			return err
		}
	}
	if err := durSameStream(cust.stream, agent.stream); err != nil {
		return fmt.Errorf("%s: customer's and agent's streams differ: %w", cust.conv, err)
	}
	if err := durSameStream(cust.stream, stored); err != nil {
		return fmt.Errorf("%s: received and stored differ: %w", cust.conv, err)
	}
	texts := map[string]int{}
	for _, m := range stored {
		texts[m.Text]++
	}
	for _, c := range []*chatter{cust, agent} {
		for i := range p.Count {
			if n := texts[c.text(i)]; n != 1 {
				return fmt.Errorf("%s: text %q stored %d times, want once", cust.conv, c.text(i), n)
			}
		}
	}
	if got, want := len(texts), p.Total; got != want {
		return fmt.Errorf("%s: %d distinct texts, want %d", cust.conv, got, want)
	}
	return nil
}

func durSameStream(a, b []durMsg) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d messages against %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("at index %d: %+v against %+v", i, a[i], b[i])
		}
	}
	return nil
}

// durPairUp connects the agents, then each customer, which asks for an agent;
// every conversation must open on both sides. It returns the customers'
// agents, in the customers' order.
func durPairUp(ctx context.Context, agents, customers []*chatter) ([]*chatter, error) {
	byID := map[string]*chatter{}
	for _, a := range agents {
		if err := a.connect(ctx); err != nil {
			return nil, err
		}
		byID[a.me.ID] = a
	}
	pairs := make([]*chatter, len(customers))
	for i, c := range customers {
		if err := c.connect(ctx); err != nil {
			return nil, err
		}
		if err := c.request(ctx); err != nil {
			return nil, err
		}
		a := byID[c.peer.ID]
		if a == nil {
			return nil, c.errorf("assigned to %+v, not one of the test's agents", c.peer)
		}
		if err := a.awaitConv(ctx); err != nil {
			return nil, err
		}
		if a.conv != c.conv {
			return nil, a.errorf("opened %s, want %s, its customer's", a.conv, c.conv)
		}
		// Numbered after its customer: a3 serves c3.
		a.label = "a" + strings.TrimPrefix(c.label, "c")
		pairs[i] = a
	}
	return pairs, nil
}

// durRun runs every chatter's plan at once and waits for all of them; the
// first failure stops the others.
func durRun(ctx context.Context, chatters []*chatter, p durPlan) []error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var finished sync.WaitGroup
	finished.Add(len(chatters))
	all := make(chan struct{})
	go func() {
		finished.Wait()
		close(all)
	}()
	errc := make(chan error, len(chatters))
	for _, c := range chatters {
		go func() {
			err := c.run(ctx, p)
			finished.Done()
			if err == nil {
				err = c.settle(ctx, all)
			}
			c.close()
			errc <- err
		}()
	}
	var errs []error
	for range chatters {
		if err := <-errc; err != nil {
			if len(errs) == 0 || !errors.Is(err, context.Canceled) {
				errs = append(errs, err)
			}
			cancel()
		}
	}
	return errs
}

// durLogin logs an agent in and returns its token.
func durLogin(ctx context.Context, addr, name, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	ctx, cancel := context.WithTimeout(ctx, durConnectWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var r struct {
		Token string `json:"token"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(reply, &r) != nil || r.Token == "" {
		return "", fmt.Errorf("login %s: status %d: %s", name, res.StatusCode, strings.TrimSpace(string(reply)))
	}
	return r.Token, nil
}
