package nodes

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// TestOwnedOnly: an activation on a node that is not its owner by the
// node's own view stops before its actor sees any message, Started,
// Stopping and Stopped included; one on its owner runs as usual. Without
// this an orphan activation, made on a stale view, outlived the views'
// disagreement (nodes/owned.go).
func TestOwnedOnly(t *testing.T) {
	system := actor.NewActorSystem()
	const self, other = "127.0.0.1:1", "127.0.0.1:2"
	members := &membership{}
	rdv := cluster.NewRendezvous()
	rdv.UpdateMembers(cluster.Members{{Host: "127.0.0.1", Port: 2, Id: "other", Kinds: []string{"k"}}})
	members.view.Store(&topologyView{live: map[string]string{other: "other"}, rdv: rdv})
	mw := ownedOnly(members, self, slog.New(slog.NewTextHandler(io.Discard, nil)))

	seen := make(chan any, 10)
	props := actor.PropsFromFunc(func(ctx actor.Context) { seen <- ctx.Message() }, actor.WithReceiverMiddleware(mw))
	props = cluster.WithClusterIdentity(props, cluster.NewClusterIdentity("x", "k"))
	pid := system.Root.Spawn(props)
	if err := system.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-seen:
		t.Fatalf("a refused activation's actor saw %T", m)
	default:
	}

	// Its own node: the actor starts.
	owned := ownedOnly(members, other, slog.New(slog.NewTextHandler(io.Discard, nil)))
	props = actor.PropsFromFunc(func(ctx actor.Context) { seen <- ctx.Message() }, actor.WithReceiverMiddleware(owned))
	system.Root.Spawn(cluster.WithClusterIdentity(props, cluster.NewClusterIdentity("x", "k")))
	select {
	case m := <-seen:
		if _, ok := m.(*actor.Started); !ok {
			t.Fatalf("the owner's activation first saw %T", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the owner's activation did not start")
	}
}
