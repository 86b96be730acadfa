package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSearchQueryPlans checks that Search reads its rows through indexes:
// the FTS5 index for the words, then each hit's conversation and message
// by key; the label and agent filters by their indexes, and a list
// without words by the conversations' own. The only whole reads allowed
// are of the hits themselves (h and its subquery), which the words bound.
func TestSearchQueryPlans(t *testing.T) {
	st := openTemp(t)
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	hits := regexp.MustCompile(`^SCAN (h|\(subquery-\d+\))$|^SCAN message_search VIRTUAL TABLE INDEX \d+:M`)
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
	} {
		p, err := PlanSearch(tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		query, _ := searchSQL(p)
		plan := queryPlan(t, st, tc.name, query)
		text := strings.Join(plan, "\n")
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN ") && !hits.MatchString(line) {
				t.Errorf("%s: plan reads more than the hits (%s):\n%s", tc.name, line, text)
			}
		}
		rest := text
		for _, w := range tc.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: plan does not use %q:\n%s", tc.name, w, text)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}

// TestSearchMigration: the step that adds the index indexes what was
// stored before it, messages and customers' names, and the triggers it
// adds index what comes after.
func TestSearchMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName)+"?"+dsnParams(sqliteOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrations[:13]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name, ticket, started_at, ended_by, end_reason, rating)
			VALUES ('cv_old', 'cu_old', '老客户', 'ag_1', 'Ann', 1, 1000, '', '', 0)`,
		`INSERT INTO messages (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at)
			VALUES ('cv_old', 1, 'cu_old', 'customer', '老客户', '你好', 'c1', 1001),
				('cv_old', 2, 'cu_old', 'customer', '老客户', '我的退款还没到账', 'c2', 1002)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err := OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		text string
		seq  uint64
	}{{"退款", 2}, {"老客户", 0}} {
		hits, err := st.Search(ctx, SearchQuery{Text: tc.text})
		if err != nil || len(hits) != 1 || hits[0].Conv.ID != "cv_old" || hits[0].Seq != tc.seq {
			t.Fatalf("Search(%q)=%+v, %v; want cv_old at seq %d", tc.text, hits, err, tc.seq)
		}
	}
	b := &Batch{Messages: []Message{{Conv: "cv_old", Seq: 3, SenderID: "ag_1", SenderRole: "agent", Text: "已经到账了", At: fromMillis(1003)}}}
	if err := st.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if hits, err := st.Search(ctx, SearchQuery{Text: "已经"}); err != nil || len(hits) != 1 || hits[0].Seq != 3 {
		t.Fatalf("Search(已经)=%+v, %v; want cv_old at seq 3", hits, err)
	}
}
