package actors

import (
	"context"
	"kefu/store"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
)

// standInConv answers for some conversation ids with a test's stand-in
// actors, so that the test sees what a connection asks of them and answers
// itself.
type standInConv struct {
	Directory
	stands map[ConvID]**probe // each set once the fixture is up
}

func (d standInConv) PID(kind Kind, id string) *actor.PID {
	if p, ok := d.stands[ConvID(id)]; ok && kind == KindConv {
		return (*p).pid
	}
	return d.Directory.PID(kind, id)
}

// oneAgentAuth is the authenticator of this file's tests: one agent "a" of
// capacity 1, any customer.
var oneAgentAuth = anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}

// standInFixture is a cluster fixture whose conversations convs are
// stand-ins, one each, returned in order.
func standInFixture(t *testing.T, convs ...ConvID) (*fixture, Directory, []*probe) {
	t.Helper()
	stands := make([]*probe, len(convs))
	byConv := map[ConvID]**probe{}
	for i, id := range convs {
		byConv[id] = &stands[i]
	}
	f, dir, _ := newWrappedClusterFixture(t, openSQLite(t), DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}, func(d Directory) Directory {
		return standInConv{Directory: d, stands: byConv}
	})
	for i := range stands {
		stands[i] = f.probe()
	}
	return f, dir, stands
}

// TestTailLossProbed: on a cluster, an agent's tab that was given a
// conversation up to seq 1 and then hears nothing asks the conversation
// for what came after, by itself, and delivers the stored seq 2 it never
// got (a tail lost between nodes, which no later message shows as a gap:
// the rebalance scenarios left such tabs waiting for good). An answer with
// nothing new sends the client nothing, and the probes keep coming.
func TestTailLossProbed(t *testing.T) {
	conv := ConvID(ids.Conv + "standin")
	f, dir, stands := standInFixture(t, conv)
	stand := stands[0]
	tab := connectProbing(t, f, dir, oneAgentAuth, RoleAgent, 20*time.Millisecond)
	customer := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	one := ConvMessage{Conv: conv, Seq: 1, From: customer, Text: "one", ClientID: "m1", At: time.Now()}
	f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhyAssigned, History: []ConvMessage{one}})
	tab.next(isOpened(conv))

	// Nothing new: the answer sends the client nothing.
	ask := nextSync(t, stand, conv)
	if ask.After != 1 || ask.Conn != tab.id {
		t.Fatalf("probe %+v, want a sync after 1 from %s", ask, tab.id)
	}
	f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhySync, After: 1})

	// The next probe finds seq 2, stored and never delivered.
	ask = nextSync(t, stand, conv)
	if ask.After != 1 {
		t.Fatalf("second probe %+v, want a sync after 1", ask)
	}
	two := ConvMessage{Conv: conv, Seq: 2, From: customer, Text: "two", ClientID: "m2", At: time.Now()}
	f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhySync, After: 1, History: []ConvMessage{one, two}})
	tab.next(isMsg(conv, 2))
	ask = nextSync(t, stand, conv)
	if ask.After != 2 {
		t.Fatalf("probe after the fill %+v, want a sync after 2", ask)
	}
	tab.flush()
	if n := count[*ConvOpened](tab); n != 1 {
		t.Fatalf("the client was sent %d conv frames, want only the assignment's: %+v", n, tab.seen)
	}
}

// connectProbing connects a client of role whose probes come every
// probeEvery.
func connectProbing(t *testing.T, f *fixture, dir Directory, auth Authenticator, role Role, probeEvery time.Duration) *client {
	t.Helper()
	hello := &CmdHello{Version: ProtocolVersion, Role: role, Token: "t", Name: "p"}
	return connectConfigured(t, f, dir, auth, hello, func(cfg *ConnConfig) { cfg.ProbeMax = probeEvery })
}

