package actors

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestQueueUnderConcurrency is the routing issue's concurrency test: 1,000
// customers arrive at once against 100 agents of capacity 3. No agent ever
// exceeds its capacity, every customer is assigned or queued, assignment
// order equals arrival order, and the queue drains as agents end
// conversations.
func TestQueueUnderConcurrency(t *testing.T) {
	const agents, capacity, customers = 100, 3, 1000
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})

	parties := map[string]Party{}
	conns := map[string]*probe{}
	for i := range agents {
		a, p := f.agent(fmt.Sprintf("a%03d", i), capacity)
		parties[a.ID], conns[a.ID] = a, p
	}

	// Every customer connects and asks at once, from its own goroutine.
	var wg sync.WaitGroup
	for i := range customers {
		c, _ := f.customer(fmt.Sprintf("c%04d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		}()
	}
	wg.Wait()

	load := map[string]int{}
	var lastTicket uint64
	queued, assigned, ended := 0, 0, 0
	for ended < customers {
		ev := f.event(RoutingQueued, RoutingAssigned, RoutingEnded)
		switch ev.Kind {
		case RoutingQueued:
			queued++
		case RoutingAssigned:
			assigned++
			if ev.Ticket <= lastTicket {
				t.Fatalf("ticket %d assigned after ticket %d: not arrival order", ev.Ticket, lastTicket)
			}
			lastTicket = ev.Ticket
			if load[ev.Agent]++; load[ev.Agent] > capacity {
				t.Fatalf("agent %s has %d conversations, capacity %d", ev.Agent, load[ev.Agent], capacity)
			}
			// The agent answers and ends the chat: a slot frees up.
			f.end(ev.Conv, parties[ev.Agent], conns[ev.Agent])
		case RoutingEnded:
			ended++
			load[ev.Agent]--
		}
		if assigned > queued {
			t.Fatalf("%d assigned but only %d queued", assigned, queued)
		}
	}
	if got, want := assigned, customers; got != want {
		t.Fatalf("assigned=%d, want %d", got, want)
	}
	f.waitStats("queue drained", func(s Stats) bool { return s.Queued == 0 && s.Conversations == 0 })
	if got, want := f.stats().FreeAgents, agents; got != want {
		t.Fatalf("free agents after the drain=%d, want %d", got, want)
	}
}

// TestQueueHolds checks the snapshot the concurrency test streams past:
// with every slot taken, everyone else waits, in order, told their place.
func TestQueueHolds(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.agent("a", 2)
	var waiting []*probe
	for i := range 5 {
		c, p := f.customer(fmt.Sprintf("c%d", i))
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		if i >= 2 {
			waiting = append(waiting, p)
		}
	}
	f.waitStats("two chatting, three waiting", func(s Stats) bool { return s.Conversations == 2 && s.Queued == 3 })
	for i, p := range waiting {
		q := waitFor[*Queued](t, p, nil)
		if got, want := q.Position, i+1; got != want {
			t.Fatalf("waiting customer %d told position %d, want %d", i, got, want)
		}
		if q.ETA <= 0 {
			t.Fatalf("waiting customer %d told eta %v, want an estimate", i, q.ETA)
		}
	}
}

func TestCancelLeavesQueueAtOnce(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	c1, p1 := f.customer("first")
	c2, p2 := f.customer("second")
	f.send(f.dispatcher, &RequestAgent{Customer: c1.ID})
	f.send(f.dispatcher, &RequestAgent{Customer: c2.ID})
	if got := waitFor[*Queued](t, p2, nil).Position; got != 2 {
		t.Fatalf("second position=%d, want 2", got)
	}
	f.send(f.dispatcher, &CancelRequest{Customer: c1.ID})
	waitFor[*Dequeued](t, p1, nil)
	if got := waitFor[*Queued](t, p2, nil).Position; got != 1 {
		t.Fatalf("second position after first left=%d, want 1", got)
	}
	// The next agent takes the second customer, not the one who left.
	f.agent("a", 1)
	if got := waitFor[*ConvOpened](t, p2, nil).Customer.ID; got != c2.ID {
		t.Fatalf("assigned %s, want %s", got, c2.ID)
	}
}

func TestPolicyLeastLoadedThenLongestIdle(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, _ := f.agent("a", 3)
	b, _ := f.agent("b", 3)
	c, _ := f.agent("c", 3)
	var order []string
	for i := range 6 {
		cust, _ := f.customer(fmt.Sprintf("k%d", i))
		f.send(f.dispatcher, &RequestAgent{Customer: cust.ID})
		order = append(order, f.event(RoutingAssigned).Agent)
	}
	// Everyone equally loaded in turn; among equals the longest idle
	// (here: connected first, then assigned longest ago) goes first.
	want := []string{a.ID, b.ID, c.ID, a.ID, b.ID, c.ID}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("assignment order %v, want %v", order, want)
	}
}

func TestAwayAndCapacity(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, ap := f.agent("a", 1)

	t.Run("AwayGetsNoOne", func(t *testing.T) {
		f.send(f.dispatcher, &SetAgentStatus{Agent: a.ID, Status: StatusAway})
		waitFor[*AgentState](t, ap, func(s *AgentState) bool { return s.Status == StatusAway })
		c, p := f.customer("c1")
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		waitFor[*Queued](t, p, nil)
		if s := f.stats(); s.Conversations != 0 {
			t.Fatalf("an away agent was given a customer: %+v", s)
		}
	})
	t.Run("BackTakesNextAtOnce", func(t *testing.T) {
		f.send(f.dispatcher, &SetAgentStatus{Agent: a.ID, Status: StatusAvailable})
		if got := f.event(RoutingAssigned).Agent; got != a.ID {
			t.Fatalf("assigned to %s, want %s", got, a.ID)
		}
	})
	t.Run("FullGetsNoOne", func(t *testing.T) {
		c, p := f.customer("c2")
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		waitFor[*Queued](t, p, nil)
		if s := f.stats(); s.Conversations != 1 || s.Queued != 1 {
			t.Fatalf("a full agent was given a customer: %+v", s)
		}
	})
	t.Run("MoreCapacityTakesNextAtOnce", func(t *testing.T) {
		f.send(f.dispatcher, &SetAgentCapacity{Agent: a.ID, Capacity: 2})
		if got := f.event(RoutingAssigned).Agent; got != a.ID {
			t.Fatalf("assigned to %s, want %s", got, a.ID)
		}
	})
}
