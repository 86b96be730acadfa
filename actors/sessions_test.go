package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TestSessions: a sign-out closes the connections that used its token, a
// revoke those below its generation, and never another agent's; a
// connection that announces a refused token after the kick is closed as it
// arrives, and one that closed is not kicked.
func TestSessions(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	dir := NewLocalDirectory(system)
	kicked := make(chan ConnID, 16)
	for _, conn := range []ConnID{"c1", "c2", "c3", "c4", "c5", "c6"} {
		if _, err := dir.Spawn(KindConn, string(conn), actor.PropsFromFunc(func(ctx actor.Context) {
			switch m := ctx.Message().(type) {
			case *Kick:
				if m.Reason != DisconnectTokenRevoked {
					t.Errorf("%s kicked with %+v", conn, m.Reason)
				}
				kicked <- conn
			case string: // a barrier: what was sent here before is handled
				ctx.Respond(m)
			}
		})); err != nil {
			t.Fatal(err)
		}
	}
	pid, err := dir.Spawn(KindSessions, SessionsID, NewSessionsProps(dir))
	if err != nil {
		t.Fatal(err)
	}
	send := func(m any) { system.Root.Send(pid, m) }

	send(&SessionOpened{Agent: "ag_1", Conn: "c1", Session: Session{ID: "t1"}})
	send(&SessionOpened{Agent: "ag_1", Conn: "c2", Session: Session{ID: "t1"}})
	send(&SessionOpened{Agent: "ag_1", Conn: "c3", Session: Session{ID: "t2", Generation: 1}})
	send(&SessionOpened{Agent: "ag_2", Conn: "c4", Session: Session{ID: "t1"}}) // another account
	send(&SessionOpened{Agent: "ag_1", Conn: "c5", Session: Session{ID: "t3", Generation: 1}})
	send(&SessionClosed{Agent: "ag_1", Conn: "c5"}) // gone before any kick
	send(&KickSessions{Agent: "ag_1", TokenID: "t1"})
	kicks(t, kicked, "c1", "c2")
	send(&KickSessions{Agent: "ag_1", Below: 2})
	kicks(t, kicked, "c3")
	// Checked before the revoke, announced after it.
	send(&SessionOpened{Agent: "ag_1", Conn: "c6", Session: Session{ID: "t4", Generation: 1}})
	kicks(t, kicked, "c6")
	// A kick to c4 or c5 would have been sent before c6's: it is in their
	// mailboxes ahead of this barrier.
	for _, conn := range []ConnID{"c4", "c5"} {
		if _, err := system.Root.RequestFuture(dir.PID(KindConn, string(conn)), "barrier", 5*time.Second).Result(); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case c := <-kicked:
		t.Fatalf("%s kicked too", c)
	default:
	}
}

// kicks waits for exactly the connections want to be kicked, in any order.
func kicks(t *testing.T, kicked <-chan ConnID, want ...ConnID) {
	t.Helper()
	got := map[ConnID]bool{}
	deadline := time.After(5 * time.Second)
	for len(got) < len(want) {
		select {
		case c := <-kicked:
			got[c] = true
		case <-deadline:
			t.Fatalf("kicked %v, want %v", got, want)
		}
	}
	for _, c := range want {
		if !got[c] {
			t.Fatalf("kicked %v, want %v", got, want)
		}
	}
}
