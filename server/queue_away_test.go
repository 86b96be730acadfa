package server

import (
	"strconv"
	"testing"
	"time"

	"kefu/actors"
)

// endConv has c end conv and reads the ended frame on both sides.
func endConv(tb testing.TB, conv string, c, other *nclient) {
	tb.Helper()
	c.send(obj{"type": "end", "conv": conv})
	for _, who := range []*nclient{c, other} {
		if f := who.expect("ended"); f.Conv != conv {
			tb.Fatalf("%s got %s, want the end of %s", who.me.Name, f.raw, conv)
		}
	}
}

// TestPhantomCustomers is issue #12's phantoms: customers who ask for an
// agent and vanish keep their place through the grace period, but no agent
// is given to them while away. The customer present behind them is served
// at once; a phantom who comes back is served first when a slot frees, or
// at once if one is free.
func TestPhantomCustomers(t *testing.T) {
	ts := startServer(t, Config{Grace: time.Minute})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
	agent.send(obj{"type": "status", "status": "away"})
	agent.expect("state")

	var tokens []string
	for i := range 5 {
		p := ts.customerOnline(t, "Phantom"+strconv.Itoa(i))
		p.send(obj{"type": "request"})
		p.expect("queued") // at 1, or behind phantoms not yet seen gone
		tokens = append(tokens, p.token)
		p.ws.Close()
	}
	ts.waitStats(t, "phantoms away", func(s actors.Stats) bool { return s.Customers == 0 && s.Queued == 5 })

	real1 := ts.customerOnline(t, "Real1")
	real1.send(obj{"type": "request"})
	queued := real1.expect("queued")
	agent.send(obj{"type": "status", "status": "available"})
	agent.expect("state")
	conv := real1.expect("conv", "queued")
	checkConv(t, conv, "assigned", real1.me, agent.me, 0)
	checkConv(t, agent.expect("conv"), "assigned", real1.me, agent.me, 0)
	if got, want := queued.Position, 1; got != want {
		t.Fatalf("Real1 was told position %d, want %d: those away delay nobody", got, want)
	}
	if s := ts.stats(t); s.Serving != 1 || s.FreeAgents != 1 || s.Queued != 5 {
		t.Fatalf("stats %+v, want one conversation, the agent free for more and the phantoms queued", s)
	}

	// Real customers fill the agent's other two slots at once.
	real2, real3 := ts.customerOnline(t, "Real2"), ts.customerOnline(t, "Real3")
	conv2 := assign(t, agent, real2)
	conv3 := assign(t, agent, real3)
	late := ts.customerOnline(t, "Late")
	late.send(obj{"type": "request"})
	late.expectQueued(1)

	// The first phantom comes back: it had its place, ahead of Late.
	back, welcome := ts.customerResume(t, tokens[0])
	if got, want := welcome.State, "queued"; got != want {
		t.Fatalf("back: state %q, want %q", got, want)
	}
	back.expectQueued(1)
	late.expectQueued(2)

	// A slot frees: the phantom back is served, not Late.
	endConv(t, conv.Conv, real1, agent)
	checkConv(t, back.expect("conv", "queued"), "assigned", back.me, agent.me, 0)
	checkConv(t, agent.expect("conv"), "assigned", back.me, agent.me, 0)
	late.expectQueued(1)

	// The next slot goes to Late, present; the one after stays free, as
	// only phantoms away are left. Another coming back takes it at once.
	endConv(t, conv2, real2, agent)
	checkConv(t, late.expect("conv", "queued"), "assigned", late.me, agent.me, 0)
	checkConv(t, agent.expect("conv"), "assigned", late.me, agent.me, 0)
	endConv(t, conv3, real3, agent)
	ts.waitStats(t, "a slot free", func(s actors.Stats) bool { return s.FreeAgents == 1 && s.Queued == 4 })
	second, welcome := ts.customerResume(t, tokens[1])
	if got, want := welcome.State, "queued"; got != want {
		t.Fatalf("second back: state %q, want %q", got, want)
	}
	second.expectQueued(1)
	checkConv(t, second.expect("conv", "queued"), "assigned", second.me, agent.me, 0)
	checkConv(t, agent.expect("conv"), "assigned", second.me, agent.me, 0)
}
