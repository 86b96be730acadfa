package store

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSearchQueryPlans checks that Search reads its rows through indexes:
// the FTS5 index for the words, then each hit's conversation and message
// by key; the label and agent filters by their indexes, and a list
// without words by the conversations' own. The only whole reads allowed
// are of the hits themselves (h and its subquery), which the words bound,
// and of the queue of rows to index (p), which searchIndexWork bounds.
func TestSearchQueryPlans(t *testing.T) {
	st := openTemp(t)
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	hits := regexp.MustCompile(`^SCAN (h|p|\(subquery-\d+\))$|^SCAN message_search VIRTUAL TABLE INDEX \d+:M`)
	for _, tc := range []struct {
		name string
		q    SearchQuery
		want []string // in the plan, in this order
	}{
		{"Words", SearchQuery{Text: "退款 refund"}, []string{"message_search VIRTUAL TABLE INDEX 0:M",
			"conversation_labels_label (label=?", "c USING INDEX sqlite_autoindex_conversations_1 (id=?)", "m USING PRIMARY KEY (conv_id=? AND seq=?)"}},
		{"WordsByAgent", SearchQuery{Text: "退款", AgentID: "ag_1"}, []string{"message_search VIRTUAL TABLE INDEX 0:M",
			"INDEX conversations_agent (agent_id=?)", "INDEX conv_events_agent (agent_id=?)", "m USING PRIMARY KEY (conv_id=? AND seq=?)"}},
		{"WordsByLabelAndDates", SearchQuery{Text: "退款", Label: "vip", From: day, To: day.AddDate(0, 0, 1)}, []string{"message_search VIRTUAL TABLE INDEX 0:M",
			"conversation_labels_label (label=?)"}},
		{"Label", SearchQuery{Label: "vip"}, []string{"INDEX conversation_labels_label (label=?)"}},
		{"Dates", SearchQuery{From: day, To: day.AddDate(0, 0, 1)}, []string{"INDEX conversations_started (started_at>? AND started_at<?)"}},
		{"DatesByAgent", SearchQuery{From: day, AgentID: "ag_1"}, []string{"INDEX conversations_agent (agent_id=? AND started_at>?)", "INDEX conv_events_agent (agent_id=?)"}},
		// The queue is read whole: that is what it is for.
		{"IndexPending", SearchQuery{}, []string{"SCAN p", "c USING INDEX sqlite_autoindex_conversations_1 (id=?)", "m USING PRIMARY KEY (conv_id=? AND seq=?)"}},
	} {
		query := indexPendingSQL
		if tc.name != "IndexPending" {
			p, err := PlanSearch(tc.q)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			query, _ = searchSQL(p)
		}
		plan := queryPlan(t, st, tc.name, query)
		text := strings.Join(plan, "\n")
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN ") && !hits.MatchString(line) {
				t.Errorf("%s: plan reads more than the hits (%s):\n%s", tc.name, line, text)
			}
		}
		planUses(t, tc.name, text, tc.want)
	}
}

// TestSearchMigration: the step that adds the index indexes what was
// stored before it, messages and customers' names, and the triggers it
// adds index what comes after.
func TestSearchMigration(t *testing.T) {
	st := openAfter(t, 13, `INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name, ticket, started_at, ended_by, end_reason, rating)
			VALUES ('cv_old', 'cu_old', '老客户', 'ag_1', 'Ann', 1, 1000, '', '', 0);
		INSERT INTO messages (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at)
			VALUES ('cv_old', 1, 'cu_old', 'customer', '老客户', '你好', 'c1', 1001),
				('cv_old', 2, 'cu_old', 'customer', '老客户', '我的退款还没到账', 'c2', 1002)`)
	wantHit(t, st, "退款", 2)
	wantHit(t, st, "老客户", 0)
	b := &Batch{Messages: []Message{{Conv: "cv_old", Seq: 3, SenderID: "ag_1", SenderRole: "agent", Text: "已经到账了", At: fromMillis(1003)}}}
	if err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	wantHit(t, st, "已经", 3)
}

// wantHit fails tb unless searching text finds cv_old alone, at seq.
func wantHit(tb testing.TB, st *SQLite, text string, seq uint64) {
	tb.Helper()
	hits, err := st.Search(context.Background(), SearchQuery{Text: text})
	if err != nil || len(hits) != 1 || hits[0].Conv.ID != "cv_old" || hits[0].Seq != seq {
		tb.Fatalf("Search(%q)=%+v, %v; want cv_old at seq %d", text, hits, err, seq)
	}
}

// TestSearchPending: what a commit queues for the index waits until a
// commit brings the queue to searchIndexWork, a Search, or the next open;
// a re-applied batch queues nothing.
func TestSearchPending(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := func(st *SQLite, table string) int {
		t.Helper()
		var n int
		if err := st.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	queued := func(st *SQLite, wantQueued, wantIndexed int) {
		t.Helper()
		if got, want := count(st, "message_search_pending"), wantQueued; got != want {
			t.Fatalf("queued %d rows, want %d", got, want)
		}
		if got, want := count(st, "message_search"), wantIndexed; got != want {
			t.Fatalf("indexed %d rows, want %d", got, want)
		}
	}
	msg := func(seq int, text string) Message {
		return Message{Conv: "cv_old", Seq: uint64(seq), SenderID: "cu_old", SenderRole: "customer", Text: text, At: fromMillis(int64(seq))}
	}
	apply := func(st *SQLite, b *Batch) {
		t.Helper()
		for range 2 { // the second time as after an unknown outcome
			if err := st.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	apply(st, &Batch{
		Conversations: []Conversation{{ID: "cv_old", CustomerID: "cu_old", CustomerName: "老客户", StartedAt: fromMillis(0)}},
		Messages:      []Message{msg(1, "你好"), msg(2, "我的退款还没到账")},
	})
	queued(st, 3, 0) // the name and two messages, once
	st.Close()       // as a stop would leave it: the queue stored, not the index

	st, err = OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	queued(st, 0, 3)
	apply(st, &Batch{Messages: []Message{msg(3, "发票开好了")}})
	queued(st, 1, 3)
	wantHit(t, st, "发票", 3)
	queued(st, 0, 4)

	// A long message fills the queue alone: its commit indexes it.
	apply(st, &Batch{Messages: []Message{msg(4, strings.Repeat("满", searchIndexWork/3))}})
	queued(st, 0, 5)
	wantHit(t, st, "满满", 4)
}
