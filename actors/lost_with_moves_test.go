package actors

// Tests of what a move on a cluster can lose on its way (delivery between
// nodes is at most once) and how it is found again: a stale agent actor,
// an end, a rejoin.

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/store"
)

// restoreStartLoser loses the next restored start sent to a conversation
// that is alive, as a conversation moving at the moment a moved dispatcher
// restores it does, so that the conversation keeps the agent actor it had.
// It tells the test each agent actor activated.
type restoreStartLoser struct {
	Directory
	lose   chan struct{} // one token per start to lose
	agents chan string   // the id of each agent actor activated
}

func (d restoreStartLoser) Activate(kind Kind, id string, start any) (*actor.PID, error) {
	if s, ok := start.(*StartConv); ok && s.Restore && !s.Rehomed {
		select {
		case <-d.lose:
			return d.PID(kind, id), nil
		default:
		}
	}
	if kind == KindAgent {
		d.agents <- id
	}
	return d.Directory.Activate(kind, id, start)
}

// TestStaleAgentActorRepointed: the dispatcher moves and makes the agent
// a new agent actor, but one conversation misses its restored start and
// keeps the old one, which then goes with its node. The customer's next
// message wakes the old incarnation, unstarted; it asks the dispatcher
// for its start (AgentRejoin), and the dispatcher, which knows the agent
// under a newer incarnation, tells the agent's conversations the current
// one. The message reaches the agent's tab. The rebalance scenarios
// (clustertest) stalled here: the conversation sent to the old
// incarnation forever.
func TestStaleAgentActorRepointed(t *testing.T) {
	st := openSQLite(t)
	loser := &restoreStartLoser{lose: make(chan struct{}, 1), agents: make(chan string, 100)}
	f, dir, cfg := newWrappedClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}, func(d Directory) Directory {
		loser.Directory = d
		return loser
	})
	k := *f.dir.kinds
	k.StartWait = 20 * time.Millisecond
	f.dir.UseKinds(&k)
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	stale := nextString(t, loser.agents)
	c, conv := seatWith(t, f, dir, auth, agent, "c")
	c.post(conv, "before", "m1")
	c.next(isAck("m1"))
	agent.next(isMsg(conv, 1))

	loser.lose <- struct{}{}
	moveDispatcher(t, f, st, cfg)
	if current := nextString(t, loser.agents); current == stale {
		t.Fatalf("the restored dispatcher kept incarnation %s", stale)
	}
	f.waitStats("the agent back", func(s Stats) bool { return s.AgentsOnline == 1 && s.Serving == 1 })

	// The old incarnation goes with its node; the conversation's next
	// send to it activates it again, without a start.
	f.move(KindAgent, stale)
	waitGone(t, f, f.dir.PID(KindAgent, stale))
	props, err := k.Props(KindAgent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Spawn(KindAgent, stale, props); err != nil {
		t.Fatal(err)
	}

	c.post(conv, "after", "m2")
	c.next(isAck("m2"))
	agent.next(isMsg(conv, 2))
}

// nextString returns the next string sent on ch.
func nextString(t *testing.T, ch chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(testWait):
		t.Fatal("nothing came")
		return ""
	}
}

// TestGoneReplaysWhatTheTabMissed: an agent's tab whose sync reaches an
// ended conversation's actor woken without its start is told only that it
// is gone (conversation_unstarted.go). The tab then replays from the store
// what it missed before the end, then the end: the rebalance scenario
// (clustertest) saw a tab told "gone" one message short.
func TestGoneReplaysWhatTheTabMissed(t *testing.T) {
	st := openSQLite(t)
	f, dir, _ := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	agent := connectWith(t, f, dir, auth, &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t", Name: "a"}, st)
	c, conv := seatWith(t, f, dir, auth, agent, "c")
	c.post(conv, "one", "m1")
	c.next(isAck("m1"))
	agent.next(isMsg(conv, 1))

	// The second message and the end are stored; the tab hears of neither
	// (lost with a node), then hears "gone" from a woken actor.
	ctx := context.Background()
	rec, err := st.Conversation(ctx, string(conv))
	if err != nil {
		t.Fatal(err)
	}
	rec.EndedAt, rec.EndedBy, rec.EndReason = time.Now(), c.me.ID, ReasonCustomerEnded
	missed := store.Message{Conv: string(conv), Seq: 2, SenderID: c.me.ID, SenderRole: RoleCustomer.String(), SenderName: c.me.Name, Text: "two", ClientID: "m2", At: time.Now()}
	if err := st.Apply(ctx, &store.Batch{Conversations: []store.Conversation{rec}, Messages: []store.Message{missed}}); err != nil {
		t.Fatal(err)
	}
	f.send(agent.pid, &ConvClosed{Conv: conv, Other: c.me, Reason: ReasonGone})

	replay := agent.next(func(m any) bool { o, ok := m.(*ConvOpened); return ok && o.Conv == conv }).(*ConvOpened)
	if replay.Why != WhyEnded || len(replay.History) != 1 || replay.History[0].Seq != 2 {
		t.Fatalf("replayed %+v, want the ended conversation with seq 2", replay)
	}
	agent.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv && e.Reason == ReasonGone })
}

