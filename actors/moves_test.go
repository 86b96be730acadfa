package actors

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/metrics"
	"kefu/store"
)

// Tests of "Terminated means moved" (dispatcher_moves.go, agent.go's
// convStopped, StartConv.Rehomed): where actors move, a conversation or
// agent actor that stops without its goodbye comes back; on one node it
// failed, as it always did.

// activation is one Directory.Activate a test saw.
type activation struct {
	kind  Kind
	id    string
	start any
}

// recordingDir tells the test of each activation.
type recordingDir struct {
	Directory
	activated chan activation
}

func (r recordingDir) Activate(kind Kind, id string, start any) (*actor.PID, error) {
	r.activated <- activation{kind: kind, id: id, start: start}
	return r.Directory.Activate(kind, id, start)
}

// newRecordingFixture is a fixture whose activations are recorded, its
// actors seeing a directory where actors move (movingDir) or not.
func newRecordingFixture(t *testing.T, st store.Conversations, cfg DispatcherConfig, moving bool) (*fixture, chan activation) {
	t.Helper()
	activated := make(chan activation, 1000)
	f := newWrappedFixture(t, st, cfg, func(d Directory) Directory {
		if moving {
			d = movingDir{d}
		}
		return recordingDir{Directory: d, activated: activated}
	})
	return f, activated
}

// nextActivation returns the next activation of kind.
func nextActivation(t *testing.T, activated chan activation, kind Kind) activation {
	t.Helper()
	deadline := time.After(testWait)
	for {
		select {
		case a := <-activated:
			if a.kind == kind {
				return a
			}
		case <-deadline:
			t.Fatalf("no %s activated", kind)
			return activation{}
		}
	}
}

// openSQLite is a real store in a temporary directory.
func openSQLite(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// counter reads a counter of m by name.
func counter(t *testing.T, m *metrics.Metrics, name string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no %s", name)
	return 0
}

// post sends a customer's message and waits for its acknowledgement.
func postAcked(t *testing.T, f *fixture, conv ConvID, from Party, p *probe, text, cid string) *Ack {
	t.Helper()
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: from, Conn: p.id, Text: text, ClientID: cid})
	return waitFor[*Ack](t, p, func(a *Ack) bool { return a.ClientID == cid })
}

