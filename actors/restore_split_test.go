package actors

import (
	"testing"
	"time"

	"kefu/internal/ids"
	"kefu/store"
)

// TestSplitRestorable: the tutorial's conversations (compat agents) are
// closed with server_restart at the given time; the rest come back as
// they were, in order.
func TestSplitRestorable(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000).UTC()
	open := []store.Conversation{
		{ID: "cv_a", AgentID: ids.Agent + "x", Ticket: 1},
		{ID: "cv_b", AgentID: ids.Compat + "y", Ticket: 2},
		{ID: "cv_c", AgentID: "", Ticket: 3}, // waiting in the queue for an agent
	}
	restore, closed := SplitRestorable(open, now)
	if len(restore) != 2 || restore[0].ID != "cv_a" || restore[1].ID != "cv_c" {
		t.Errorf("restore = %+v, want cv_a and cv_c", restore)
	}
	if len(closed.Conversations) != 1 {
		t.Fatalf("closed = %+v, want cv_b alone", closed.Conversations)
	}
	c := closed.Conversations[0]
	if c.ID != "cv_b" || c.EndReason != ReasonServerRestart || !c.EndedAt.Equal(now) {
		t.Errorf("closed %+v, want cv_b ended %v with %s", c, now, ReasonServerRestart)
	}
}
