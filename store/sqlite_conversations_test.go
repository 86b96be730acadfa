package store

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQueryPlans checks that every read finds its rows through the index
// meant for it, rather than reading a whole table (or a whole index) that
// grows with every conversation ever held.
func TestQueryPlans(t *testing.T) {
	st := openTemp(t)
	fullScan := regexp.MustCompile(`^SCAN \w+$`)
	for _, tc := range []struct {
		name, query string
		want        []string // in the plan, in this order
	}{
		{"OpenConversations", openConversationsSQL, []string{"USING INDEX conversations_open"}},
		{"Conversation", conversationSQL, []string{"USING INDEX sqlite_autoindex_conversations_1 (id=?)"}},
		{"Messages", messagesSQL, []string{"USING PRIMARY KEY (conv_id=? AND seq>?)"}},
		{"MessagesBefore", messagesBeforeSQL, []string{"USING PRIMARY KEY (conv_id=? AND seq<?)"}},
		{"ConvEvents", convEventsSQL, []string{"INDEX conv_events_conv (conv_id=?)"}},
		{"ReadMarks", readMarksSQL, []string{"USING PRIMARY KEY (conv_id=?)"}},
		{"MaxTicket", maxTicketSQL, []string{"INDEX conversations_ticket", "INDEX routing_events_ticket"}},
		{"WaitingCustomers", waitingCustomersSQL, []string{"INDEX routing_events_at (at>?)", "INDEX routing_events_customer (customer_id=? AND at>?)"}},
		{"Inbox", inboxSQL, []string{"USING INDEX conversations_inbox (team_id=? AND ticket>?)"}},
		{"List", listConversationsSQL(false, false, false), []string{"USING INDEX conversations_started"}},
		{"ListAfterCursor", listConversationsSQL(false, false, true), []string{"USING INDEX conversations_started ((started_at,id)<(?,?))"}},
		{"ListByAgent", listConversationsSQL(true, false, false), []string{"INDEX conversations_agent (agent_id=?)", "INDEX conv_events_agent (agent_id=?)"}},
		{"ListByLabel", listConversationsSQL(false, true, false), []string{"INDEX conversation_labels_label (label=?)"}},
		{"Notes", notesSQL, []string{"USING PRIMARY KEY (conv_id=?)"}},
		{"ListByAgentAfterCursor", listConversationsSQL(true, false, true), []string{"INDEX conversations_agent (agent_id=? AND (started_at,id)<(?,?))", "INDEX conv_events_agent (agent_id=?)"}},
	} {
		plan := queryPlan(t, st, tc.name, tc.query)
		text := strings.Join(plan, "\n")
		for _, line := range plan {
			if fullScan.MatchString(line) {
				t.Errorf("%s: plan reads a whole table:\n%s", tc.name, text)
			}
		}
		planUses(t, tc.name, text, tc.want)
	}
}

// planUses fails tb unless the plan's text holds each of want, in order.
func planUses(tb testing.TB, name, text string, want []string) {
	tb.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			tb.Errorf("%s: plan does not use %q:\n%s", name, w, text)
			return
		}
		rest = rest[i+len(w):]
	}
}

// queryPlan returns the lines of query's plan; name names it in failures.
func queryPlan(tb testing.TB, st *SQLite, name, query string) []string {
	tb.Helper()
	args := make([]any, strings.Count(query, "?")) // NULLs: the plan does not depend on them
	rows, err := st.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var (
			id, parent, unused int
			detail             string
		)
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return plan
}

// TestPragmasSyncFull checks that WithSyncFull reaches every connection.
func TestPragmasSyncFull(t *testing.T) {
	st, err := OpenSQLite(t.TempDir(), WithSyncFull())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got string
	if err := st.db.QueryRow("PRAGMA synchronous").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "2"; got != want { // FULL
		t.Fatalf("synchronous=%s, want %s", got, want)
	}
}