// nextSync returns the next Sync the stand-in for conv is sent.
func nextSync(t *testing.T, p *probe, conv ConvID) *Sync {
	t.Helper()
	deadline := time.After(testWait)
	for {
		select {
		case m := <-p.got:
			if s, ok := m.(*Sync); ok && s.Party.Role == RoleAgent {
				return s
			}
		case <-deadline:
			t.Fatalf("no sync of %s came", conv)
			return nil
		}
	}
}

// rejoinCounter passes everything on to its dispatcher and counts the
// customers' rejoins.
type rejoinCounter struct {
	actor.Actor
	rejoins chan struct{}
}

func (d *rejoinCounter) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(*CustomerConnect); ok && m.Rejoin {
		d.rejoins <- struct{}{}
	}
	d.Actor.Receive(ctx)
}

// TestWaitingCustomerProbesItsPlace: on a cluster, a waiting customer's
// connection asks its dispatcher where it stands now and then (a rejoin),
// not only when it sees the dispatcher move: a place or a request lost
// with a dispatcher that moved while the connection's watch of it was
// lost would otherwise leave the customer away in the queue, passed over
// beside free agents. Being asked again changes nothing the client sees,
// and the next agent still serves it.
func TestWaitingCustomerProbesItsPlace(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := oneAgentAuth
	waiting := connectProbing(t, f, dir, auth, RoleCustomer, 20*time.Millisecond)
	waiting.command("request", &CmdRequest{})
	waiting.next(isQueued(1))

	counter := &rejoinCounter{rejoins: make(chan struct{}, 1000)}
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor {
		counter.Actor = a
		return counter
	})
	for range 3 { // the move's rejoin, then the probes'
		select {
		case <-counter.rejoins:
		case <-time.After(testWait):
			t.Fatal("the waiting customer did not ask where it stands")
		}
	}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	conv := waiting.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
	if n := count[*Queued](waiting); n != 1 {
		t.Fatalf("the client was told its place %d times, want once: %+v", n, waiting.seen)
	}
}

// TestWaitingCustomerForgottenAsksAgain: a customer told its place whose
// dispatcher forgot it (here its rejoin after the move is lost, and its
// grace runs out meanwhile) is answered idle when it rejoins; its client
// still waits, so the connection asks for an agent again, and the next
// agent serves it (a clean-clone CI run of TestRestartKilledNode left such
// a customer waiting for good beside idle agents).
func TestWaitingCustomerForgottenAsksAgain(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: 50 * time.Millisecond})
	auth := oneAgentAuth
	waiting := connectProbing(t, f, dir, auth, RoleCustomer, 20*time.Millisecond)
	waiting.command("request", &CmdRequest{})
	waiting.next(isQueued(1))
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor { return &losesFirst[*CustomerConnect]{Actor: a} })
	if ev := f.event(RoutingLeftQueue); ev.Customer != waiting.me.ID {
		t.Fatalf("left the queue: %+v, want the waiting customer, its grace over", ev)
	}
	if ev := f.event(RoutingQueued); ev.Customer != waiting.me.ID {
		t.Fatalf("queued: %+v, want the waiting customer again", ev)
	}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	conv := waiting.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
}

// TestCancelledCustomerNotQueuedAgain: a Queued that arrives after the
// customer cancelled (sent before the cancel reached the dispatcher) does
// not make its connection wait again: its probes would find it idle and
// ask for an agent the customer no longer wants.
func TestCancelledCustomerNotQueuedAgain(t *testing.T) {
	st := openSQLite(t)
	f, dir, _ := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	c := connectProbing(t, f, dir, oneAgentAuth, RoleCustomer, 20*time.Millisecond)
	c.command("request", &CmdRequest{})
	c.next(isQueued(1))
	c.command("cancel", &CmdCancel{})
	c.next(func(m any) bool { _, ok := m.(*Dequeued); return ok })
	f.event(RoutingLeftQueue)           // the events before it are the first request's
	f.send(c.pid, &Queued{Position: 1}) // late
	select {
	case ev := <-f.events:
		if ev.Kind == RoutingQueued {
			t.Fatalf("queued again after cancelling: %+v", ev)
		}
	case <-time.After(20 * 20 * time.Millisecond): // twenty probes
	}
}

