package actors

import (
	"strings"
	"time"

	"kefu/internal/ids"
	"kefu/store"
)

// ReasonServerRestart ends a tutorial conversation that was open when the
// server stopped: its protocol has no tokens, so nobody can come back to it.
const ReasonServerRestart = "server_restart"

// SplitRestorable divides the conversations open at the last stop into
// those the dispatcher brings back (Restore) and the tutorial's, returned
// as a batch that records their end at now. The compat pool's agents have
// compat ids, so a conversation's agent says which protocol it was.
func SplitRestorable(open []store.Conversation, now time.Time) (restore []store.Conversation, closed store.Batch) {
	for _, c := range open {
		if strings.HasPrefix(c.AgentID, ids.Compat) {
			c.EndedAt, c.EndReason = now, ReasonServerRestart
			closed.Conversations = append(closed.Conversations, c)
			continue
		}
		restore = append(restore, c)
	}
	return restore, closed
}
