package transport

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"kefu/actors"
)

// FuzzConnection drives a real connection actor with a script of frames
// read from the fuzz input (see program), through the path a socket uses:
// InboundFrame messages via the root context, once the actor asks to read.
// The dispatcher, conversations and agent actors behind it are the real
// ones, with a real Identity over SQLite. The first byte picks the setup:
// a native client with a customer already waiting or an agent already
// online, or a compat agent or customer with the other side's helper.
//
// After every frame it checks that the actor is alive and answering, or
// stopped with its socket closed with a code and a reason; and that a
// frame the protocol refuses got the documented error (binary_frame,
// bad_text, the decoder's error, hello_required, empty_text,
// text_too_long). Throughout, it checks that every frame the server sends
// is well-formed for its protocol and relays no text the server must
// refuse, and that each native client gets every msg once, in order,
// without gaps. At the end: every msg got an ack or an error carrying its cid,
// no ack went to a message whose text was refused, no actor panicked,
// every actor stopped once its socket ended, the dispatcher is left
// holding nobody, and fresh clients still complete a chat round trip.
// Every wait has a deadline.
//
// Heartbeats and the hello timeout are timing, not frames, so they never
// fire within a session (see connectNative). Seeds:
// testdata/fuzz/FuzzConnection.
func FuzzConnection(f *testing.F) {
	w := newFuzzWorld(f)
	f.Fuzz(func(t *testing.T, script []byte) {
		s := newSession(t, w)
		p := &program{b: script}
		k := &knowledge{w: w}
		fz, helpers := s.setUp(p.byte()%4, k)
		if fz.waitReading() {
			fz.run(p)
		}
		fz.finish()
		for _, h := range helpers {
			h.leave()
			h.drain(k)
		}
		s.checkNoFailures()
		s.waitEmpty()
		s.roundTrip(fz.pool)
		s.checkNoFailures()
	})
}

// Setups, picked by a script's first byte.
const (
	setupNativeQueued = iota // a customer is waiting: a fuzzed agent gets it
	setupNativeAgent         // an agent is online: a fuzzed customer gets it
	setupCompatAgent         // a fuzzed tutorial agent; a customer joins it
	setupCompatCust          // a fuzzed tutorial customer, with an agent to join
)

// fuzzed is the client the script drives, and what it has been sent.
type fuzzed struct {
	*client
	k        *knowledge
	helloed  bool            // a hello has decoded: the connection is no longer waiting for one
	acked    map[string]bool // cids acknowledged
	answered map[string]bool // cids acknowledged or refused
	validCID map[string]bool // cids sent at least once with an acceptable text
	sent     []string        // cids of decoded msgs, in order
}

func (s *session) setUp(setup byte, k *knowledge) (*fuzzed, []*client) {
	s.t.Helper()
	var helpers []*client
	var c *client
	switch setup {
	case setupNativeQueued:
		cy := s.connectNative("helper customer")
		cy.sendJSON(`{"type":"hello","v":1,"role":"customer","name":"Cy"}`)
		cy.awaitType("welcome")
		cy.sendJSON(`{"type":"request"}`)
		cy.awaitType("queued")
		helpers = append(helpers, cy)
		c = s.connectNative("fuzzed native client")
	case setupNativeAgent:
		bea := s.connectNative("helper agent")
		bea.sendJSON(`{"type":"hello","v":1,"role":"agent","token":` + jsonString(s.w.tokens[helperAgent]) + `}`)
		bea.awaitType("welcome")
		helpers = append(helpers, bea)
		c = s.connectNative("fuzzed native client")
	case setupCompatAgent:
		c = s.connectCompat("Kai", actors.RoleAgent)
		if c.waitReading() {
			lu := s.connectCompat("Lu", actors.RoleCustomer)
			lu.waitReading()
			helpers = append(helpers, lu)
		}
	case setupCompatCust:
		kai := s.connectCompat("Kai", actors.RoleAgent)
		kai.waitReading()
		helpers = append(helpers, kai)
		c = s.connectCompat("Lu", actors.RoleCustomer)
	}
	s.settle()
	for _, h := range helpers {
		h.drain(k)
	}
	return &fuzzed{client: c, k: k, acked: map[string]bool{}, answered: map[string]bool{}, validCID: map[string]bool{}}, helpers
}

