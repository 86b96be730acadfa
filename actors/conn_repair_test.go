package actors

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"kefu/internal/ids"
	"kefu/store"
)

// The connection's side of "Terminated means moved" and of gaps
// (connection_moved.go, connection_gaps.go). The conversations here are
// started, moved and brought back by the test itself, as the dispatcher's
// repair (another slice) will: StartConv{Restore: true} loads it from the
// store and waits for its parties to ask.

var repairCfg = DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}

// TestMovedConvResendsPost: a conversation moves (its actor stops without
// a goodbye, on a directory where actors move) while the customer's
// message is being stored; the write commits, but nobody hears of it. The
// customer's connection repairs: it sends the message again and asks for
// what it lacks. The message is stored once, acknowledged once, and the
// customer sees every message once, in order, and no end.
func TestMovedConvResendsPost(t *testing.T) {
	st := sqliteStore(t)
	gs := &gatedStore{Conversations: st}
	f := newMovingFixture(t, gs, repairCfg)
	cu := connect(t, f, movingDir{f.dir}, newCustomers{}, &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"})
	agentActor := f.kindProbe(KindAgent)
	conv := ConvID(ids.Conv + ids.New())
	start := StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Customer: cu.me, CustomerConn: cu.id,
		Agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, AgentActor: string(agentActor.id),
		CustomerGrace: time.Minute,
	}
	f.activate(start)
	cu.next(isOpened(conv))
	cu.post(conv, "one", "c1")
	cu.both(isAck("c1"), isMsg(conv, 1))

	begun, release := gs.arm()
	cu.post(conv, "two", "c2")
	waitGate(t, begun)
	f.moveConv(conv)
	release()
	waitStored(t, st, conv, 2) // committed, never delivered nor acknowledged
	start.Restore, start.CustomerConn = true, ""
	f.activate(start)

	cu.both(isAck("c2"), isMsg(conv, 2))
	cu.post(conv, "three", "c3") // and the customer is attached again
	cu.both(isAck("c3"), isMsg(conv, 3))
	cu.flush()

	if got, want := cu.messages(conv), []uint64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("customer saw seqs %v, want %v", got, want)
	}
	for i, cid := range []string{"c1", "c2", "c3"} {
		if got, want := cu.acks(cid), []uint64{uint64(i + 1)}; !slices.Equal(got, want) {
			t.Fatalf("acks for %s: %v, want %v", cid, got, want)
		}
	}
	if ends := cu.closed(); len(ends) != 0 {
		t.Fatalf("customer was told %+v, want no end", ends[0])
	}
	stored := waitStored(t, st, conv, 3)
	checkStored(t, stored, "one", "two", "three")
}

// checkStored says the conversation's stored messages are texts, at seqs
// 1..n, each once.
func checkStored(t *testing.T, stored []store.Message, texts ...string) {
	t.Helper()
	if len(stored) != len(texts) {
		t.Fatalf("%d messages stored, want %d", len(stored), len(texts))
	}
	for i, m := range stored {
		if m.Seq != uint64(i+1) || m.Text != texts[i] {
			t.Fatalf("stored[%d] = seq %d %q, want seq %d %q", i, m.Seq, m.Text, i+1, texts[i])
		}
	}
}

