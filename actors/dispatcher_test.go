package actors

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

const testWait = 5 * time.Second

// fixture is an actor system with a dispatcher and probe actors standing in
// for connections.
type fixture struct {
	t          *testing.T
	system     *actor.ActorSystem
	dir        *LocalDirectory
	dispatcher *actor.PID
}

func newFixture(t *testing.T, ttl time.Duration) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	t.Cleanup(system.Shutdown)
	dir := NewLocalDirectory(system)
	pid, err := dir.Spawn(KindDispatcher, DispatcherID, NewDispatcherProps(DispatcherConfig{Dir: dir, ReservationTTL: ttl, Log: log}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, system: system, dir: dir, dispatcher: pid}
}

// probe stands in for a connection actor: it records what it is sent.
type probe struct{ got chan any }

func (p *probe) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *ChatLine, *Notice, *Kick:
		p.got <- ctx.Message()
	}
}

// conn starts a probe at a fresh connection id.
func (f *fixture) conn() (ConnID, *actor.PID, chan any) {
	f.t.Helper()
	id := ConnID(NewID())
	got := make(chan any, 64)
	pid, err := f.dir.Spawn(KindConn, string(id), actor.PropsFromProducer(func() actor.Actor { return &probe{got: got} }))
	if err != nil {
		f.t.Fatal(err)
	}
	return id, pid, got
}

func (f *fixture) ask(msg any) any {
	f.t.Helper()
	res, err := f.system.Root.RequestFuture(f.dispatcher, msg, testWait).Result()
	if err != nil {
		f.t.Fatalf("ask %T: %v", msg, err)
	}
	return res
}

func (f *fixture) agentOnline(name string) (ConnID, chan any) {
	f.t.Helper()
	id, _, got := f.conn()
	if res, ok := f.ask(&AgentOnline{Conn: id, Name: name}).(*Admitted); !ok {
		f.t.Fatalf("agent %s not admitted: %#v", name, res)
	}
	return id, got
}

func (f *fixture) waitStats(what string, ok func(Stats) bool) {
	f.t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		s := *f.ask(&GetStats{}).(*Stats)
		if ok(s) {
			return
		}
		select {
		case <-deadline:
			f.t.Fatalf("waiting for %s: %+v", what, s)
		case <-tick.C:
		}
	}
}

func recv(t *testing.T, ch chan any) any {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(testWait):
		t.Fatal("nothing received")
		return nil
	}
}

// TestDispatcherNeverDoublesAnAgent races many customers for few agents,
// through both doors (a reservation, and arriving with none), and checks
// each agent got exactly one.
func TestDispatcherNeverDoublesAnAgent(t *testing.T) {
	const agents, customers = 5, 60
	f := newFixture(t, time.Minute)
	for i := range agents {
		f.agentOnline(fmt.Sprintf("A%d", i))
	}

	type seat struct {
		room RoomID
		name string
	}
	seats := make(chan seat, customers)
	var wg sync.WaitGroup
	for i := range customers {
		id, _, _ := f.conn()
		name := fmt.Sprintf("C%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 { // half ask /getroom first, as the tutorial's page does
				f.ask(&GetRoom{Customer: name})
			}
			if adm, ok := f.ask(&CustomerArrived{Conn: id, Name: name}).(*Admitted); ok {
				seats <- seat{adm.Room, name}
			}
		}()
	}
	wg.Wait()
	close(seats)
	rooms := map[RoomID]string{}
	for s := range seats {
		if other, dup := rooms[s.room]; dup {
			t.Errorf("room %s given to %s and %s", s.room, other, s.name)
		}
		rooms[s.room] = s.name
	}
	// Reservations granted to customers who then lost the race to arrive
	// are still held; everyone else was admitted or refused.
	s := *f.ask(&GetStats{}).(*Stats)
	if got, want := len(rooms)+s.Reservations, agents; got != want {
		t.Fatalf("admitted %d + reserved %d = %d, want %d agents", len(rooms), s.Reservations, got, want)
	}
	if got, want := s.Customers, len(rooms); got != want {
		t.Fatalf("customers online=%d, want %d", got, want)
	}
	if s.FreeAgents != 0 {
		t.Fatalf("free agents=%d with customers waiting, want 0", s.FreeAgents)
	}
}

func TestDispatcherOffersFreedAgentAgain(t *testing.T) {
	f := newFixture(t, time.Minute)
	_, agentGot := f.agentOnline("A")

	first, firstPID, _ := f.conn()
	if got, want := *f.ask(&GetRoom{Customer: "B"}).(*RoomOffer), (RoomOffer{Granted: true, AgentName: "A"}); got != want {
		t.Fatalf("offer=%+v, want %+v", got, want)
	}
	if _, ok := f.ask(&CustomerArrived{Conn: first, Name: "B"}).(*Admitted); !ok {
		t.Fatal("B not admitted")
	}
	if got, want := *recv(t, agentGot).(*Notice), (Notice{Kind: NoticeCustomerJoined, Name: "B"}); got != want {
		t.Fatalf("agent got %+v, want %+v", got, want)
	}
	if got := *f.ask(&GetRoom{Customer: "C"}).(*RoomOffer); got.Granted {
		t.Fatalf("offer while serving=%+v, want none", got)
	}

	f.system.Root.Stop(firstPID) // B's connection dies
	if got, want := *recv(t, agentGot).(*Notice), (Notice{Kind: NoticeCustomerLeft, Name: "B"}); got != want {
		t.Fatalf("agent got %+v, want %+v", got, want)
	}
	f.waitStats("agent free", func(s Stats) bool { return s.FreeAgents == 1 && s.Customers == 0 })
	if got, want := *f.ask(&GetRoom{Customer: "C"}).(*RoomOffer), (RoomOffer{Granted: true, AgentName: "A"}); got != want {
		t.Fatalf("offer after B left=%+v, want %+v", got, want)
	}
}

func TestDispatcherForgetsDeadRooms(t *testing.T) {
	f := newFixture(t, time.Minute)
	id, _, _ := f.conn()
	adm := f.ask(&AgentOnline{Conn: id, Name: "A"}).(*Admitted)
	f.ask(&GetRoom{Customer: "B"})
	// The room fails on its own (not its agent): the dispatcher still cleans up.
	f.system.Root.Stop(f.dir.PID(KindRoom, string(adm.Room)))
	f.waitStats("room forgotten", func(s Stats) bool { return s == Stats{} })
	if _, ok := f.ask(&AgentOnline{Conn: id, Name: "A"}).(*Admitted); !ok {
		t.Fatal("name A still held after its room died")
	}
}

func TestDispatcherRefusesTakenNames(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.agentOnline("A")
	id, _, _ := f.conn()
	if got, want := f.ask(&AgentOnline{Conn: id, Name: "A"}), (&Refused{Reason: DisconnectNameTaken}); *got.(*Refused) != *want {
		t.Fatalf("second A=%#v, want %#v", got, want)
	}
	cust, _, _ := f.conn()
	f.ask(&CustomerArrived{Conn: cust, Name: "B"})
	again, _, _ := f.conn()
	if got, want := f.ask(&CustomerArrived{Conn: again, Name: "B"}), (&Refused{Reason: DisconnectNameTaken}); *got.(*Refused) != *want {
		t.Fatalf("second B=%#v, want %#v", got, want)
	}
}