// TestReconcileAsksForAnAssignmentLost: an agent's tab told which
// conversations its agent serves (Reconcile, after the agent actor moved)
// asks for one it does not show, whose assignment went to the old
// activation, and shows it: the rolling restart left a customer chatting
// in a conversation no tab of its agent showed. An ask that goes
// unanswered is asked again by the probes.
func TestReconcileAsksForAnAssignmentLost(t *testing.T) {
	conv := ConvID(ids.Conv + "standin")
	f, dir, stands := standInFixture(t, conv)
	stand := stands[0]
	tab := connectProbing(t, f, dir, oneAgentAuth, RoleAgent, 20*time.Millisecond)
	f.send(tab.pid, &Reconcile{Convs: []ConvID{conv}})
	// The first ask is lost; the probe asks again.
	for range 2 {
		if ask := nextSync(t, stand, conv); ask.After != 0 {
			t.Fatalf("asked %+v, want the whole conversation", ask)
		}
	}
	customer := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	one := ConvMessage{Conv: conv, Seq: 1, From: customer, Text: "one", ClientID: "m1", At: time.Now()}
	f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhySync, History: []ConvMessage{one}})
	if o := tab.next(isOpened(conv)).(*ConvOpened); len(o.History) != 1 {
		t.Fatalf("the tab showed %+v, want its one message", o)
	}
}

// endedHistory is a store whose conversations have all ended, each with
// two messages from customer c and agent p: what replayEnded reads.
type endedHistory struct{ store.Discard }

func (endedHistory) Conversation(_ context.Context, id string) (store.Conversation, error) {
	return store.Conversation{ID: id, CustomerID: ids.Customer + "c", AgentID: ids.Agent + "p", EndedAt: time.Now()}, nil
}

func (endedHistory) MessagesBefore(_ context.Context, conv string, _ uint64, _ int) ([]store.Message, error) {
	return []store.Message{{Seq: 1, SenderID: ids.Customer + "c", Text: "one"}, {Seq: 2, SenderID: ids.Agent + "p", Text: "two"}}, nil
}

// TestEndedNeverShownNotReplayed: a conversation a stale list names (a
// Reconcile's, a rejoin's) that the client was never shown here, and that
// turns out to be over, is dropped without a frame. Replayed from seq 1,
// it gave a client that had seen it end on an earlier socket the whole
// conversation twice (a clean-clone CI run of TestRollingRestart). One the
// client resumed is still replayed from where it was.
func TestEndedNeverShownNotReplayed(t *testing.T) {
	conv := ConvID(ids.Conv + "standin")
	f, dir, stands := standInFixture(t, conv)
	stand := stands[0]
	hello := &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t", Name: "p"}
	tab := connectConfigured(t, f, dir, oneAgentAuth, hello, func(cfg *ConnConfig) {
		cfg.ProbeMax, cfg.History = time.Hour, endedHistory{}
	})
	f.send(tab.pid, &Reconcile{Convs: []ConvID{conv}})
	nextSync(t, stand, conv)
	f.send(tab.pid, &ConvClosed{Conv: conv, Reason: ReasonGone})
	tab.flush()
	if n := count[*ConvOpened](tab) + count[*ConvClosed](tab); n != 0 {
		t.Fatalf("the client was sent %d frames of a conversation it never showed, over: %+v", n, tab.seen)
	}

	// A customer named in such a conversation by its dispatcher may have
	// been told it is chatting there: it hears the end, bare.
	hello = &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "c"}
	cust := connectConfigured(t, f, dir, oneAgentAuth, hello, func(cfg *ConnConfig) {
		cfg.ProbeMax, cfg.History = time.Hour, endedHistory{}
	})
	f.send(cust.pid, &CustomerAdmitted{Conv: conv}) // a rejoin's answer
	if s := waitFor(t, stand, func(s *Sync) bool { return s.Party.Role == RoleCustomer }); !s.Unshown {
		t.Fatalf("synced %+v, want it marked unshown", s)
	}
	f.send(cust.pid, &ConvClosed{Conv: conv, Reason: ReasonGone})
	cust.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv && e.Reason == ReasonGone })
	if n := count[*ConvOpened](cust); n != 0 {
		t.Fatalf("the customer was replayed the conversation: %+v", cust.seen)
	}
}

