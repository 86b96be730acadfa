package server

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// Error kinds as expectKinds names them.
const (
	forbidden   = "error:forbidden"
	unknownConv = "error:unknown_conversation"
	wrongState  = "error:wrong_state"
)

// outcome is what each online caller receives after one frame: kinds in
// any order. A caller not named must receive nothing.
type outcome = map[string][]string

// cells is, per caller who sends the frame, its outcome.
type cells = map[string]outcome

// answer: each sender alone gets kind.
func answer(kind string, senders ...string) cells {
	c := cells{}
	for _, s := range senders {
		c[s] = outcome{s: {kind}}
	}
	return c
}

func merge(all ...cells) cells {
	out := cells{}
	for _, c := range all {
		for k, v := range c {
			out[k] = v
		}
	}
	return out
}

// frameRow is one client frame, sent by each of senders (every online
// caller if nil) in turn, against conversation A–X.
type frameRow struct {
	name    string
	senders []string
	frame   func(w *world, who string) obj
	want    cells
	sent    func(w *world, who string) // bookkeeping after each sender
}

var (
	customers = []string{custA, custB}
	desk      = []string{agentX, agentY, super} // who acts as an agent on the socket
	outsiders = []string{custB, agentY, super}  // not in conversation A–X
)

func frameTable() []frameRow {
	same := func(f obj) func(*world, string) obj { return func(*world, string) obj { return f } }
	onA := func(typ string) func(*world, string) obj {
		return func(w *world, _ string) obj { return obj{"type": typ, "conv": w.convA} }
	}
	return []frameRow{
		{name: "Hello", frame: same(obj{"type": "hello", "v": 1, "role": "customer", "name": "Again"}),
			want: answer(wrongState, onlineCallers...)},
		{name: "Request", frame: same(obj{"type": "request"}),
			want: merge(answer(wrongState, customers...), answer(forbidden, desk...))},
		{name: "Cancel", frame: same(obj{"type": "cancel"}),
			want: merge(answer(wrongState, customers...), answer(forbidden, desk...))},
		{name: "Msg",
			frame: func(w *world, who string) obj {
				return obj{"type": "msg", "conv": w.convA, "text": "from " + who, "cid": fmt.Sprintf("acc-%d", cids.Add(1))}
			},
			want: merge(answer(unknownConv, outsiders...), cells{
				custA:  {custA: {"msg", "ack"}, agentX: {"msg"}},
				agentX: {agentX: {"msg", "ack"}, custA: {"msg"}},
			}),
			sent: func(w *world, who string) {
				if who == custA || who == agentX {
					w.seqA++
				}
			}},
		{name: "Typing", frame: onA("typing"),
			want: merge(answer(unknownConv, outsiders...), cells{custA: {agentX: {"typing"}}, agentX: {custA: {"typing"}}})},
		{name: "Read", frame: func(w *world, _ string) obj { return obj{"type": "read", "conv": w.convA, "seq": w.seqA} },
			want: merge(answer(unknownConv, outsiders...), cells{custA: {agentX: {"read"}}, agentX: {custA: {"read"}}})},
		// The members' own end is in TestAccessFramesMembers: it ends the world.
		{name: "End", senders: outsiders, frame: onA("end"), want: answer(unknownConv, outsiders...)},
		{name: "Status",
			frame: func(_ *world, who string) obj {
				if who == super {
					return obj{"type": "status", "status": "away"} // as it was
				}
				return obj{"type": "status", "status": "available"}
			},
			want: merge(answer(forbidden, customers...), answer("state", desk...))},
		{name: "Capacity",
			frame: func(_ *world, who string) obj {
				// Each agent's own, so nothing changes; any for customers.
				own := map[string]int{custA: 9, custB: 9, agentX: 1, agentY: 2, super: 3}
				return obj{"type": "capacity", "capacity": own[who]}
			},
			want: merge(answer(forbidden, customers...), answer("state", desk...))},
		{name: "TransferToQueue", senders: []string{custA, custB, agentY, super},
			frame: func(w *world, _ string) obj { return obj{"type": "transfer", "conv": w.convA, "to": "queue"} },
			want:  merge(answer(forbidden, customers...), answer(unknownConv, agentY, super))},
		// Y asks for A's conversation to be given to itself.
		{name: "TransferToAgent", senders: []string{custA, custB, agentY, super},
			frame: func(w *world, _ string) obj {
				return obj{"type": "transfer", "conv": w.convA, "to": w.accts[agentY].ID}
			},
			want: merge(answer(forbidden, customers...), answer(unknownConv, agentY, super))},
		// X and S ask for B's conversation, with Y, to be given to them.
		{name: "TransferOtherToSelf", senders: []string{custA, custB, agentX, super},
			frame: func(w *world, who string) obj {
				return obj{"type": "transfer", "conv": w.convB, "to": w.conns[who].me.ID}
			},
			want: merge(answer(forbidden, customers...), answer(unknownConv, agentX, super))},
		// Only the conversation's customer; others' are answered as unknown.
		{name: "Rate", frame: func(w *world, _ string) obj { return obj{"type": "rate", "conv": w.convA, "rating": 4} },
			want: merge(answer("rated", custA), answer(unknownConv, custB), answer(forbidden, desk...))},
		// A's members page back through it; to others it does not exist.
		{name: "History", frame: onA("history"),
			want: merge(answer("history", custA, agentX), answer(unknownConv, outsiders...))},
		{name: "Agents", frame: same(obj{"type": "agents"}),
			want: merge(answer(forbidden, customers...), answer("agents", desk...))},
		{name: "Ping", frame: same(obj{"type": "ping"}), want: answer("pong", onlineCallers...)},
		{name: "Pong", frame: same(obj{"type": "pong"}), want: cells{}},
	}
}

