package actors

import (
	"testing"
	"time"

	"kefu/internal/ids"
)

// gatedCustomers admits every customer under the name it gives, once the
// test opens the gate.
type gatedCustomers struct {
	newCustomers
	gate chan struct{}
}

func (g gatedCustomers) Customer(token, name string) (Party, string, error) {
	<-g.gate
	return g.newCustomers.Customer(token, name)
}

// TestEarlyOverflowNamesTheMsg is a fuzzing find (FuzzConnection): a msg
// sent right behind hello, past the 16 commands held until welcome, was
// refused with wrong_state but without its cid, so the client could not
// tell which message to send again. The connection is held in its hello
// here until every frame has arrived, so all of them come before welcome.
func TestEarlyOverflowNamesTheMsg(t *testing.T) {
	f := newFixture(t, DispatcherConfig{})
	codec := &scriptCodec{cmds: map[string]any{
		"hello": &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"},
		"ping":  &CmdPing{},
		"msg":   &CmdPost{Conv: "cv_x", Text: "early", ClientID: "c17"},
	}, out: make(chan any, 100)}
	auth := gatedCustomers{gate: make(chan struct{})}
	id := ConnID(ids.New())
	pid, err := f.dir.Spawn(KindConn, string(id), NewConnectionProps(ConnConfig{
		ID: id, Pool: PoolNative, Socket: quietSocket{}, Codec: codec, Dir: f.dir, Auth: auth,
		MaxTextBytes: 8192, HelloTimeout: time.Hour, Log: f.system.Logger(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	frame := func(s string) { f.send(pid, &InboundFrame{Data: []byte(s)}) }
	frame("hello")
	for range maxEarly {
		frame("ping")
	}
	frame("msg")
	close(auth.gate)

	deadline := time.After(testWait)
	for {
		select {
		case m := <-codec.out:
			switch m := m.(type) {
			case *Welcome:
				t.Fatal("welcome came before the refusal of the 17th frame")
			case *FrameError:
				if got, want := m.Code, ErrCodeState; got != want {
					t.Fatalf("code=%s, want %s", got, want)
				}
				if got, want := m.Ref, "c17"; got != want {
					t.Fatalf("ref=%q, want %q", got, want)
				}
				return
			}
		case <-deadline:
			t.Fatal("the 17th frame was not refused")
		}
	}
}