// TestResyncOfAConversationNotShown: an agent's tab told by its agent
// actor that a conversation it does not show is back after a move asks
// for it, and shows it once even when the assignment comes after the
// answer. TestRestartKilledNode left customers chatting in conversations
// whose assignment went to an agent actor that moved: the conversation,
// activated again, told the agent it was back, and the tab ignored it.
func TestResyncOfAConversationNotShown(t *testing.T) {
	conv := ConvID(ids.Conv + "standin")
	f, dir, stands := standInFixture(t, conv)
	stand := stands[0]
	tab := hello(t, f, dir, oneAgentAuth, RoleAgent, "a")
	f.send(tab.pid, &Resync{Conv: conv})
	if ask := nextSync(t, stand, conv); ask.After != 0 {
		t.Fatalf("asked %+v, want the whole conversation", ask)
	}
	customer := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	one := ConvMessage{Conv: conv, Seq: 1, From: customer, Text: "one", ClientID: "m1", At: time.Now()}
	opened := &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, History: []ConvMessage{one}}
	answer, assigned := *opened, *opened
	answer.Why, assigned.Why = WhySync, WhyAssigned
	f.send(tab.pid, &answer)
	f.send(tab.pid, &assigned)
	tab.next(isOpened(conv))
	tab.flush()
	if n := count[*ConvOpened](tab); n != 1 {
		t.Fatalf("the client was sent %d conv frames, want one: %+v", n, tab.seen)
	}
}

// TestNoWordReopensAnEndedConversation: once a tab has seen a conversation
// end, a late word of it (a Resync from a move that crossed the end, a
// rejoin's list made before the dispatcher heard of it) opens nothing: the
// rolling restart's agents were given an ended conversation's whole history
// again (seq 1 after seq 10).
func TestNoWordReopensAnEndedConversation(t *testing.T) {
	conv, later := ConvID(ids.Conv+"standin"), ConvID(ids.Conv+"later")
	f, dir, stands := standInFixture(t, conv, later)
	stand, laterStand := stands[0], stands[1]
	tab := hello(t, f, dir, oneAgentAuth, RoleAgent, "a")
	customer := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	one := ConvMessage{Conv: conv, Seq: 1, From: customer, Text: "one", ClientID: "m1", At: time.Now()}
	f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhyAssigned, History: []ConvMessage{one}})
	tab.next(isOpened(conv))
	f.send(tab.pid, &ConvClosed{Conv: conv, Other: customer, Reason: ReasonCustomerEnded})
	tab.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv })

	f.send(tab.pid, &Resync{Conv: conv})
	f.send(tab.pid, &Reconcile{Convs: []ConvID{conv}})
	f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhySync, History: []ConvMessage{one}})
	// A conversation the tab never showed, asked for after them: once
	// its sync is out, the tab has handled the words before it.
	f.send(tab.pid, &Resync{Conv: later})
	nextSync(t, laterStand, later)
	select {
	case m := <-stand.got:
		t.Fatalf("the ended conversation was asked again: %+v", m)
	default:
	}
	tab.flush()
	if n := count[*ConvOpened](tab); n != 1 {
		t.Fatalf("the client was sent %d conv frames, want the one before the end: %+v", n, tab.seen)
	}
}

// probingCustomerInStandIn is a customer's connection, probing every 20
// ms, shown a stand-in conversation (the probe returned) with agent a.
func probingCustomerInStandIn(t *testing.T) (f *fixture, stand *probe, customer *client, conv ConvID, agent Party) {
	t.Helper()
	conv = ConvID(ids.Conv + "standin")
	f, dir, stands := standInFixture(t, conv)
	customer = connectProbing(t, f, dir, oneAgentAuth, RoleCustomer, 20*time.Millisecond)
	agent = Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}
	f.send(customer.pid, &ConvOpened{Conv: conv, Customer: customer.me, Agent: agent, Why: WhyAssigned})
	customer.next(isOpened(conv))
	return f, stands[0], customer, conv, agent
}

