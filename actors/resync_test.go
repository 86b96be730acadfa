package actors

import (
	"fmt"
	"testing"
	"time"

	"kefu/internal/ids"
)

// TestSecondOpenedOnce: a ConvOpened that reaches a connection after live
// messages it already delivered (an agent's tab admitted just as one of its
// conversations is assigned gets the assignment through the agent actor and
// its sync's answer straight from the conversation, with live messages in
// between) sends nothing twice. The clamp for a stale resume number is for
// a connection not yet synced: once synced, what it delivered is the truth.
func TestSecondOpenedOnce(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.agent("A", 1)
	codec := &scriptCodec{cmds: map[string]any{
		"hello":   &CmdHello{Version: ProtocolVersion, Role: RoleCustomer, Name: "B"},
		"request": &CmdRequest{},
		"ping":    &CmdPing{},
	}, out: make(chan any, 1000)}
	id := ConnID(ids.New())
	pid, err := f.dir.Spawn(KindConn, string(id), NewConnectionProps(ConnConfig{
		ID: id, Pool: PoolNative, Socket: quietSocket{}, Codec: codec, Dir: f.dir, Auth: newCustomers{},
		HistoryPage: HistoryLimits{Messages: 2}, MaxTextBytes: 8192, HelloTimeout: time.Hour, Log: f.system.Logger(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	frame := func(s string) { f.send(pid, &InboundFrame{Data: []byte(s)}) }
	frame("hello")
	frame("request")
	opened := awaitSent(t, codec.out, func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened)
	const n = 3
	var sent []ConvMessage
	for i := range n {
		text := fmt.Sprint("m", i+1)
		codec.set(text, &CmdPost{Conv: opened.Conv, Text: text, ClientID: text})
		frame(text)
		m := awaitSent(t, codec.out, func(m any) bool { m2, ok := m.(*ConvMessage); return ok && m2.Seq == uint64(i+1) }).(*ConvMessage)
		sent = append(sent, *m)
	}

	// The conversation's answer to a sync made when it held 2 messages
	// reaches the connection after the live 3.
	f.send(pid, &ConvOpened{Conv: opened.Conv, Why: WhySync, After: 0, History: sent[:2]})
	frame("ping")
	for {
		select {
		case m := <-codec.out:
			switch m := m.(type) {
			case *ConvMessage:
				t.Fatalf("seq %d sent again, want each message once on a connection", m.Seq)
			case *ConvOpened:
				if len(m.History) != 0 || m.More {
					t.Fatalf("second conv frame: after %d, history of %d, more %v; want nothing it delivered, nothing more to page", m.After, len(m.History), m.More)
				}
			case *Pong:
				return
			}
		case <-time.After(testWait):
			t.Fatal("no pong")
		}
	}
}