// run plays the script, checking each step's answers.
func (c *fuzzed) run(p *program) {
	c.s.t.Helper()
	for p.more() {
		var step []fuzzFrame
		switch op := p.byte() % numOps; op {
		case opHang:
			return
		case opBurst:
			// Frames back to back, with no waiting between them: right
			// behind hello, before admission, they are held (up to 16).
			for n := int(p.byte()%32) + 2; n > 0 && p.more(); n-- {
				if op := p.byte() % numOps; op != opHang && op != opBurst {
					step = append(step, p.frameFor(op, c.k))
				}
			}
		default:
			step = append(step, p.frameFor(op, c.k))
		}
		if !c.play(step) {
			return
		}
	}
}

// play delivers a step's frames, waits for the actors to settle and checks
// the answers; false once the connection has closed.
func (c *fuzzed) play(step []fuzzFrame) bool {
	c.s.t.Helper()
	before := c.read
	wants := make([]string, len(step))
	for i, f := range step {
		wants[i] = c.expect(f)
		c.sock.deliver(f.data, f.binary)
	}
	c.s.settle()
	alive := c.s.touch(c.pid)
	codes := c.scan()
	_, closed := c.sock.state()
	if closed != nil {
		checkDisconnect(c.s.t, c.name, *closed)
	}
	for i, want := range wants {
		if want != "" && closed == nil && !codes[want] {
			c.s.t.Fatalf("%s sent %.200q: no %s error; got %d frames: %s", c.name, step[i].data, want, c.read-before, c.framesSince(before))
		}
	}
	if !alive && closed == nil {
		c.s.t.Fatalf("%s: the actor stopped but left its socket open", c.name)
	}
	// Once closed, the actor is on its way out and frames go nowhere.
	return alive && closed == nil
}

// expect returns the error code the protocol documents for frame, judged
// from the frame alone and what the client has sent before, or "" if the
// answer depends on state the test does not model.
func (c *fuzzed) expect(f fuzzFrame) string {
	switch {
	case f.binary:
		return actors.ErrCodeBinary
	case !utf8.Valid(f.data):
		return actors.ErrCodeBadText
	}
	cmd, err := c.codec.Decode(f.data)
	if err != nil {
		return err.(*actors.FrameError).Code
	}
	switch cmd := cmd.(type) {
	case *actors.CmdHello:
		if c.helloed {
			return actors.ErrCodeState // a second hello; the first closed the socket or identified it
		}
		c.helloed = true
	case *actors.CmdSay:
		return textError(cmd.Text)
	case *actors.CmdPost:
		c.sent = append(c.sent, cmd.ClientID)
		if textError(cmd.Text) == "" {
			c.validCID[cmd.ClientID] = true
		}
		if !c.helloed {
			return actors.ErrCodeNotHello
		}
	default:
		if !c.helloed {
			return actors.ErrCodeNotHello
		}
	}
	return ""
}

// textError is the error the connection owes a chat text, if any.
func textError(text string) string {
	switch {
	case strings.TrimSpace(text) == "":
		return actors.ErrCodeEmptyText
	case len(text) > DefaultMaxTextBytes:
		return actors.ErrCodeTooLong
	}
	return ""
}

// scan reads the frames that arrived since the last scan and returns the
// error codes among them.
func (c *fuzzed) scan() map[string]bool {
	c.s.t.Helper()
	codes := map[string]bool{}
	frames, _ := c.sock.state()
	for ; c.read < len(frames); c.read++ {
		f := c.decodeOut(frames[c.read])
		c.k.learn(f)
		switch f.Type {
		case "error":
			codes[f.Code] = true
			if f.CID != "" {
				c.answered[f.CID] = true
			}
		case "ack":
			if !c.validCID[f.CID] {
				c.s.t.Fatalf("%s: ack for %q, sent only with texts the server must refuse", c.name, f.CID)
			}
			c.acked[f.CID], c.answered[f.CID] = true, true
		}
	}
	return codes
}

