package actors

import (
	"slices"
	"testing"
	"time"

	"kefu/internal/ids"
)

// TestNoteGapFilled: a note that reaches an agent's tab past a gap in the
// notes' numbers (on a cluster, one lost with an agent actor that moved)
// is not shown out of turn: the tab asks the conversation, and its client
// gets notes 1 and 2, once each, in order. A lost last note comes with
// the answer to the tab's next probe.
func TestNoteGapFilled(t *testing.T) {
	f := newFixture(t, repairCfg)
	tab := connect(t, f, f.dir, anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 1},
		&CmdHello{Version: ProtocolVersion, Role: RoleAgent, Token: "t", Name: "a"})
	customer := Party{Role: RoleCustomer, ID: ids.Customer + "c", Name: "c"}
	// The conversation's notes go to a stand-in agent actor: the test
	// delivers to the tab itself, one of them lost.
	agentActor := f.kindProbe(KindAgent)
	conv := ConvID(ids.Conv + ids.New())
	f.activate(StartConv{
		ID: conv, Pool: PoolNative, Ticket: 1, Customer: customer, CustomerConn: f.probe().id,
		Agent: tab.me, AgentActor: string(agentActor.id), CustomerGrace: time.Minute,
	})
	opened := waitFor(t, agentActor, func(m *ConvOpened) bool { return m.Conv == conv })
	f.send(tab.pid, opened)
	tab.next(isOpened(conv))
	var notes []*NoteAdded
	for i, text := range []string{"first", "second"} {
		f.send(f.dir.PID(KindConv, string(conv)), &PostNote{From: tab.me, Conn: agentActor.id, Text: text, ClientID: text})
		notes = append(notes, waitFor(t, agentActor, func(m *NoteAdded) bool { return m.Note.N == uint64(i+1) }))
	}
	f.send(tab.pid, notes[1]) // note 1 was lost on its way
	tab.next(func(m any) bool { n, ok := m.(*NoteAdded); return ok && n.Note.N == 2 })
	tab.flush()
	var got []uint64
	for _, m := range tab.seen {
		if n, ok := m.(*NoteAdded); ok {
			got = append(got, n.Note.N)
		}
	}
	if !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("the client got notes %v, want [1 2]", got)
	}

	// The last note lost, none behind it: a probe's ask (a Sync, as on a
	// cluster every few seconds) brings it.
	f.send(f.dir.PID(KindConv, string(conv)), &PostNote{From: tab.me, Conn: agentActor.id, Text: "third", ClientID: "third"})
	waitFor(t, agentActor, func(m *NoteAdded) bool { return m.Note.N == 3 })
	f.send(f.dir.PID(KindConv, string(conv)), &Sync{Conn: tab.id, Party: tab.me, After: 0})
	tab.next(func(m any) bool { n, ok := m.(*NoteAdded); return ok && n.Note.N == 3 })
}
