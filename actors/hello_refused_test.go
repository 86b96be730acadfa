package actors

import (
	"testing"
	"time"

	"kefu/internal/ids"
)

// storeDown fails every agent's account read, as a store that does not
// answer in time does.
type storeDown struct{ newCustomers }

func (storeDown) Agent(string) (Party, int, Session, error) {
	return Party{}, 0, Session{}, &AuthError{Reason: DisconnectInternal}
}

// TestHelloStoreDown: an agent whose account could not be read is told
// "unavailable" (reconnect), not "unauthorized" (log in again): the token
// may be fine. Seen in the S3 load scenario on a busy machine.
func TestHelloStoreDown(t *testing.T) {
	f := newFixture(t, DispatcherConfig{})
	codec := &scriptCodec{cmds: map[string]any{
		"hello": &CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t"},
	}, out: make(chan any, 10)}
	id := ConnID(ids.New())
	pid, err := f.dir.Spawn(KindConn, string(id), NewConnectionProps(ConnConfig{
		ID: id, Pool: PoolNative, Socket: quietSocket{}, Codec: codec, Dir: f.dir, Auth: storeDown{},
		MaxTextBytes: 8192, HelloTimeout: time.Hour, Log: f.system.Logger(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	f.send(pid, &InboundFrame{Data: []byte("hello")})
	got := awaitSent(t, codec.out, func(m any) bool { _, ok := m.(*FrameError); return ok }).(*FrameError)
	if got.Code != ErrCodeStoreDown {
		t.Errorf("hello refused with %q, want %q", got.Code, ErrCodeStoreDown)
	}
}