// TestApplyRouting checks the routing events, which no method reads back:
// stored as given, and not again when the batch is re-applied.
func TestApplyRouting(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	at := time.UnixMilli(1_700_000_000_123).UTC()
	b := &Batch{Routing: []RoutingEvent{
		{Kind: "queued", Customer: "cu_1", Ticket: 1, At: at},
		{Kind: "assigned", Customer: "cu_1", Agent: "ag_1", Conv: "cv_1", Ticket: 1, At: at.Add(time.Millisecond)},
	}}
	for range 2 {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.db.Query(`SELECT kind, customer_id, agent_id, conv_id, ticket, at FROM routing_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []RoutingEvent
	for rows.Next() {
		var (
			e  RoutingEvent
			ms int64
		)
		if err := rows.Scan(&e.Kind, &e.Customer, &e.Agent, &e.Conv, &e.Ticket, &ms); err != nil {
			t.Fatal(err)
		}
		e.At = fromMillis(ms)
		got = append(got, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(b.Routing) {
		t.Fatalf("routing events=%+v, want %+v", got, b.Routing)
	}
	for i := range got {
		if got[i] != b.Routing[i] {
			t.Fatalf("routing event %d=%+v, want %+v", i, got[i], b.Routing[i])
		}
	}
}

func TestBatch(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var b Batch
		if got, want := b.Len(), 0; got != want {
			t.Fatalf("Len=%d, want %d", got, want)
		}
		one := Batch{
			Conversations: []Conversation{{ID: "c"}},
			Messages:      []Message{{Conv: "c", Seq: 1}, {Conv: "c", Seq: 2}},
			ConvEvents:    []ConvEvent{{Conv: "c"}},
			Routing:       []RoutingEvent{{Conv: "c"}},
			Reads:         []ReadMark{{Conv: "c"}},
		}
		b.Append(&one)
		b.Append(&one)
		if got, want := b.Len(), 12; got != want {
			t.Fatalf("Len=%d, want %d", got, want)
		}
		if got, want := b.Messages[2].Seq, uint64(1); got != want {
			t.Fatalf("Messages[2].Seq=%d, want %d (appended in order)", got, want)
		}
		msgs := b.Messages
		b.Reset()
		if got, want := b.Len(), 0; got != want {
			t.Fatalf("Len after Reset=%d, want %d", got, want)
		}
		if got, want := cap(b.Messages), cap(msgs); got != want {
			t.Fatalf("cap(Messages) after Reset=%d, want %d (kept)", got, want)
		}
		if msgs[0] != (Message{}) {
			t.Fatalf("Reset left %+v in the backing array", msgs[0])
		}
	})
}

func TestDiscard(t *testing.T) {
	ctx := context.Background()
	var d Discard
	b := &Batch{Messages: []Message{{Conv: "nowhere", Seq: 0}}} // not even valid
	if err := d.Apply(ctx, b); err != nil {
		t.Fatalf("Apply=%v, want nil", err)
	}
	if convs, err := d.OpenConversations(ctx); err != nil || len(convs) != 0 {
		t.Fatalf("OpenConversations=%v, %v, want none", convs, err)
	}
	if _, err := d.Conversation(ctx, "nowhere"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Conversation err=%v, want ErrNotFound", err)
	}
	if msgs, err := d.Messages(ctx, "nowhere", 0, 0); err != nil || len(msgs) != 0 {
		t.Fatalf("Messages=%v, %v, want none", msgs, err)
	}
	if events, err := d.ConvEvents(ctx, "nowhere"); err != nil || len(events) != 0 {
		t.Fatalf("ConvEvents=%v, %v, want none", events, err)
	}
	if marks, err := d.ReadMarks(ctx, "nowhere"); err != nil || len(marks) != 0 {
		t.Fatalf("ReadMarks=%v, %v, want none", marks, err)
	}
	if page, next, err := d.ListConversations(ctx, ConversationFilter{}); err != nil || len(page) != 0 || next != "" {
		t.Fatalf("ListConversations=%v, %q, %v, want an empty last page", page, next, err)
	}
	if err := d.SetRating(ctx, "nowhere", 5); err != nil {
		t.Fatalf("SetRating=%v, want nil", err)
	}
	if err := d.SetRating(ctx, "nowhere", 6); !errors.Is(err, ErrInvalid) {
		t.Fatalf("SetRating(6) err=%v, want ErrInvalid", err)
	}
	if n, err := d.MaxTicket(ctx); err != nil || n != 0 {
		t.Fatalf("MaxTicket=%d, %v, want 0", n, err)
	}
}
