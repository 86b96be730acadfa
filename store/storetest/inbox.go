package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"kefu/store"
)

func testInbox(t *testing.T, open Opener) {
	t.Run("OKTeamsAndForms", func(t *testing.T) { testTeamAndFormFields(t, open(t)) })
	t.Run("OKOldestFirst", func(t *testing.T) { testInboxOrder(t, open(t)) })
	t.Run("ErrFormFields", func(t *testing.T) { testFormFieldsInvalid(t, open(t)) })
	t.Run("ErrLimit", func(t *testing.T) { testInboxLimit(t, open(t)) })
	t.Run("WaitersTeam", func(t *testing.T) { testWaitersTeam(t, open(t)) })
}

// formConv is an open conversation left with the offline form in team's
// inbox.
func formConv(id string, ticket uint64, team string) store.Conversation {
	c := newConv(id, ticket, at(int(ticket)))
	c.Team, c.Origin, c.Inbox = team, store.OriginForm, true
	c.CustomerEmail, c.CustomerLang = "ann@example.com", "zh-CN"
	return c
}

// testTeamAndFormFields: a conversation's team, origin, inbox, email and
// language round trip; one that names no team is the general team's, and
// no origin is a chat. While it is open its team and inbox may change;
// its origin, email and language stay as first stored; once it ended,
// nothing changes.
func testTeamAndFormFields(t *testing.T, st store.Store) {
	plain := newConv("c1", 1, at(0))
	plain.Team, plain.Origin = "", ""
	form := formConv("c2", 2, "tm_sales")
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{plain, form}})
	if got := mustConv(t, st, "c1"); got.Team != store.GeneralTeamID || got.Origin != store.OriginChat || got.Inbox {
		t.Fatalf("a conversation naming no team read back as team %q, origin %q, inbox %v", got.Team, got.Origin, got.Inbox)
	}
	if got := mustConv(t, st, "c2"); got != form {
		t.Fatalf("read %+v, want %+v", got, form)
	}

	taken := form
	taken.Team, taken.Inbox, taken.AgentID, taken.AgentName = "tm_support", false, "ag_x", "X"
	taken.Origin, taken.CustomerEmail, taken.CustomerLang = store.OriginChat, "", "en"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{taken}})
	want := form
	want.Team, want.Inbox, want.AgentID, want.AgentName = "tm_support", false, "ag_x", "X"
	if got := mustConv(t, st, "c2"); got != want {
		t.Fatalf("after taking: read %+v, want %+v", got, want)
	}

	ended := want
	ended.EndedAt, ended.EndReason = at(10), "agent_ended"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{ended}})
	reopened := ended
	reopened.Team, reopened.Inbox, reopened.EndedAt = "tm_sales", true, at(20)
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{reopened}})
	if got := mustConv(t, st, "c2"); got != ended {
		t.Fatalf("an ended conversation changed: read %+v, want %+v", got, ended)
	}
}

// testInboxOrder: a team's inbox lists its open conversations waiting
// there, oldest ticket first, a page at a time; not another team's, not
// one taken out of it, not one that ended.
func testInboxOrder(t *testing.T, st store.Store) {
	var b store.Batch
	for i, team := range []string{"tm_a", "tm_b", "tm_a", "tm_a", "tm_a", "tm_a"} {
		b.Conversations = append(b.Conversations, formConv(string(rune('p'+i)), uint64(10-i), team))
	}
	mustApply(t, st, &b)
	taken, ended := mustConv(t, st, "r"), mustConv(t, st, "s") // tickets 8 and 7
	taken.Inbox = false
	ended.EndedAt = at(30)
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{taken, ended}})

	ids := func(after uint64, limit int) []string {
		t.Helper()
		convs, err := st.InboxConversations(context.Background(), "tm_a", after, limit)
		if err != nil {
			t.Fatalf("InboxConversations: %v", err)
		}
		var out []string
		for _, c := range convs {
			out = append(out, c.ID)
		}
		return out
	}
	if got, want := ids(0, 0), []string{"u", "t", "p"}; !slices.Equal(got, want) { // tickets 5, 6, 10
		t.Fatalf("inbox=%v, want %v", got, want)
	}
	if got, want := ids(0, 2), []string{"u", "t"}; !slices.Equal(got, want) {
		t.Fatalf("first page=%v, want %v", got, want)
	}
	if got, want := ids(6, 2), []string{"p"}; !slices.Equal(got, want) {
		t.Fatalf("page after ticket 6=%v, want %v", got, want)
	}
	if got := ids(0, 0); slices.Contains(got, "q") {
		t.Fatalf("tm_a's inbox lists tm_b's conversation: %v", got)
	}
}

// testFormFieldsInvalid: an unknown origin, an address that is not a bare
// email or is too long, a language tag too long: ErrInvalid, nothing
// stored.
func testFormFieldsInvalid(t *testing.T, st store.Store) {
	for name, change := range map[string]func(*store.Conversation){
		"Origin":       func(c *store.Conversation) { c.Origin = "email" },
		"EmailNamed":   func(c *store.Conversation) { c.CustomerEmail = "Ann <ann@example.com>" },
		"EmailNoAt":    func(c *store.Conversation) { c.CustomerEmail = "ann" },
		"EmailNewline": func(c *store.Conversation) { c.CustomerEmail = "ann@example.com\r\nBcc: x@y.z" },
		"EmailLong":    func(c *store.Conversation) { c.CustomerEmail = string(make([]byte, 250)) + "@b.cn" },
		"Lang":         func(c *store.Conversation) { c.CustomerLang = string(make([]byte, store.MaxLangBytes+1)) },
	} {
		t.Run(name, func(t *testing.T) {
			c := formConv("bad"+name, 1, "tm_a")
			change(&c)
			if err := st.Apply(context.Background(), &store.Batch{Conversations: []store.Conversation{c}}); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Apply: %v, want ErrInvalid", err)
			}
			if _, err := st.Conversation(context.Background(), c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("refused conversation read back: err=%v", err)
			}
		})
	}
}

func testInboxLimit(t *testing.T, st store.Store) {
	for _, limit := range []int{-1, store.MaxPageLimit + 1} {
		if _, err := st.InboxConversations(context.Background(), "tm_a", 0, limit); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("limit %d: err=%v, want ErrInvalid", limit, err)
		}
	}
}

// testWaitersTeam: a waiter comes back with the team its queued event
// named; one that named none waits in the general team's queue.
func testWaitersTeam(t *testing.T, st store.Store) {
	mustApply(t, st, &store.Batch{Routing: []store.RoutingEvent{
		{Kind: store.EventQueued, Customer: "cu_1", Ticket: 1, At: at(1), Team: "tm_sales"},
		{Kind: store.EventQueued, Customer: "cu_2", Ticket: 2, At: at(2)},
	}})
	ws, err := st.WaitingCustomers(context.Background(), at(0))
	if err != nil {
		t.Fatal(err)
	}
	var teams []string
	for _, w := range ws {
		teams = append(teams, w.Team)
	}
	if want := []string{"tm_sales", store.GeneralTeamID}; !slices.Equal(teams, want) {
		t.Fatalf("waiters' teams=%v, want %v", teams, want)
	}
}
