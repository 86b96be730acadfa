package server

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actors"
)

// boom makes a conversation actor panic: see panickyDirectory.
type boom struct{}

// panickyDirectory spawns conversation actors that panic on boom, and
// hands out their pids, so a test can break one inside a real server.
type panickyDirectory struct {
	actors.Directory
	mu    sync.Mutex
	convs map[string]*actor.PID
}

func (d *panickyDirectory) Spawn(kind actors.Kind, id string, props *actor.Props) (*actor.PID, error) {
	if kind == actors.KindConv {
		props = props.Configure(actor.WithReceiverMiddleware(func(next actor.ReceiverFunc) actor.ReceiverFunc {
			return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
				if _, ok := env.Message.(*boom); ok {
					panic("injected fault")
				}
				next(ctx, env)
			}
		}))
	}
	pid, err := d.Directory.Spawn(kind, id, props)
	if err == nil && kind == actors.KindConv {
		d.mu.Lock()
		d.convs[id] = pid
		d.mu.Unlock()
	}
	return pid, err
}

func (d *panickyDirectory) conv(id string) *actor.PID {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.convs[id]
}

// TestPanicInOneConversation: a conversation actor that panics is stopped
// and logged; its two parties are told it failed, the agent's slot is
// freed, and the agent's other conversation and the rest of the server go
// on untouched.
func TestPanicInOneConversation(t *testing.T) {
	var log durLog
	dir := &panickyDirectory{convs: map[string]*actor.PID{}}
	ts := startServer(t, Config{
		Log:           slog.New(slog.NewTextHandler(&log, nil)),
		wrapDirectory: func(d actors.Directory) actors.Directory { dir.Directory = d; return dir },
	})
	agent := ts.agentOnline(t, ts.addAgent(t, "Panic", 2))
	victim := ts.customerOnline(t, "Victim")
	bystander := ts.customerOnline(t, "Bystander")
	broken := assign(t, agent, victim)
	fine := assign(t, agent, bystander)

	ts.system.Root.Send(dir.conv(broken), &boom{})

	for _, c := range []*nclient{victim, agent} {
		e := c.expect("ended", "typing", "read")
		if e.Conv != broken || e.Reason != "failed" {
			t.Fatalf("got %s, want ended %s failed", e.raw, broken)
		}
	}
	// The other conversation carries on, both ways.
	bystander.post(fine, "still there?", "")
	agent.expectMsg(fine, 1, bystander.me, "still there?")
	bystander.expectMsg(fine, 1, bystander.me, "still there?")
	agent.post(fine, "yes", "")
	bystander.expectMsg(fine, 2, agent.me, "yes")
	agent.expectMsg(fine, 2, agent.me, "yes")
	// The failed conversation's slot is free again: a new customer gets
	// the agent at once.
	assign(t, agent, ts.customerOnline(t, "Next"))
	// The victim is not stuck either: it can ask again.
	victim.send(obj{"type": "request"})
	victim.expectQueued(1)

	deadline := time.After(testWait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(log.String(), "injected fault") {
		select {
		case <-deadline:
			t.Fatalf("the panic was not logged:\n%s", log.String())
		case <-tick.C:
		}
	}
}