// finish waits, while the socket is open, for every msg to be answered
// (docs/protocol.md: an ack or an error that carries the cid), then ends
// the client's stream and waits for its actor to stop.
func (c *fuzzed) finish() {
	c.s.t.Helper()
	for _, cid := range c.sent {
		if cid == "" || len(cid) > maxCIDLen {
			continue // refused by the decoder, which cannot know the cid
		}
		for !c.answered[cid] {
			if _, closed := c.sock.state(); closed != nil {
				break
			}
			c.awaitChange("an ack or error for msg " + cid)
			c.scan()
		}
	}
	c.leave()
	c.scan()
}

// awaitChange waits for the socket to be sent something or closed.
func (c *client) awaitChange(what string) {
	c.s.t.Helper()
	select {
	case <-c.sock.changed:
	case <-c.gone:
	case <-time.After(sessionWait):
		frames, _ := c.sock.state()
		c.s.t.Fatalf("%s: no %s within %v; last frames: %s", c.name, what, sessionWait, c.framesSince(max(0, len(frames)-8)))
	}
}

// drain checks and learns from every frame a helper was sent.
func (c *client) drain(k *knowledge) {
	c.s.t.Helper()
	frames, closed := c.sock.state()
	for ; c.read < len(frames); c.read++ {
		k.learn(c.decodeOut(frames[c.read]))
	}
	if closed != nil {
		checkDisconnect(c.s.t, c.name, *closed)
	}
}

// checkDisconnect checks a close is one the protocol documents the form
// of: a code and a reason that fits a close frame.
func checkDisconnect(t *testing.T, who string, d actors.Disconnect) {
	t.Helper()
	if d.Code < 1000 || d.Code >= 5000 || d.Reason == "" || len(d.Reason) > 123 || !utf8.ValidString(d.Reason) {
		t.Fatalf("%s closed with %d %q: want a code and a short reason", who, d.Code, d.Reason)
	}
}

func (c *client) framesSince(i int) string {
	frames, _ := c.sock.state()
	var b strings.Builder
	for _, f := range frames[i:] {
		b.WriteString("\n\t")
		b.WriteString(string(f[:min(len(f), 200)]))
	}
	return b.String()
}

func (c *client) sendJSON(frame string) { c.sock.deliver([]byte(frame), false) }

func (c *client) awaitType(typ string) outFrame {
	c.s.t.Helper()
	return c.await(typ, func(f outFrame) bool { return f.Type == typ })
}

// roundTrip has fresh, well-behaved clients chat once: whatever the
// script did, the server must still serve others.
func (s *session) roundTrip(pool actors.Pool) {
	s.t.Helper()
	dee := s.connectNative("check agent")
	dee.sendJSON(`{"type":"hello","v":1,"role":"agent","token":` + jsonString(s.w.tokens[checkAgent]) + `}`)
	dee.awaitType("welcome")
	eve := s.connectNative("check customer")
	eve.sendJSON(`{"type":"hello","v":1,"role":"customer","name":"Eve"}`)
	eve.awaitType("welcome")
	eve.sendJSON(`{"type":"request"}`)
	conv := eve.awaitType("conv").Conv
	eve.sendJSON(`{"type":"msg","conv":` + jsonString(conv) + `,"text":"still there?","cid":"e-1"}`)
	eve.await("ack e-1", func(f outFrame) bool { return f.Type == "ack" && f.CID == "e-1" })
	dee.await("Eve's msg", func(f outFrame) bool { return f.Type == "msg" && f.Text == "still there?" })
	eve.leave()
	dee.leave()

	if pool == actors.PoolCompat {
		kai := s.connectCompat("Kai", actors.RoleAgent)
		kai.waitReading()
		lu := s.connectCompat("Lu", actors.RoleCustomer)
		lu.waitReading()
		lu.sendJSON(`{"neiRong":"还在吗"}`)
		kai.await("Lu's line", func(f outFrame) bool { return f.Type == "msg" && f.From == "Lu" && f.Text == "还在吗" })
		lu.leave()
		kai.leave()
	}
	s.waitEmpty()
}