// TestReconcileReplaysAnEndLost: an agent's tab told which conversations
// the agent serves after its agent actor moved (Reconcile) replays to its
// end one it still shows that ended meanwhile (its end lost with the old
// activation: TestRestartKilledNode's tabs kept such a conversation open
// for good), and leaves alone one that is open though the list lacks it.
func TestReconcileReplaysAnEndLost(t *testing.T) {
	st := openSQLite(t)
	f, dir, _ := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 2}
	agent := connectWith(t, f, dir, auth, &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t", Name: "a"}, st)
	var convs []ConvID
	for _, name := range []string{"c1", "c2"} {
		c, conv := seatWith(t, f, dir, auth, agent, name)
		c.post(conv, "one", "m1")
		c.next(isAck("m1"))
		agent.next(isMsg(conv, 1))
		convs = append(convs, conv)
	}
	ended, open := convs[0], convs[1]
	ctx := context.Background()
	rec, err := st.Conversation(ctx, string(ended))
	if err != nil {
		t.Fatal(err)
	}
	rec.EndedAt, rec.EndReason = time.Now(), ReasonCustomerEnded
	if err := st.Apply(ctx, &store.Batch{Conversations: []store.Conversation{rec}}); err != nil {
		t.Fatal(err)
	}

	f.send(agent.pid, &Reconcile{})
	agent.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == ended && e.Reason == ReasonGone })
	agent.flush()
	for _, m := range agent.seen {
		if e, ok := m.(*ConvClosed); ok && e.Conv == open {
			t.Fatalf("the open conversation was closed: %+v", e)
		}
	}
}

// TestRejoinLostIsSentAgain: a waiting customer's rejoin to a moved
// dispatcher is lost though the dispatcher is up (the connection's watch
// of it holds). The connection sends it again when no answer comes, so
// the customer is back in its place and the next agent serves it; without
// that it stayed "away" in the dispatcher's queue, passed over for good
// (TestRestartKilledNode's customer left waiting beside idle agents).
func TestRejoinLostIsSentAgain(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	waiting := hello(t, f, dir, auth, RoleCustomer, "w")
	waiting.command("request", &CmdRequest{})
	waiting.next(isQueued(1)) // stored before it is told

	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor {
		return &losesFirst[*CustomerConnect]{Actor: a, which: func(m *CustomerConnect) bool { return m.Rejoin }}
	})

	agent := hello(t, f, dir, auth, RoleAgent, "a")
	conv := waiting.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
}

// TestFinishLostIsSentAgain: where actors move, a conversation's end
// that its dispatcher never hears is reported again until answered, so
// the agent's slot is freed and the next customer served. Without that
// the slot stayed taken for a conversation that was over.
func TestFinishLostIsSentAgain(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor { return &losesFirst[*ConvFinished]{Actor: a} })
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	first, conv := seatWith(t, f, dir, auth, agent, "c1")
	first.command("end", &CmdEnd{Conv: conv})
	first.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv })

	seatWith(t, f, dir, auth, agent, "c2")
}

// neverFinishes is a dispatcher that never hears a conversation's end.
type neverFinishes struct{ actor.Actor }

func (d neverFinishes) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*ConvFinished); ok {
		return
	}
	d.Actor.Receive(ctx)
}