// TestEndAskedAgain: a customer's end that the conversation never answered
// (lost with a move) is sent again with the probes, until the end comes:
// the rolling restart left a customer waiting for good on its end.
func TestEndAskedAgain(t *testing.T) {
	f, stand, customer, conv, agent := probingCustomerInStandIn(t)
	customer.command("end", &CmdEnd{Conv: conv})
	for range 2 { // the end, then again with a probe
		waitFor[*End](t, stand, nil)
	}
	f.send(customer.pid, &ConvClosed{Conv: conv, Other: agent, Reason: ReasonCustomerEnded})
	customer.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv })
}

// TestPostAskedAgain: on a cluster, a client's message that gets no
// answer for a whole probe gap (lost on its way, or with an activation that
// moved) is sent again with the probe, under the same client id, and the
// client gets one ack (a clean-clone CI run of TestRollingRestart: an
// agent's line never stored, and both sides waiting for good).
func TestPostAskedAgain(t *testing.T) {
	f, stand, customer, conv, _ := probingCustomerInStandIn(t)
	customer.command("msg", &CmdPost{Conv: conv, Text: "hello", ClientID: "c1"})
	for range 2 { // the post, then again with a probe
		waitFor(t, stand, func(p *Post) bool { return p.ClientID == "c1" && p.Text == "hello" })
	}
	f.send(customer.pid, &Ack{Conv: conv, ClientID: "c1", Seq: 1})
	customer.next(func(m any) bool { a, ok := m.(*Ack); return ok && a.ClientID == "c1" })
}

// TestAdmissionAskedAgain: on a cluster, a hello whose admission the
// dispatcher never received (lost with a move) is asked again, and the
// client is welcomed: without it the client waited for a welcome that never
// came, a waiting customer passed over meanwhile. An agent asked again
// keeps its capacity.
func TestAdmissionAskedAgain(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := oneAgentAuth
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor {
		a = &losesFirst[*AgentConnect]{Actor: a}
		return &losesFirst[*CustomerConnect]{Actor: a}
	})
	c := hello(t, f, dir, auth, RoleCustomer, "c") // waits for its welcome
	c.command("request", &CmdRequest{})
	c.next(isQueued(1))
	agent := connect(t, f, dir, auth, &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t", Name: "a"})
	if w := agent.seen[len(agent.seen)-1].(*Welcome); w.Capacity != 1 {
		t.Fatalf("welcomed with capacity %d, want the account's 1", w.Capacity)
	}
	conv := c.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
}

// TestWaitingCustomerProbesAtItsPace: a waiting customer's probes come at
// least every waitingProbe, within a moved dispatcher's restoreSettle, so
// that its rejoin is back before the queue is served without it (a
// clean-clone CI run of TestRollingRestart passed over a connected waiting
// customer whose connection never heard of the move); other connections'
// gaps double up to probeMax.
func TestWaitingCustomerProbesAtItsPace(t *testing.T) {
	c := &connection{}
	c.probe.gap = 8 * time.Second
	if got := c.nextProbeGap(); got != probeMax {
		t.Fatalf("a connection not waiting: next gap %v, want %v", got, probeMax)
	}
	c.me.Role, c.rejoin.position = RoleCustomer, 3
	if got := c.nextProbeGap(); got != waitingProbe || waitingProbe >= restoreSettle {
		t.Fatalf("a waiting customer: next gap %v, want %v (under restoreSettle %v)", got, waitingProbe, restoreSettle)
	}
	c.probe.gap = 500 * time.Millisecond
	if got := c.nextProbeGap(); got != time.Second {
		t.Fatalf("a waiting customer after a move: next gap %v, want the doubling 1s", got)
	}
}