// TestConvMoved: a conversation whose actor stops mid-chat without ending,
// where actors move, is activated again by the dispatcher with what it
// stored: the next message takes the next number, a resend is answered
// with its first number and stored once, the agent still counts it
// (capacity holds), nobody is greeted again, and both sides are told to
// resync (the agent's tabs through the agent actor).
func TestConvMoved(t *testing.T) {
	st := openSQLite(t)
	m := metrics.New()
	f, activated := newRecordingFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute, Metrics: m}, true)
	a, ap := f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	nextActivation(t, activated, KindConv) // its start
	for i, cid := range []string{"m1", "m2"} {
		if ack := postAcked(t, f, conv, c, cp, cid, cid); ack.Seq != uint64(i+1) {
			t.Fatalf("%s acked at %d, want %d", cid, ack.Seq, i+1)
		}
	}
	waitFor[*ConvMessage](t, ap, func(m *ConvMessage) bool { return m.Seq == 2 })

	f.move(KindConv, string(conv))

	again := nextActivation(t, activated, KindConv)
	start, ok := again.start.(*StartConv)
	if !ok || again.id != string(conv) || !start.Restore || !start.Rehomed || start.Agent != a || start.CustomerConn != cp.id {
		t.Fatalf("activated again with %+v, want %s restored and rehomed with agent %s and the customer's connection", again.start, conv, a.ID)
	}
	// Both sides are told to ask for what they lack, and the customer is
	// greeted by nobody: its next frame from the conversation after the
	// Resync is the answer to its next message.
	for resynced := false; !resynced; {
		switch m := waitFor[any](t, ap, nil).(type) {
		case *ConvClosed:
			t.Fatalf("agent's tab told the moved conversation closed: %+v", m)
		case *Resync:
			resynced = m.Conv == conv
		}
	}
	waitFor[*Resync](t, cp, func(r *Resync) bool { return r.Conv == conv })
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: c, Conn: cp.id, Text: "m3", ClientID: "m3"})
	for done := false; !done; {
		switch m := waitFor[any](t, cp, nil).(type) {
		case *ConvOpened:
			t.Fatalf("customer greeted again after the move: %+v", m)
		case *Ack:
			if got, want := m.Seq, uint64(3); m.ClientID != "m3" || got != want {
				t.Fatalf("ack %+v, want m3 at seq %d", m, want)
			}
			done = true
		}
	}
	t.Run("ResendAnsweredOnce", func(t *testing.T) {
		if ack := postAcked(t, f, conv, c, cp, "m2", "m2"); ack.Seq != 2 {
			t.Fatalf("resend of m2 acked at %d, want its first number 2", ack.Seq)
		}
		stored, err := st.Messages(context.Background(), string(conv), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(stored), 3; got != want {
			t.Fatalf("%d messages stored, want %d", got, want)
		}
		for i, m := range stored {
			if want := []string{"m1", "m2", "m3"}[i]; m.Seq != uint64(i+1) || m.Text != want {
				t.Fatalf("stored[%d] = seq %d %q, want seq %d %q", i, m.Seq, m.Text, i+1, want)
			}
		}
	})
	t.Run("AgentTabSyncs", func(t *testing.T) {
		f.send(f.dir.PID(KindConv, string(conv)), &Sync{Conn: ap.id, Party: a, After: 2})
		opened := waitFor[*ConvOpened](t, ap, func(o *ConvOpened) bool { return o.Why == WhySync })
		if len(opened.History) != 1 || opened.History[0].Text != "m3" {
			t.Fatalf("sync after 2 gave %+v, want m3", opened.History)
		}
	})
	t.Run("CapacityHolds", func(t *testing.T) {
		f.waitStats("the moved conversation still counted", func(s Stats) bool {
			return s.Conversations == 1 && s.Serving == 1 && s.FreeAgents == 0
		})
		c2, _ := f.customer("c2")
		f.send(f.dispatcher, &RequestAgent{Customer: c2.ID})
		f.waitStats("the second customer waits", func(s Stats) bool { return s.Queued == 1 && s.Serving == 1 })
	})
	if got, want := counter(t, m, "kefu_convs_rehomed_total"), 1.0; got != want {
		t.Fatalf("kefu_convs_rehomed_total=%v, want %v", got, want)
	}
}

// TestAgentActorMoved: an agent actor that stops without the dispatcher
// retiring it, where actors move, is activated again under its id with
// the agent's connections and conversations; the agent keeps its
// customers and its tabs, which are told to resync, and chat and new
// assignments reach them through the new activation.
func TestAgentActorMoved(t *testing.T) {
	f, activated := newRecordingFixture(t, openSQLite(t), DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}, true)
	_, ap := f.agent("a", 2)
	first := nextActivation(t, activated, KindAgent)
	c, cp, conv := seatCustomer(t, f, "c")
	waitFor[*ConvOpened](t, ap, nil)

	f.move(KindAgent, first.id)

	again := nextActivation(t, activated, KindAgent)
	start, ok := again.start.(*StartAgent)
	if !ok || again.id != first.id || len(start.Conns) != 1 || start.Conns[0] != ap.id || len(start.Convs) != 1 || start.Convs[0] != conv {
		t.Fatalf("activated again as %s with %+v, want %s with conn %s and conversation %s", again.id, again.start, first.id, ap.id, conv)
	}
	waitFor[*Resync](t, ap, func(r *Resync) bool { return r.Conv == conv })
	if ack := postAcked(t, f, conv, c, cp, "still there?", "m1"); ack.Seq != 1 {
		t.Fatalf("acked at %d, want 1", ack.Seq)
	}
	if got := waitFor[*ConvMessage](t, ap, nil); got.Text != "still there?" {
		t.Fatalf("tab got %+v, want the customer's message", got)
	}
	f.waitStats("the agent kept", func(s Stats) bool { return s.Agents == 1 && s.AgentsOnline == 1 && s.Serving == 1 })
	_, _, conv2 := seatCustomer(t, f, "c2")
	if got := waitFor[*ConvOpened](t, ap, nil); got.Conv != conv2 {
		t.Fatalf("tab opened %s, want the new conversation %s", got.Conv, conv2)
	}

	t.Run("ItsConversationMovedToo", func(t *testing.T) {
		// The new activation watches the conversations it was started
		// with: their move reaches the tabs.
		f.move(KindConv, string(conv))
		waitFor[*Resync](t, ap, func(r *Resync) bool { return r.Conv == conv })
	})
}

