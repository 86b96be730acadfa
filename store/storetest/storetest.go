// Package storetest checks that an implementation of store.Store behaves as
// the interface documents. The SQLite tests run it; a PostgreSQL
// implementation runs the same suite unchanged.
package storetest

import (
	"context"
	"testing"

	"kefu/store"
)

// Opener returns a new, empty store. It registers its own cleanup (Close).
type Opener func(tb testing.TB) store.Store

// Run runs every conformance test against stores from open.
func Run(t *testing.T, open Opener) {
	t.Run("CreateAgent", func(t *testing.T) { testCreateAgent(t, open) })
	t.Run("AgentByName", func(t *testing.T) { testAgentByName(t, open) })
	t.Run("AgentByID", func(t *testing.T) { testAgentByID(t, open) })
	t.Run("ListAgents", func(t *testing.T) { testListAgents(t, open) })
	t.Run("RemoveAgent", func(t *testing.T) { testRemoveAgent(t, open) })
	t.Run("SetPassword", func(t *testing.T) { testSetPassword(t, open) })
	t.Run("SetCapacity", func(t *testing.T) { testSetCapacity(t, open) })
	t.Run("CountAgents", func(t *testing.T) { testCountAgents(t, open) })
	t.Run("RevokeSessions", func(t *testing.T) { testRevokeSessions(t, open) })
	t.Run("RevokeToken", func(t *testing.T) { testRevokeToken(t, open) })
	t.Run("Secret", func(t *testing.T) { testSecret(t, open) })
	t.Run("Apply", func(t *testing.T) { testApply(t, open) })
	t.Run("Conversation", func(t *testing.T) { testConversation(t, open) })
	t.Run("Messages", func(t *testing.T) { testMessages(t, open) })
	t.Run("MessagesBefore", func(t *testing.T) { testMessagesBefore(t, open) })
	t.Run("MessageByClientID", func(t *testing.T) { testMessageByClientID(t, open) })
	t.Run("OpenConversations", func(t *testing.T) { testOpenConversations(t, open) })
	t.Run("ListConversations", func(t *testing.T) { testListConversations(t, open) })
	t.Run("ReadMarks", func(t *testing.T) { testReadMarks(t, open) })
	t.Run("SetRating", func(t *testing.T) { testSetRating(t, open) })
	t.Run("RatingsByAgent", func(t *testing.T) { testRatingsByAgent(t, open) })
	t.Run("MaxTicket", func(t *testing.T) { testMaxTicket(t, open) })
	t.Run("WaitingCustomers", func(t *testing.T) { testWaitingCustomers(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("Fencing", func(t *testing.T) { testFencing(t, open) })
	t.Run("Teams", func(t *testing.T) { testTeams(t, open) })
	t.Run("Inbox", func(t *testing.T) { testInbox(t, open) })
	t.Run("Mail", func(t *testing.T) { testMail(t, open) })
	t.Run("Settings", func(t *testing.T) { testSettings(t, open) })
	t.Run("Canned", func(t *testing.T) { testCanned(t, open) })
	t.Run("Notes", func(t *testing.T) { testNotes(t, open) })
	t.Run("Labels", func(t *testing.T) { testLabels(t, open) })
	t.Run("Blobs", func(t *testing.T) { testBlobs(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
}

// mustCreate creates an agent with capacity store.DefaultCapacity or fails tb.
func mustCreate(tb testing.TB, st store.Store, name string, role store.Role) store.Agent {
	tb.Helper()
	a, err := st.CreateAgent(context.Background(), name, []byte("hash-of-"+name), role, store.DefaultCapacity)
	if err != nil {
		tb.Fatalf("CreateAgent(%q): %v", name, err)
	}
	return a
}
