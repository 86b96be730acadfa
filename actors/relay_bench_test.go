package actors

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// BenchmarkConversationRelay is the route step of the hot path: a post
// into a conversation actor, numbered, through the store writer (discarding,
// so the store's own cost is left to store's benchmarks) and out to the
// customer and, through the agent actor, to the agent. One op is one
// message delivered to both sides.
func BenchmarkConversationRelay(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	defer system.Shutdown()
	dir := NewLocalDirectory(system)
	dir.UseKinds(&Kinds{Dir: dir, Store: store.Discard{}, Log: log, Now: time.Now})
	if _, err := dir.Spawn(KindStore, StoreWriterID, NewStoreWriterProps(StoreWriterConfig{Store: store.Discard{}, Log: log})); err != nil {
		b.Fatal(err)
	}
	got := make(chan struct{}, 1024)
	counter := actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*ConvMessage); ok {
			got <- struct{}{}
		}
	})
	customer := Party{Role: RoleCustomer, ID: "cu_bench", Name: "c"}
	agent := Party{Role: RoleAgent, ID: "ag_bench", Name: "a"}
	if _, err := dir.Spawn(KindConn, "customer", counter); err != nil {
		b.Fatal(err)
	}
	if _, err := dir.Spawn(KindConn, "agent", counter); err != nil {
		b.Fatal(err)
	}
	if _, err := dir.Activate(KindAgent, "ag_bench.1", &StartAgent{Agent: agent, Conns: []ConnID{"agent"}}); err != nil {
		b.Fatal(err)
	}
	conv, err := dir.Activate(KindConv, "cv_bench", &StartConv{
		ID: "cv_bench", Customer: customer, CustomerConn: "customer", Agent: agent, AgentActor: "ag_bench.1",
		CustomerGrace: time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	post := &Post{From: customer, Conn: "customer", Text: "您好，我的订单还没到"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		system.Root.Send(conv, post)
		<-got // the customer's copy
		<-got // the agent's
	}
}
