package actors

import (
	"fmt"
	"testing"
	"time"

	"kefu/store"
)

// TestHandoffsOf: a conversation restored after a restart reads its
// hand-offs back from its stored events: the transfers and trips to the
// queue an agent asked for, the newest keepHandoffs of them.
func TestHandoffsOf(t *testing.T) {
	at := time.UnixMilli(1000).UTC()
	t.Run("OK", func(t *testing.T) {
		got := handoffsOf([]store.ConvEvent{
			{Kind: "assigned", AgentID: "ag_a", AgentName: "Alice", At: at},
			{Kind: "transferred", AgentID: "ag_b", AgentName: "Bea", ByID: "ag_a", ByName: "Alice", Note: "refund", At: at},
			{Kind: "transferred", AgentID: "ag_a", AgentName: "Alice", At: at},              // stored before hand-offs were kept
			{Kind: "requeued", Reason: ReasonAgentLost, At: at},                             // no agent asked
			{Kind: "requeued", Reason: ReasonRequeued, ByID: "ag_b", ByName: "Bea", At: at}, // back to the queue, no note
			{Kind: "ended", AgentID: "ag_a", AgentName: "Alice", At: at},
		})
		alice, bea := Party{Role: RoleAgent, ID: "ag_a", Name: "Alice"}, Party{Role: RoleAgent, ID: "ag_b", Name: "Bea"}
		want := []Handoff{{By: alice, To: bea, Note: "refund", At: at}, {By: bea, At: at}}
		if len(got) != len(want) {
			t.Fatalf("handoffs=%+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("handoff %d=%+v, want %+v", i, got[i], want[i])
			}
		}
	})
	t.Run("OKNewestOnly", func(t *testing.T) {
		var events []store.ConvEvent
		for i := range keepHandoffs + 5 {
			events = append(events, store.ConvEvent{Kind: "requeued", ByID: "ag_a", Note: fmt.Sprint(i), At: at})
		}
		got := handoffsOf(events)
		if len(got) != keepHandoffs || got[0].Note != "5" || got[keepHandoffs-1].Note != fmt.Sprint(keepHandoffs+4) {
			t.Fatalf("kept %d from note %q to %q, want the newest %d", len(got), got[0].Note, got[len(got)-1].Note, keepHandoffs)
		}
	})
}