// TestWithdrawnConversationBackToWaiting: a customer whose conversation is
// withdrawn (started by a dispatcher that had lost its queue, and never
// stored: conversation_fenced.go) hears it ended as withdrawn, then asks
// the dispatcher where it stands. Still in the queue there, it is told
// its place and served by the next agent; unknown there, it asks for an
// agent again. Without the ask, a customer still queued showed nothing
// but a closed chat until its turn came.
func TestWithdrawnConversationBackToWaiting(t *testing.T) {
	withdraw := func(f *fixture, c *client, conv ConvID) {
		f.send(c.pid, &ConvOpened{Conv: conv, Customer: c.me, Agent: oneAgentAuth.agent, Why: WhyAssigned})
		c.next(isOpened(conv))
		f.send(c.pid, &ConvClosed{Conv: conv, Other: oneAgentAuth.agent, Reason: ReasonWithdrawn})
		c.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv && e.Reason == ReasonWithdrawn })
	}
	t.Run("StillQueued", func(t *testing.T) {
		conv := ConvID(ids.Conv + "withdrawn")
		f, dir, _ := standInFixture(t, conv)
		c := connectProbing(t, f, dir, oneAgentAuth, RoleCustomer, time.Minute)
		c.command("request", &CmdRequest{})
		c.next(isQueued(1))
		withdraw(f, c, conv)
		c.next(isQueued(1))
		agent := hello(t, f, dir, oneAgentAuth, RoleAgent, "a")
		served := c.next(func(m any) bool { o, ok := m.(*ConvOpened); return ok && o.Conv != conv }).(*ConvOpened).Conv
		agent.next(isOpened(served))
	})
	t.Run("AsksAgain", func(t *testing.T) {
		conv := ConvID(ids.Conv + "withdrawn")
		f, dir, _ := standInFixture(t, conv)
		c := connectProbing(t, f, dir, oneAgentAuth, RoleCustomer, time.Minute)
		withdraw(f, c, conv)
		if ev := f.event(RoutingQueued); ev.Customer != c.me.ID {
			t.Fatalf("queued: %+v, want the customer whose conversation was withdrawn", ev)
		}
		c.next(isQueued(1))
	})
}

// TestNeverStoredDroppedByTheTab: an agent's tab that shows a conversation
// the store never stored, and its agent no longer serves, drops it as
// withdrawn once it has had it longer than a first write can take: the
// conversation's own word of its withdrawal went to an agent actor the
// tab no longer hears from. Sooner, it may be a conversation whose first
// write is on its way: the tab looks again when that time is up, since no
// other reconcile may come.
func TestNeverStoredDroppedByTheTab(t *testing.T) {
	withdrawn := func(conv ConvID) func(any) bool {
		return func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv && e.Reason == ReasonWithdrawn }
	}
	for _, tc := range []struct {
		name  string
		after time.Duration
		drop  bool
	}{{"Kept", time.Hour, false}, {"Dropped", time.Nanosecond, true}, {"DroppedWhenTimeIsUp", 200 * time.Millisecond, true}} {
		t.Run(tc.name, func(t *testing.T) {
			conv := ConvID(ids.Conv + "neverstored")
			f, dir, _ := standInFixture(t, conv)
			hello := &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t", Name: "p"}
			tab := connectConfigured(t, f, dir, oneAgentAuth, hello, func(cfg *ConnConfig) {
				cfg.ProbeMax, cfg.History, cfg.NeverStoredAfter = time.Hour, openSQLite(t), tc.after
			})
			customer := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
			f.send(tab.pid, &ConvOpened{Conv: conv, Customer: customer, Agent: tab.me, Why: WhyAssigned})
			tab.next(isOpened(conv))
			f.send(tab.pid, &Reconcile{})
			if tc.drop {
				tab.next(withdrawn(conv))
				return
			}
			tab.flush()
			if n := count[*ConvClosed](tab); n != 0 {
				t.Fatalf("a conversation held for less than the bound was dropped: %+v", tab.seen)
			}
		})
	}
}