// TestMovedOnOneNode: on one node (LocalDirectory, Moves false) an actor
// that stops without its goodbye failed, as before: a conversation ends
// failed and frees its agent's slot; an agent actor's agent is retired,
// its tabs kicked and its customers sent back to the queue.
func TestMovedOnOneNode(t *testing.T) {
	cfg := DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}
	t.Run("Conversation", func(t *testing.T) {
		f, _ := newRecordingFixture(t, openSQLite(t), cfg, false)
		_, ap := f.agent("a", 1)
		_, _, conv := seatCustomer(t, f, "c")
		waitFor[*ConvOpened](t, ap, nil)
		f.move(KindConv, string(conv))
		if got := waitFor[*ConvClosed](t, ap, nil); got.Conv != conv || got.Reason != ReasonFailed {
			t.Fatalf("agent's tab got %+v, want %s failed", got, conv)
		}
		f.waitStats("the slot freed", func(s Stats) bool { return s.Conversations == 0 && s.FreeAgents == 1 })
	})
	t.Run("AgentActor", func(t *testing.T) {
		f, activated := newRecordingFixture(t, openSQLite(t), cfg, false)
		_, ap := f.agent("a", 1)
		first := nextActivation(t, activated, KindAgent)
		seatCustomer(t, f, "c")
		f.move(KindAgent, first.id)
		if got := waitFor[*Kick](t, ap, nil); got.Reason != DisconnectInternal {
			t.Fatalf("tab kicked with %v, want %v", got.Reason, DisconnectInternal)
		}
		f.waitStats("the agent retired, its customer back in the queue", func(s Stats) bool {
			return s.Agents == 0 && s.Conversations == 1 && s.Queued == 1
		})
	})
}

// TestConvNeverStarted: a conversation activated without its start (on a
// cluster, a late message to a conversation that ended wakes it where the
// cluster places it) waits Kinds.StartWait, then answers what it holds as
// its stored record says, and stops, instead of holding it forever: a post
// is refused as ended, an end or a sync is told the end.
func TestConvNeverStarted(t *testing.T) {
	st := openSQLite(t)
	f := newMovingFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	k := *f.dir.kinds
	k.StartWait = 20 * time.Millisecond
	f.dir.UseKinds(&k)
	a, ap := f.agent("a", 1)
	c, cp, ended := seatCustomer(t, f, "c")
	postAcked(t, f, ended, c, cp, "bye", "m1")
	f.end(ended, c, cp)
	waitFor[*ConvClosed](t, ap, nil)
	waitGone(t, f, f.dir.PID(KindConv, string(ended)))

	// wake activates conv's kind with no start, as a late message would on
	// a cluster, sends it msgs, and waits for it to stop.
	wake := func(t *testing.T, conv ConvID, msgs ...any) {
		t.Helper()
		props, err := k.Props(KindConv)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := f.dir.Spawn(KindConv, string(conv), props)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			f.send(pid, m)
		}
		waitGone(t, f, pid)
	}
	t.Run("Ended", func(t *testing.T) {
		tab := f.probe()
		wake(t, ended,
			&Post{From: c, Conn: cp.id, Text: "late", ClientID: "late"},
			&Sync{Conn: tab.id, Party: a, After: 0},
			&End{By: c, Conn: cp.id})
		if got := waitFor[*FrameError](t, cp, nil); got.Code != ErrCodeEnded || got.Ref != "late" {
			t.Fatalf("late post answered %+v, want %s for it", got, ErrCodeEnded)
		}
		// An end asked again (its answer lost with a move) is answered
		// with the end, as a sync is.
		if got := waitFor[*ConvClosed](t, cp, nil); got.Conv != ended || got.Reason != ReasonGone {
			t.Fatalf("late end answered %+v, want %s gone", got, ended)
		}
		if got := waitFor[*ConvClosed](t, tab, nil); got.Conv != ended || got.Reason != ReasonGone || got.Other != c {
			t.Fatalf("agent's tab told %+v, want %s gone, with its customer", got, ended)
		}
		stored, err := st.Messages(context.Background(), string(ended), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 {
			t.Fatalf("%d messages stored, want the 1 from before the end", len(stored))
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		wake(t, "cv_nowhere", &Post{From: c, Conn: cp.id, Text: "hello?", ClientID: "lost"})
		if got := waitFor[*FrameError](t, cp, nil); got.Code != ErrCodeUnknownConv || got.Ref != "lost" {
			t.Fatalf("post answered %+v, want %s for it", got, ErrCodeUnknownConv)
		}
	})
}

// waitGone waits for the actor at pid to have stopped.
func waitGone(t *testing.T, f *fixture, pid *actor.PID) {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if _, alive := f.system.ProcessRegistry.GetLocal(pid.Id); !alive {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("%s is still there", pid.Id)
		case <-tick.C:
		}
	}
}