// TestResyncAgentTab: an agent's tab told by its agent actor that a
// conversation moved (*Resync) sends again what it posted and was not
// answered, asks for what it lacks, and misses nothing: a message stored
// just before the move, delivered to no one, reaches it once, in order.
func TestResyncAgentTab(t *testing.T) {
	st := sqliteStore(t)
	gs := &gatedStore{Conversations: st}
	f := newMovingFixture(t, gs, repairCfg)
	agent := Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}
	tab := connect(t, f, movingDir{f.dir}, agentAuth{agent}, &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t"})
	// The test is the agent actor: it passes on what the conversation
	// sends the agent.
	agentActor := f.kindProbe(KindAgent)
	forward := func(want func(any) bool) {
		t.Helper()
		f.send(tab.pid, awaitSent(t, agentActor.got, want))
	}
	cust, customer := f.probe(), Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	conv := ConvID(ids.Conv + ids.New())
	start := StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Customer: customer, CustomerConn: cust.id,
		Agent: agent, AgentActor: string(agentActor.id), CustomerGrace: time.Minute,
	}
	f.activate(start)
	forward(isOpened(conv))
	tab.next(isOpened(conv))
	convPID := f.dir.PID(KindConv, string(conv))
	for i := range 2 {
		f.send(convPID, &Post{From: customer, Conn: cust.id, Text: fmt.Sprint(i + 1), ClientID: fmt.Sprint("k", i+1)})
		forward(isMsg(conv, uint64(i+1)))
		tab.next(isMsg(conv, uint64(i+1)))
	}

	begun, release := gs.arm()
	tab.post(conv, "3", "a3")
	waitGate(t, begun)
	f.moveConv(conv)
	release()
	waitStored(t, st, conv, 3)
	start.Restore, start.CustomerConn = true, ""
	f.activate(start)

	f.send(tab.pid, &Resync{Conv: conv})
	tab.both(isAck("a3"), isMsg(conv, 3))
	f.send(convPID, &Post{From: customer, Conn: cust.id, Text: "4", ClientID: "k4"})
	forward(isMsg(conv, 4))
	tab.next(isMsg(conv, 4))
	tab.flush()

	if got, want := tab.messages(conv), []uint64{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("tab saw seqs %v, want %v", got, want)
	}
	if got, want := tab.acks("a3"), []uint64{3}; !slices.Equal(got, want) {
		t.Fatalf("acks for a3: %v, want %v", got, want)
	}
	checkStored(t, waitStored(t, st, conv, 4), "1", "2", "3", "4")
}

// TestGapHeldAndFilled: a connection that is sent a message past a gap
// (seq 3 while it has 1) holds it, asks once, and gives the client 2 and
// 3 once each, in order: whether the conversation's answer fills the gap
// or the late message does. Always, on one node too.
func TestGapHeldAndFilled(t *testing.T) {
	for _, late := range []bool{false, true} {
		name := "FilledBySync"
		if late {
			name = "FilledByLateMessage"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, repairCfg)
			cu := connect(t, f, f.dir, newCustomers{}, &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"})
			// The conversation's live messages go elsewhere: the test
			// delivers to the connection itself, out of order.
			elsewhere := f.probe()
			agent := Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}
			conv := ConvID(ids.Conv + ids.New())
			f.activate(StartConv{
				ID: conv, Pool: PoolNative, Ticket: 1, Customer: cu.me, CustomerConn: elsewhere.id,
				Agent: agent, AgentActor: string(f.kindProbe(KindAgent).id), CustomerGrace: time.Minute,
			})
			var sent []*ConvMessage
			for i := range 3 {
				f.send(f.dir.PID(KindConv, string(conv)), &Post{From: agent, Text: fmt.Sprint(i + 1)})
				sent = append(sent, waitFor(t, elsewhere, func(m *ConvMessage) bool { return m.Seq == uint64(i+1) }))
			}
			f.send(cu.pid, &ConvOpened{Conv: conv, Customer: cu.me, Agent: agent, Why: WhyAssigned, History: []ConvMessage{*sent[0]}})

			cu.frame("hold") // the connection waits while both arrive
			f.send(cu.pid, sent[2])
			if late {
				f.send(cu.pid, sent[1])
			}
			close(cu.codec.hold)
			cu.next(isMsg(conv, 3))
			f.send(cu.pid, sent[1]) // late, or again: the client has it
			f.send(cu.pid, sent[2])
			cu.flush()
			if got, want := cu.messages(conv), []uint64{1, 2, 3}; !slices.Equal(got, want) {
				t.Fatalf("client saw seqs %v, want %v", got, want)
			}
		})
	}
}