// TestSyncOfAnEndedConversation: an ended conversation still waiting for
// its dispatcher's answer answers a tab that syncs (it missed the end)
// with what it lacks, then the end, never as if the conversation were
// open.
func TestSyncOfAnEndedConversation(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor { return neverFinishes{a} })
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	c, conv := seatWith(t, f, dir, auth, agent, "c")
	c.post(conv, "bye", "m1")
	c.next(isAck("m1"))
	c.command("end", &CmdEnd{Conv: conv})
	c.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv })

	tab := f.probe()
	f.send(f.dir.PID(KindConv, string(conv)), &Sync{Conn: tab.id, Party: agent.me, After: 0})
	if got := waitFor[*ConvOpened](t, tab, nil); got.Conv != conv || len(got.History) != 1 {
		t.Fatalf("synced %+v, want the conversation's one message", got)
	}
	if got := waitFor[*ConvClosed](t, tab, nil); got.Conv != conv || got.Reason != ReasonCustomerEnded || got.Last != 1 {
		t.Fatalf("then told %+v, want its end after seq 1", got)
	}
	// A tab that never showed it (a stale list named it) is told only
	// that it is gone: its client may have seen the end elsewhere.
	stale := f.probe()
	f.send(f.dir.PID(KindConv, string(conv)), &Sync{Conn: stale.id, Party: agent.me, Unshown: true})
	select {
	case m := <-stale.got: // the first answer: no history before it
		if got, ok := m.(*ConvClosed); !ok || got.Conv != conv || got.Reason != ReasonGone {
			t.Fatalf("an unshown sync was answered %#v first, want a bare gone", m)
		}
	case <-time.After(testWait):
		t.Fatal("an unshown sync was not answered")
	}
}

// TestRequestLostIsSentAgain: a customer's request for an agent lost with
// a dispatcher that then moves is sent again when the rejoin's answer
// shows the customer idle, and the customer is served; its socket stayed
// open, so nothing else would ever ask again (TestRollingRestart's
// customers left "asked" for good).
func TestRequestLostIsSentAgain(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor { return &losesFirst[*RequestAgent]{Actor: a} })
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	c := hello(t, f, dir, auth, RoleCustomer, "c")
	c.command("request", &CmdRequest{})
	c.flush() // the request has reached the dispatcher, which lost it

	moveDispatcher(t, f, st, cfg)
	c.next(isQueued(1))
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	conv := c.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
}

// TestRestoredNeverStored: a conversation started as a restore whose
// record was never stored (on a cluster, the activation that started it
// moved before its first write committed) stores its record, so what is
// posted to it is stored and acknowledged instead of refused for ever
// (TestRollingRestart logged "a conversation is not stored" every second).
func TestRestoredNeverStored(t *testing.T) {
	st := openSQLite(t)
	f := newMovingFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	cust := f.probe()
	c := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	a := Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}
	conv := ConvID(ids.Conv + ids.New())
	if _, err := f.dir.Activate(KindConv, string(conv), &StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Restore: true, Rehomed: true,
		Customer: c, CustomerConn: cust.id, Agent: a, AgentActor: "ag_a.x", CustomerGrace: time.Minute,
	}); err != nil {
		t.Fatal(err)
	}
	if ack := postAcked(t, f, conv, c, cust, "hello", "m1"); ack.Seq != 1 {
		t.Fatalf("acked at %d, want 1", ack.Seq)
	}
	rec, err := st.Conversation(context.Background(), string(conv))
	if err != nil || rec.AgentID != a.ID || rec.CustomerID != c.ID {
		t.Fatalf("stored record %+v, %v; want it with its customer and agent", rec, err)
	}
}

// TestLateSyncAnswerDropped: the answer to a sync of a conversation the
// connection closed since it asked gives the client nothing: taken as a
// new opening it gave a customer the whole history again after its end
// (TestRestartKilledNode: "got seq 1 after seq 10").
func TestLateSyncAnswerDropped(t *testing.T) {
	st := openSQLite(t)
	f, dir, _ := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	c, conv := seatWith(t, f, dir, auth, agent, "c")
	c.post(conv, "one", "m1")
	c.next(isAck("m1"))
	c.command("end", &CmdEnd{Conv: conv})
	c.next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == conv })

	late := &ConvOpened{Conv: conv, Why: WhySync, History: []ConvMessage{{Conv: conv, Seq: 1, From: c.me, Text: "one"}}}
	f.send(c.pid, late)
	c.flush()
	for _, m := range c.seen {
		if o, ok := m.(*ConvOpened); ok && o.Why == WhySync {
			t.Fatalf("a late sync answer reached the client: %+v", o)
		}
	}
}

// losesFirst is a dispatcher that loses the first message of type T it
// is sent (of those which picks, all when nil), as one stopping for a
// move does, or at-most-once delivery between nodes may.
type losesFirst[T any] struct {
	actor.Actor
	which func(T) bool
	lost  bool
}

func (d *losesFirst[T]) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(T); ok && !d.lost && (d.which == nil || d.which(m)) {
		d.lost = true
		return
	}
	d.Actor.Receive(ctx)
}