// TestConvMovedAfterItsEnd: a conversation whose actor stopped after its
// end was stored and before anyone was told (moved between the two) is
// activated again, finds its end, and tells both sides and the dispatcher
// then, with the stored reason, instead of carrying on as open.
func TestConvMovedAfterItsEnd(t *testing.T) {
	st := openSQLite(t)
	f := newMovingFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	_, ap := f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	postAcked(t, f, conv, c, cp, "bye", "m1")
	ctx := context.Background()
	rec, err := st.Conversation(ctx, string(conv))
	if err != nil {
		t.Fatal(err)
	}
	rec.EndedAt, rec.EndedBy, rec.EndReason = time.Now(), c.ID, ReasonCustomerEnded
	if err := st.Apply(ctx, &store.Batch{Conversations: []store.Conversation{rec}}); err != nil {
		t.Fatal(err)
	}

	f.move(KindConv, string(conv))

	for _, p := range []*probe{ap, cp} {
		if got := waitFor[*ConvClosed](t, p, nil); got.Conv != conv || got.Reason != ReasonCustomerEnded || got.By != c {
			t.Fatalf("told %+v, want %s ended by its customer", got, conv)
		}
	}
	f.waitStats("the slot freed", func(s Stats) bool { return s.Conversations == 0 && s.FreeAgents == 1 })
}

// TestAgentActorNeverStarted: an agent actor activated without its start
// (a late event to an incarnation that is gone wakes it, on a cluster)
// stops after Kinds.StartWait instead of holding what it is sent forever.
func TestAgentActorNeverStarted(t *testing.T) {
	f := newMovingFixture(t, store.Discard{}, DispatcherConfig{})
	k := *f.dir.kinds
	k.StartWait = 20 * time.Millisecond
	props, err := k.Props(KindAgent)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := f.dir.Spawn(KindAgent, "ag_gone.1", props)
	if err != nil {
		t.Fatal(err)
	}
	f.send(pid, &ConvMessage{Conv: "cv_late", Seq: 1, Text: "late"})
	waitGone(t, f, pid)
}

// TestConvMovedKeepsItsAgent: a moved conversation whose stored record
// names another agent than the dispatcher's (the old activation's write of
// a transfer was lost with it) stores the dispatcher's agent when it comes
// back, so a restart would restore it with the right one.
func TestConvMovedKeepsItsAgent(t *testing.T) {
	st := openSQLite(t)
	f := newMovingFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, _ := f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	postAcked(t, f, conv, c, cp, "hi", "m1") // the record is stored by now
	ctx := context.Background()
	rec, err := st.Conversation(ctx, string(conv))
	if err != nil {
		t.Fatal(err)
	}
	rec.AgentID, rec.AgentName = "ag_before", "before"
	if err := st.Apply(ctx, &store.Batch{Conversations: []store.Conversation{rec}}); err != nil {
		t.Fatal(err)
	}

	f.move(KindConv, string(conv))

	waitFor[*Resync](t, cp, nil)
	postAcked(t, f, conv, c, cp, "still", "m2") // behind the record's write
	rec, err = st.Conversation(ctx, string(conv))
	if err != nil {
		t.Fatal(err)
	}
	if rec.AgentID != a.ID || rec.AgentName != a.Name {
		t.Fatalf("stored agent %s %q, want %s %q", rec.AgentID, rec.AgentName, a.ID, a.Name)
	}
}

