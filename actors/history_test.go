package actors

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kefu/internal/ids"
	"kefu/store"
)

// gatedHistory holds every MessagesBefore until the test closes gate.
type gatedHistory struct {
	store.Conversations
	gate chan struct{}
}

func (g gatedHistory) MessagesBefore(ctx context.Context, conv string, before uint64, limit int) ([]store.Message, error) {
	<-g.gate
	return g.Conversations.MessagesBefore(ctx, conv, before, limit)
}

// TestHistoryReadOffReceive: a history request is read from the store
// outside the connection's Receive (the connection answers a ping while
// the store holds the read), one at a time, and pages back through the
// whole conversation, each message once and in order.
func TestHistoryReadOffReceive(t *testing.T) {
	st, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.agent("A", 1)
	codec := &scriptCodec{cmds: map[string]any{
		"hello":   &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"},
		"request": &CmdRequest{},
		"ping":    &CmdPing{},
	}, out: make(chan any, 1000)}
	history := gatedHistory{Conversations: st, gate: make(chan struct{})}
	id := ConnID(ids.New())
	pid, err := f.dir.Spawn(KindConn, string(id), NewConnectionProps(ConnConfig{
		ID: id, Pool: PoolNative, Socket: quietSocket{}, Codec: codec, Dir: f.dir, Auth: newCustomers{},
		History: history, HistoryPage: HistoryLimits{Messages: 5, Bytes: 1 << 20},
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
	is := func(m any) bool { _, ok := m.(*History); return ok }
	frame("hello")
	frame("request")
	opened := next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened)
	const n = 12
	for i := range n {
		frame := fmt.Sprint("m", i+1)
		codec.set(frame, &CmdPost{Conv: opened.Conv, Text: frame, ClientID: frame})
		f.send(pid, &InboundFrame{Data: []byte(frame)})
		next(func(m any) bool { a, ok := m.(*Ack); return ok && a.Seq == uint64(i+1) })
	}

	t.Run("OKOffReceive", func(t *testing.T) {
		codec.set("history", &CmdHistory{Conv: opened.Conv})
		frame("history")
		frame("ping")
		next(func(m any) bool { _, ok := m.(*Pong); return ok })
	})
	t.Run("ErrOneAtATime", func(t *testing.T) {
		frame("history")
		fe := next(func(m any) bool { _, ok := m.(*FrameError); return ok }).(*FrameError)
		if got, want := fe.Code, ErrCodeState; got != want {
			t.Fatalf("code=%s, want %s", got, want)
		}
	})
	close(history.gate)
	t.Run("OKEveryMessageOnce", func(t *testing.T) {
		var got []uint64
		page := next(is).(*History)
		for {
			if len(page.Messages) > 5 {
				t.Fatalf("page of %d messages, want at most 5", len(page.Messages))
			}
			var seqs []uint64
			for _, m := range page.Messages {
				if m.Text != fmt.Sprint("m", m.Seq) {
					t.Fatalf("seq %d holds %q", m.Seq, m.Text)
				}
				seqs = append(seqs, m.Seq)
			}
			got = append(seqs, got...)
			if !page.More {
				break
			}
			codec.set("history", &CmdHistory{Conv: opened.Conv, Before: page.Messages[0].Seq})
			frame("history")
			page = next(is).(*History)
		}
		if len(got) != n {
			t.Fatalf("paged %v, want 1 to %d", got, n)
		}
		for i, seq := range got {
			if seq != uint64(i+1) {
				t.Fatalf("paged %v, want 1 to %d once each, in order", got, n)
			}
		}
	})
	t.Run("ErrNotYours", func(t *testing.T) {
		codec.set("history", &CmdHistory{Conv: "cv_someoneelse"})
		frame("history")
		fe := next(func(m any) bool { _, ok := m.(*FrameError); return ok }).(*FrameError)
		if got, want := fe.Code, ErrCodeUnknownConv; got != want {
			t.Fatalf("code=%s, want %s", got, want)
		}
	})
}
