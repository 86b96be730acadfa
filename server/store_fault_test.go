package server

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"kefu/store"
)

// errDiskFull is what SQLite reports when the disk (or its page quota)
// is full: SQLITE_FULL.
var errDiskFull = errors.New("database or disk is full (13)")

// fillableStore fails every write while full is set, as a store on a full
// disk does: whole transactions fail, nothing is half written.
type fillableStore struct {
	store.Conversations
	full   atomic.Bool
	failed atomic.Int64
}

func (s *fillableStore) Apply(ctx context.Context, b *store.Batch) error {
	if s.full.Load() {
		s.failed.Add(1)
		return errDiskFull
	}
	return s.Conversations.Apply(ctx, b)
}

// TestDiskFull: while the store cannot write, a message is refused with
// not_stored and reaches nobody; nothing is acknowledged that was not
// stored. When space returns, the same message (same cid) is stored once
// and the conversation goes on; the store holds it once.
func TestDiskFull(t *testing.T) {
	var fs *fillableStore
	ts := startServer(t, Config{wrapConversations: func(c store.Conversations) store.Conversations {
		fs = &fillableStore{Conversations: c}
		return fs
	}})
	agent := ts.agentOnline(t, ts.addAgent(t, "Full", 1))
	cust := ts.customerOnline(t, "Writer")
	conv := assign(t, agent, cust)

	fs.full.Store(true)
	cid := cust.post(conv, "is anyone there?", "")
	if e := cust.expectError("not_stored"); e.CID != cid {
		t.Fatalf("not_stored for %q, want %q", e.CID, cid)
	}
	if fs.failed.Load() == 0 {
		t.Fatal("the refused message never reached the store")
	}
	// The agent got nothing: it is still reachable and its next frame is
	// the pong.
	agent.alive()

	fs.full.Store(false)
	cust.post(conv, "is anyone there?", cid)
	cust.expectMsg(conv, 1, cust.me, "is anyone there?")
	agent.expectMsg(conv, 1, cust.me, "is anyone there?")
	agent.post(conv, "yes, sorry for the wait", "")
	cust.expectMsg(conv, 2, agent.me, "yes, sorry for the wait")
	agent.expectMsg(conv, 2, agent.me, "yes, sorry for the wait")

	msgs, err := fs.Messages(context.Background(), conv, 0, 0)
	if err != nil || len(msgs) != 2 || msgs[0].ClientID != cid {
		t.Fatalf("stored %+v, %v; want the two messages, the first once", msgs, err)
	}
}