// startDropper loses the next start of a conversation it activates, as a
// node that dies with the dispatcher's StartConv in its queue does: the
// actor runs, unstarted.
type startDropper struct {
	Directory
	kinds *Kinds
	drop  chan struct{} // one token per start to lose
}

func (d startDropper) Activate(kind Kind, id string, start any) (*actor.PID, error) {
	select {
	case <-d.drop:
		if kind == KindConv {
			props, err := d.kinds.Props(kind)
			if err != nil {
				return nil, err
			}
			return d.Spawn(kind, id, props)
		}
	default:
	}
	return d.Directory.Activate(kind, id, start)
}

// TestConvStartLost: a moved conversation whose new start is lost comes
// back and goes on: what its customer sends is answered at the next seq.
// On one node the dispatcher's own watch would also bring it back (the
// unstarted actor stops after asking three times); on a cluster that
// watch can be lost with the start, on the stable address of a node that
// never resolved the new activation, and ConvRejoin is what brings it
// back: TestPausedNodeFenced (clustertest) stalled without it.
func TestConvStartLost(t *testing.T) { convStartLost(t, 20*time.Millisecond) }

// TestConvStartLostAskedEarly: the conversation asks for its lost start
// after firstStartAsk, not only after StartWait (here an hour): a client
// resuming into it waited five seconds, ten when the first ask was lost
// too (the rebalance scenarios' slowest resumes).
func TestConvStartLostAskedEarly(t *testing.T) { convStartLost(t, time.Hour) }

func convStartLost(t *testing.T, startWait time.Duration) {
	st := openSQLite(t)
	drop := make(chan struct{}, 1)
	var dropper *startDropper
	f := newWrappedFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}, func(d Directory) Directory {
		dropper = &startDropper{Directory: movingDir{d}, drop: drop}
		return dropper
	})
	k := *f.dir.kinds
	k.StartWait = startWait
	f.dir.UseKinds(&k)
	dropper.kinds = &k
	_, _ = f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	postAcked(t, f, conv, c, cp, "m1", "m1")

	drop <- struct{}{}
	f.move(KindConv, string(conv))
	// The customer hears from the conversation again only once it has
	// started: its Resync, after it asked for its lost start.
	waitFor[*Resync](t, cp, func(r *Resync) bool { return r.Conv == conv })
	if ack := postAcked(t, f, conv, c, cp, "m2", "m2"); ack.Seq != 2 {
		t.Fatalf("m2 acked at %d, want 2", ack.Seq)
	}
}

// TestMovesPause: the first move in a window is at once, the next ones
// wait a doubling pause up to maxMovePause, and past maxMoves the actor is
// given up; a new window starts over.
func TestMovesPause(t *testing.T) {
	var m moves
	now := time.Now()
	want := []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}
	for i, w := range want {
		pause, ok := m.next(now)
		if !ok || pause != w {
			t.Fatalf("move %d: pause %v ok %v, want %v true", i+1, pause, ok, w)
		}
	}
	if _, ok := m.next(now); ok {
		t.Fatalf("move %d allowed", maxMoves+1)
	}
	if pause, ok := m.next(now.Add(movesWindow + time.Second)); !ok || pause != 0 {
		t.Fatalf("first move of a new window: pause %v ok %v", pause, ok)
	}
}

// TestStartAskWait: an activation without its start asks again after a
// wait that doubles from firstStartAsk up to StartWait, so that a first
// ask lost with a moving dispatcher is repeated within two seconds.
func TestStartAskWait(t *testing.T) {
	k := &Kinds{StartWait: 5 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := startAskWait(k, i+1); got != w {
			t.Fatalf("wait after ask %d: %v, want %v", i+1, got, w)
		}
	}
	if got := startAskWait(&Kinds{StartWait: 20 * time.Millisecond}, 1); got != 20*time.Millisecond {
		t.Fatalf("a short StartWait bounds the first wait: %v", got)
	}
}