// TestGapPastTheHoldBound: more messages past a gap than a connection
// holds are dropped, and the conversation's answer brings them all, once
// each, in order.
func TestGapPastTheHoldBound(t *testing.T) {
	f := newStoreFixture(t, sqliteStore(t), repairCfg)
	cu := connect(t, f, f.dir, newCustomers{}, &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"})
	elsewhere := f.probe()
	agent := Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}
	conv := ConvID(ids.Conv + ids.New())
	f.activate(StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Customer: cu.me, CustomerConn: elsewhere.id,
		Agent: agent, AgentActor: string(f.kindProbe(KindAgent).id), CustomerGrace: time.Minute,
		HistoryPage: HistoryLimits{Messages: 100},
	})
	const n = maxHeld + 10
	var sent []*ConvMessage
	for i := range n {
		f.send(f.dir.PID(KindConv, string(conv)), &Post{From: agent, Text: fmt.Sprint(i + 1)})
		sent = append(sent, waitFor(t, elsewhere, func(m *ConvMessage) bool { return m.Seq == uint64(i+1) }))
	}
	f.send(cu.pid, &ConvOpened{Conv: conv, Customer: cu.me, Agent: agent, Why: WhyAssigned, History: []ConvMessage{*sent[0]}})
	cu.frame("hold")
	for _, m := range sent[2:] {
		f.send(cu.pid, m)
	}
	close(cu.codec.hold)
	cu.next(isMsg(conv, n))
	cu.flush()
	want := make([]uint64, n)
	for i := range want {
		want[i] = uint64(i + 1)
	}
	if got := cu.messages(conv); !slices.Equal(got, want) {
		t.Fatalf("client saw seqs %v, want %v", got, want)
	}
}

// TestConvFailedOnOneNode: where actors do not move, a conversation that
// stops without its goodbye has failed, as before: the customer is told.
func TestConvFailedOnOneNode(t *testing.T) {
	f := newFixture(t, repairCfg)
	cu := connect(t, f, f.dir, newCustomers{}, &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"})
	conv := ConvID(ids.Conv + ids.New())
	f.activate(StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Customer: cu.me, CustomerConn: cu.id,
		Agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, AgentActor: string(f.kindProbe(KindAgent).id),
		CustomerGrace: time.Minute,
	})
	cu.next(isOpened(conv))
	f.moveConv(conv)
	end := cu.next(func(m any) bool { _, ok := m.(*ConvClosed); return ok }).(*ConvClosed)
	if end.Conv != conv || end.Reason != ReasonFailed {
		t.Fatalf("got %+v, want %s failed", end, conv)
	}
}

// TestEndFillsGap: an end that overtook messages (lost on their way, with
// a node) names the last seq; the connection reads what it lacks from the
// store and delivers it before the end, once each, in order.
func TestEndFillsGap(t *testing.T) {
	st := openSQLite(t)
	f := newStoreFixture(t, st, repairCfg)
	cu := connectWith(t, f, f.dir, newCustomers{}, &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"}, st)
	elsewhere := f.probe()
	agent := Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}
	conv := ConvID(ids.Conv + ids.New())
	f.activate(StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Customer: cu.me, CustomerConn: elsewhere.id,
		Agent: agent, AgentActor: string(f.kindProbe(KindAgent).id), CustomerGrace: time.Minute,
	})
	var sent []*ConvMessage
	for i := range 3 {
		f.send(f.dir.PID(KindConv, string(conv)), &Post{From: agent, Text: fmt.Sprint(i + 1)})
		sent = append(sent, waitFor(t, elsewhere, func(m *ConvMessage) bool { return m.Seq == uint64(i+1) }))
	}
	f.send(cu.pid, &ConvOpened{Conv: conv, Customer: cu.me, Agent: agent, Why: WhyAssigned, History: []ConvMessage{*sent[0]}})
	f.send(cu.pid, &ConvClosed{Conv: conv, By: cu.me, Reason: ReasonCustomerEnded, Last: 3})
	cu.next(func(m any) bool { _, ok := m.(*ConvClosed); return ok })
	cu.flush()
	if got, want := cu.messages(conv), []uint64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("client saw seqs %v before the end, want %v", got, want)
	}
}
