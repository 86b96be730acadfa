package actors

import (
	"sync"
	"testing"
	"time"

	"kefu/internal/ids"

	"github.com/asynkron/protoactor-go/actor"
)

// scriptCodec decodes the frames a test names into the commands it set for
// them, and hands the test every message the connection encodes. The frame
// "wait" holds the connection until the test closes release, and "hold"
// until it closes hold.
type scriptCodec struct {
	mu      sync.Mutex
	cmds    map[string]any
	out     chan any
	release chan struct{}
	hold    chan struct{}
}

func (c *scriptCodec) set(frame string, cmd any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmds[frame] = cmd
}

func (c *scriptCodec) Decode(frame []byte) (any, error) {
	switch string(frame) {
	case "wait":
		<-c.release
		return &CmdPong{}, nil
	case "hold":
		<-c.hold
		return &CmdPong{}, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmds[string(frame)], nil
}

func (c *scriptCodec) Encode(msg any) []byte {
	c.out <- msg
	return []byte("-")
}

// quietSocket takes every frame and never reads on its own: the test
// delivers frames itself.
type quietSocket struct{}

func (quietSocket) Send([]byte) bool { return true }
func (quietSocket) Close(Disconnect) {}
func (quietSocket) StartReading()    {}
func (quietSocket) Flush()           {}

// newCustomers admits every customer under the name it gives.
type newCustomers struct{}

func (newCustomers) Agent(string) (Party, int, Session, error) {
	return Party{}, 0, Session{}, &AuthError{Reason: DisconnectUnauthorized}
}
func (newCustomers) Customer(_, name string) (Party, string, error) {
	return Party{Role: RoleCustomer, ID: ids.Customer + ids.New(), Name: name}, "token", nil
}
func (newCustomers) SaveCapacity(string, int) error { return nil }

// TestMsgBehindEnd is a fuzzing find (FuzzConnection): a msg the client
// sent just as its conversation ended reached the conversation after it had
// stopped and was dropped, so the client never got the ack or error the
// protocol promises for every msg. The connection is held here between the
// end and the msg until the conversation has stopped.
func TestMsgBehindEnd(t *testing.T) {
	f := newFixture(t, DispatcherConfig{})
	f.agent("A", 1)
	codec := &scriptCodec{cmds: map[string]any{
		"hello":   &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"},
		"request": &CmdRequest{},
	}, out: make(chan any, 100), release: make(chan struct{}), hold: make(chan struct{})}
	id := ConnID(ids.New())
	pid, err := f.dir.Spawn(KindConn, string(id), NewConnectionProps(ConnConfig{
		ID: id, Pool: PoolNative, Socket: quietSocket{}, Codec: codec, Dir: f.dir, Auth: newCustomers{},
		MaxTextBytes: 8192, HelloTimeout: time.Hour, Log: f.system.Logger(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	frame := func(s string) { f.send(pid, &InboundFrame{Data: []byte(s)}) }
	next := func(want func(any) bool) any {
		t.Helper()
		return awaitSent(t, codec.out, want)
	}
	frame("hello")
	frame("request")
	conv := next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	stopped := make(chan struct{})
	f.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(f.dir.PID(KindConv, string(conv)))
		case *actor.Terminated:
			close(stopped)
		}
	}))

	codec.set("end", &CmdEnd{Conv: conv})
	codec.set("msg", &CmdPost{Conv: conv, Text: "one more thing", ClientID: "c9"})
	// All three queued before the end is acted on, so that the end's
	// answer lands behind the msg (a busy machine could otherwise run the
	// end between two sends here, and its answer overtake the msg).
	frame("hold")
	frame("end")
	frame("wait")
	frame("msg")
	close(codec.hold)
	select {
	case <-stopped:
	case <-time.After(testWait):
		t.Fatal("the conversation did not stop")
	}
	close(codec.release)
	got := next(func(m any) bool {
		switch m := m.(type) {
		case *Ack:
			return m.ClientID == "c9"
		case *FrameError:
			return m.Ref == "c9"
		case *ConvClosed:
			return true
		}
		return false
	})
	if fe, ok := got.(*FrameError); !ok || fe.Code != ErrCodeEnded {
		t.Fatalf("got %#v first, want a %s error for c9 before the end", got, ErrCodeEnded)
	}
}