// TestAccessFrames sends every native frame type from every online caller
// against conversation A–X and checks who receives what: the sender its
// answer, the other member what the protocol says, everyone else nothing.
func TestAccessFrames(t *testing.T) {
	w := newWorld(t)
	for _, row := range frameTable() {
		t.Run(row.name, func(t *testing.T) {
			senders := row.senders
			if senders == nil {
				senders = onlineCallers
			}
			for _, from := range senders {
				t.Run(from, func(t *testing.T) {
					w.conns[from].send(row.frame(w, from))
					w.expectOutcome(t, from, row.want[from])
					if row.sent != nil {
						row.sent(w, from)
					}
				})
			}
		})
	}
	// The store has only what the members said, numbered without a gap
	// where a refused frame could have slipped in.
	t.Run("StoreHoldsOnlyMembers", func(t *testing.T) {
		msgs, err := w.ts.Store().Messages(context.Background(), w.convA, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := uint64(len(msgs)), w.seqA; got != want {
			t.Fatalf("convA holds %d messages, want %d", got, want)
		}
		for _, m := range msgs {
			if m.SenderID != w.conns[custA].me.ID && m.SenderID != w.accts[agentX].ID {
				t.Fatalf("convA holds %+v from an outsider", m)
			}
		}
	})
}

// expectOutcome checks every online caller got what out says after a
// frame from sender, and nothing more.
func (w *world) expectOutcome(t *testing.T, sender string, out outcome) {
	t.Helper()
	for _, who := range onlineCallers {
		if kinds := out[who]; len(kinds) > 0 {
			w.expectKinds(t, who, w.convA, kinds, w.conns[sender].me)
		}
	}
	for _, who := range onlineCallers {
		w.quiet(t, who)
	}
}

// TestAccessFramesMembers: the members' frames that change conversation
// A–X for good, each in a world of its own, and what the members can do
// afterwards.
func TestAccessFramesMembers(t *testing.T) {
	post := func(w *world) obj {
		return obj{"type": "msg", "conv": w.convA, "text": "still there?", "cid": fmt.Sprintf("acc-%d", cids.Add(1))}
	}
	for _, ender := range []string{custA, agentX} {
		t.Run("EndBy"+ender, func(t *testing.T) {
			w := newWorld(t)
			w.conns[ender].send(obj{"type": "end", "conv": w.convA})
			w.expectOutcome(t, ender, outcome{custA: {"ended"}, agentX: {"ended"}})
			for _, who := range []string{custA, agentX} {
				w.conns[who].send(post(w))
				w.expectOutcome(t, who, outcome{who: {unknownConv}})
			}
		})
	}
	// The agent who hands the conversation on loses it; the new one gets it
	// whole.
	t.Run("TransferToAgent", func(t *testing.T) {
		w := newWorld(t)
		w.conns[agentX].send(obj{"type": "transfer", "conv": w.convA, "to": w.accts[agentY].ID})
		w.expectOutcome(t, agentX, outcome{agentX: {"ended"}, agentY: {"conv"}, custA: {"agent"}})
		for _, typ := range []string{"typing", "end", "transfer"} {
			w.conns[agentX].send(obj{"type": typ, "conv": w.convA, "to": "queue"})
			w.expectOutcome(t, agentX, outcome{agentX: {unknownConv}})
		}
		w.conns[agentX].send(post(w))
		w.expectOutcome(t, agentX, outcome{agentX: {unknownConv}})
		w.conns[agentY].send(post(w))
		w.expectOutcome(t, agentY, outcome{agentY: {"msg", "ack"}, custA: {"msg"}})
	})
	t.Run("TransferToQueue", func(t *testing.T) {
		w := newWorld(t)
		// Nobody may take it, so it waits where everyone can see.
		for _, who := range []string{agentX, agentY} {
			w.conns[who].send(obj{"type": "status", "status": "away"})
			w.expectOutcome(t, who, outcome{who: {"state"}})
		}
		w.conns[agentX].send(obj{"type": "transfer", "conv": w.convA, "to": "queue"})
		w.expectOutcome(t, agentX, outcome{agentX: {"ended"}, custA: {"requeued", "queued"}})
		w.conns[agentX].send(post(w))
		w.expectOutcome(t, agentX, outcome{agentX: {unknownConv}})
	})
}

// TestAccessRefusedHello: a socket without a hello, or with a hello whose
// token is refused, gets its refusal and the close, and nothing it sent
// behind reaches anyone.
func TestAccessRefusedHello(t *testing.T) {
	w := newWorld(t)
	const invalid, expiredReason = "unauthorized: invalid or expired token", "unauthorized: token expired"
	behind := func(w *world) []obj {
		return []obj{
			{"type": "msg", "conv": w.convA, "text": "let me in", "cid": "intruder-1"},
			{"type": "end", "conv": w.convA},
			{"type": "transfer", "conv": w.convA, "to": "queue"},
		}
	}

	t.Run("Anonymous", func(t *testing.T) {
		for _, row := range frameTable() {
			if row.name == "Hello" {
				continue
			}
			t.Run(row.name, func(t *testing.T) {
				c := w.ts.dialNative(t)
				c.send(row.frame(w, agentX))
				c.expectError("hello_required")
				c.expectClosed(4002, "expected a hello frame first")
				w.expectOutcome(t, custA, nil)
			})
		}
	})

	type refusal struct {
		hello  obj
		reason string
	}
	hellos := map[string]refusal{
		"Agent/customerToken": {obj{"type": "hello", "v": 1, "role": "agent", "token": w.tokens[custA]}, invalid},
	}
	for _, who := range badTokens {
		reason := invalid
		switch who {
		case expired:
			reason = expiredReason
		case removed:
			reason = "unauthorized: account removed"
		case out, revoked:
			reason = "unauthorized: token revoked"
		}
		hellos["Agent/"+who] = refusal{obj{"type": "hello", "v": 1, "role": "agent", "token": w.tokens[who]}, reason}
	}
	for name, tok := range w.customerForgeries(t) {
		reason := invalid
		if name == expired {
			reason = expiredReason
		}
		// Asking for A's conversation back, as A would.
		hellos["Customer/"+name] = refusal{obj{"type": "hello", "v": 1, "role": "customer", "token": tok, "resume": obj{w.convA: 0}}, reason}
	}
	names := slices.Sorted(maps.Keys(hellos))
	for _, name := range names {
		tc := hellos[name]
		t.Run(name, func(t *testing.T) {
			c := w.ts.dialNative(t)
			c.send(tc.hello)
			for _, f := range behind(w) {
				c.send(f)
			}
			c.expectRefused("unauthorized", 4003, tc.reason)
			w.expectOutcome(t, custA, nil)
		})
	}
	// Had any hello above passed as A, A's socket would have been closed
	// (4011); had any frame behind one reached the conversation, X would
	// have heard.
	t.Run("MembersUntouched", func(t *testing.T) {
		w.conns[custA].send(obj{"type": "msg", "conv": w.convA, "text": "still mine", "cid": fmt.Sprintf("acc-%d", cids.Add(1))})
		w.expectOutcome(t, custA, outcome{custA: {"msg", "ack"}, agentX: {"msg"}})
	})
}

// TestAccessResume: naming someone else's conversation in hello's resume
// gets only "gone", never its history, however the caller came in.
func TestAccessResume(t *testing.T) {
	w := newWorld(t)
	resume := func(w *world) obj { return obj{w.convA: 0} }
	cases := []struct {
		name  string
		hello func(w *world) obj
		// what comes after welcome, in any order: kind and conversation
		want []string
	}{
		{"AgentNewTab", func(w *world) obj {
			return obj{"type": "hello", "v": 1, "role": "agent", "token": w.tokens[agentY], "resume": resume(w)}
		}, []string{"conv:convB", "ended:convA"}},
		{"SupervisorNewTab", func(w *world) obj {
			return obj{"type": "hello", "v": 1, "role": "agent", "token": w.tokens[super], "resume": resume(w)}
		}, []string{"ended:convA"}},
		{"NewCustomer", func(w *world) obj {
			return obj{"type": "hello", "v": 1, "role": "customer", "name": "Nosy", "resume": resume(w)}
		}, []string{"ended:convA"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := w.ts.hello(t, tc.hello(w))
			var got []string
			for range tc.want {
				f := c.next()
				if len(f.History) > 0 || (f.Conv == w.convA && f.Reason != "gone") {
					t.Fatalf("got %s, want at most 'gone' about convA", f.raw)
				}
				got = append(got, f.Type+":"+map[string]string{w.convA: "convA", w.convB: "convB"}[f.Conv])
			}
			if slices.Sort(got); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			c.send(obj{"type": "ping"})
			if f := c.next(); f.Type != "pong" {
				t.Fatalf("got %s, want nothing more", f.raw)
			}
			w.expectOutcome(t, custA, nil)
		})
	}
}

// TestAccessCompat: the tutorial's protocol names people by display name
// only, so its callers must never reach the native ones who share a name:
// a compat agent "Xavier" and a compat customer "Ann" chat between
// themselves, and the native Xavier and Ann hear nothing.
func TestAccessCompat(t *testing.T) {
	w := newWorld(t)
	agent := onlineAgent(t, w.ts, "Xavier")
	cust := seat(t, w.ts, agent, "Xavier", "Ann")
	cust.say("is this Xavier?")
	cust.expect("Ann", "is this Xavier?")
	agent.expect("Ann", "is this Xavier?")
	agent.say("the other one")
	agent.expect("Xavier", "the other one")
	cust.expect("Xavier", "the other one")
	w.expectOutcome(t, custA, nil)
	if got, want := w.ts.getRoom(t, "Guest"), (roomReply{}); got != want {
		t.Fatalf("getroom=%+v, want %+v: only the tutorial's agents, and Xavier is busy", got, want)
	}
}
