package storetest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"kefu/store"
)

// searchFixture stores four conversations to search, oldest first:
//
//	cv_s1 张三, served by ag_1, labelled vip: a greeting, 退款 at seq 2
//	      and 3 (the agent's), 退款到账 at seq 4
//	cv_s2 Li Lei, served by ag_2: English, refund at seq 1
//	cv_s3 王五, ag_1 then ag_2: 退款refund到账 at seq 1; a note "secretword"
//	cv_s4 Customer four, ag_2, labelled complaint: nothing to find; a note 密码泄露
func searchFixture(tb testing.TB, st store.Store) {
	tb.Helper()
	convs := []store.Conversation{newConv("cv_s1", 1, at(0)), newConv("cv_s2", 2, at(1000)), newConv("cv_s3", 3, at(2000)), newConv("cv_s4", 4, at(3000))}
	names := []string{"张三", "Li Lei", "王五", "Customer four"}
	agents := []string{"ag_1", "ag_2", "ag_2", "ag_2"}
	for i := range convs {
		convs[i].CustomerName, convs[i].AgentID, convs[i].AgentName = names[i], agents[i], "Agent "+agents[i]
	}
	msg := func(conv string, seq uint64, text string) store.Message {
		m := newMsg(conv, seq)
		m.Text = text
		return m
	}
	reply := msg("cv_s1", 3, "退款已经处理")
	reply.SenderID, reply.SenderRole, reply.SenderName = "ag_1", "agent", "Agent ag_1"
	b := &store.Batch{
		Conversations: convs,
		Messages: []store.Message{
			msg("cv_s1", 1, "你好"), msg("cv_s1", 2, "我要退款，钱什么时候到账？"), reply, msg("cv_s1", 4, "退款到账了吗"),
			msg("cv_s2", 1, "Where is my refund?"), msg("cv_s2", 2, "Thanks!"),
			msg("cv_s3", 1, "退款refund到账"),
			msg("cv_s4", 1, "nothing here"),
		},
		ConvEvents: []store.ConvEvent{
			{Conv: "cv_s3", Kind: store.EventAssigned, AgentID: "ag_1", AgentName: "Agent ag_1", At: at(2001)},
			{Conv: "cv_s3", Kind: store.EventTransferred, AgentID: "ag_2", AgentName: "Agent ag_2", At: at(2002)},
		},
		Notes: []store.Note{
			{Conv: "cv_s3", N: 1, AuthorID: "ag_1", AuthorName: "Agent ag_1", Text: "secretword 退款", After: 1, At: at(2003)},
			{Conv: "cv_s4", N: 1, AuthorID: "ag_2", AuthorName: "Agent ag_2", Text: "密码泄露", After: 1, At: at(3001)},
		},
	}
	mustApply(tb, st, b)
	mustApply(tb, st, b) // re-applied after an unknown outcome: nothing twice
	ctx := context.Background()
	if err := st.SetLabels(ctx, "cv_s1", []string{"vip"}); err != nil {
		tb.Fatal(err)
	}
	if err := st.SetLabels(ctx, "cv_s4", []string{"complaint"}); err != nil {
		tb.Fatal(err)
	}
}

// hitKey is what a test compares of a hit: "cv_s1/2".
func hitKey(h store.SearchHit) string {
	return h.Conv.ID + "/" + strconv.FormatUint(h.Seq, 10)
}

// CheckSearch fails tb unless q finds the hits want ("conv/seq"), in order,
// and returns them.
func CheckSearch(tb testing.TB, st store.Searcher, q store.SearchQuery, want ...string) []store.SearchHit {
	tb.Helper()
	hits, err := st.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", q, err)
	}
	got := make([]string, len(hits))
	for i, h := range hits {
		got[i] = hitKey(h)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		tb.Fatalf("Search(%+v)=%q, want %q", q, got, want)
	}
	return hits
}

func testSearch(t *testing.T, open Opener) {
	st := open(t)
	searchFixture(t, st)
	t.Run("OKChineseWord", func(t *testing.T) {
		// A two-character word inside sentences; newest first, each
		// conversation once, at its first matching message.
		hits := CheckSearch(t, st, store.SearchQuery{Text: "退款"}, "cv_s3/1", "cv_s1/2")
		if got, want := hits[1].Snippet, "我要退款，钱什么时候到账？"; got != want {
			t.Fatalf("snippet=%q, want %q", got, want)
		}
		if got, want := normConv(hits[1].Conv), normConv(mustConv(t, st, "cv_s1")); got != want {
			t.Fatalf("hit's conversation=%+v, want %+v", got, want)
		}
		CheckSearch(t, st, store.SearchQuery{Text: "到账"}, "cv_s3/1", "cv_s1/2")
	})
	t.Run("OKChinesePhrase", func(t *testing.T) {
		// One word typed is one phrase: its pairs next to each other.
		CheckSearch(t, st, store.SearchQuery{Text: "退款到账"}, "cv_s1/4")
		CheckSearch(t, st, store.SearchQuery{Text: "款到"}, "cv_s1/4")
		CheckSearch(t, st, store.SearchQuery{Text: "退款 到账"}, "cv_s3/1", "cv_s1/2")
	})
	t.Run("OKEnglish", func(t *testing.T) {
		CheckSearch(t, st, store.SearchQuery{Text: "REFUND"}, "cv_s3/1", "cv_s2/1")
		CheckSearch(t, st, store.SearchQuery{Text: "ｒｅｆｕｎｄ"}, "cv_s3/1", "cv_s2/1") // full width: NFKC
		CheckSearch(t, st, store.SearchQuery{Text: "refunds"})                      // words, not prefixes
	})
	t.Run("OKWordsAllRequired", func(t *testing.T) {
		CheckSearch(t, st, store.SearchQuery{Text: "where refund"}, "cv_s2/1")
		CheckSearch(t, st, store.SearchQuery{Text: "refund 到账"}, "cv_s3/1")
		CheckSearch(t, st, store.SearchQuery{Text: "退款refund到账"}, "cv_s3/1")
		CheckSearch(t, st, store.SearchQuery{Text: "refund thanks"}) // in two messages, not one
	})
	t.Run("OKCustomerName", func(t *testing.T) {
		hits := CheckSearch(t, st, store.SearchQuery{Text: "张三"}, "cv_s1/0")
		if got, want := hits[0].Snippet, "张三"; got != want {
			t.Fatalf("snippet=%q, want %q", got, want)
		}
		CheckSearch(t, st, store.SearchQuery{Text: "lei"}, "cv_s2/0")
	})
	t.Run("OKLabel", func(t *testing.T) {
		hits := CheckSearch(t, st, store.SearchQuery{Text: "VIP"}, "cv_s1/0")
		if got, want := hits[0].Snippet, "vip"; got != want {
			t.Fatalf("snippet=%q, want %q", got, want)
		}
		CheckSearch(t, st, store.SearchQuery{Text: "退款", Label: "vip"}, "cv_s1/2")
		CheckSearch(t, st, store.SearchQuery{Text: "退款", Label: "complaint"})
		hits = CheckSearch(t, st, store.SearchQuery{Label: "complaint"}, "cv_s4/0")
		if hits[0].Snippet != "" {
			t.Fatalf("snippet=%q without text, want none", hits[0].Snippet)
		}
	})
	t.Run("OKAgentScope", func(t *testing.T) {
		// ag_1 served cv_s3 before its transfer: it may find it.
		CheckSearch(t, st, store.SearchQuery{Text: "退款", AgentID: "ag_1"}, "cv_s3/1", "cv_s1/2")
		CheckSearch(t, st, store.SearchQuery{Text: "退款", AgentID: "ag_2"}, "cv_s3/1")
		CheckSearch(t, st, store.SearchQuery{Text: "张三", AgentID: "ag_2"})
		CheckSearch(t, st, store.SearchQuery{Text: "退款", AgentID: "ag_9"})
	})
	t.Run("OKDates", func(t *testing.T) {
		CheckSearch(t, st, store.SearchQuery{Text: "refund", From: at(1000), To: at(3000)}, "cv_s3/1", "cv_s2/1")
		CheckSearch(t, st, store.SearchQuery{Text: "refund", From: at(1001)}, "cv_s3/1")
		CheckSearch(t, st, store.SearchQuery{Text: "refund", To: at(2000)}, "cv_s2/1") // To is not included
		CheckSearch(t, st, store.SearchQuery{From: at(2000)}, "cv_s4/0", "cv_s3/0")
		CheckSearch(t, st, store.SearchQuery{To: at(2000), AgentID: "ag_1"}, "cv_s1/0")
	})
	t.Run("OKNotesNotSearched", func(t *testing.T) {
		CheckSearch(t, st, store.SearchQuery{Text: "secretword"})
		CheckSearch(t, st, store.SearchQuery{Text: "密码泄露"})
		CheckSearch(t, st, store.SearchQuery{Text: "密码"})
	})
	t.Run("OKLimit", func(t *testing.T) {
		CheckSearch(t, st, store.SearchQuery{Text: "退款", Limit: 1}, "cv_s3/1")
		CheckSearch(t, st, store.SearchQuery{From: at(0), Limit: store.MaxPageLimit}, "cv_s4/0", "cv_s3/0", "cv_s2/0", "cv_s1/0")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, q := range []store.SearchQuery{
			{},
			{AgentID: "ag_1"}, // a scope, not a query
			{Text: "  "},
			{Text: "?!…"},
			{Text: strings.Repeat("退", store.MaxSearchRunes+1)},
			{Text: "退款", Limit: -1},
			{Text: "退款", Limit: store.MaxPageLimit + 1},
			{Text: "退款", From: at(10), To: at(10)},
			{Label: "two words"},
			{Text: "退款", Before: store.SearchCursor{ID: "cv_s2"}}, // a cursor without its time
		} {
			if _, err := st.Search(context.Background(), q); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Search(%+v)=%v, want ErrInvalid", q, err)
			}
		}
	})
	t.Run("OKPages", func(t *testing.T) {
		// Page after page by the last hit's cursor, ties in time by id,
		// each conversation once, to an empty page.
		st := open(t)
		var convs []store.Conversation
		for _, c := range []struct {
			id string
			at int
		}{{"cv_pa", 5000}, {"cv_pb", 5000}, {"cv_pc", 5000}, {"cv_pd", 4000}} {
			convs = append(convs, newConv(c.id, 1, at(c.at)))
		}
		mustApply(t, st, &store.Batch{Conversations: convs})
		q := store.SearchQuery{From: at(0), Limit: 2}
		page := CheckSearch(t, st, q, "cv_pc/0", "cv_pb/0")
		q.Before = store.CursorOf(page[1])
		page = CheckSearch(t, st, q, "cv_pa/0", "cv_pd/0")
		q.Before = store.CursorOf(page[1])
		CheckSearch(t, st, q)
	})
	t.Run("OKSnippet", func(t *testing.T) {
		st := open(t)
		long := strings.Repeat("前言", 100) + "订单号丢失" + strings.Repeat("后记", 100)
		c := newConv("cv_long", 1, at(0))
		m := newMsg("cv_long", 1)
		m.Text = long
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{c}, Messages: []store.Message{m}})
		hits := CheckSearch(t, st, store.SearchQuery{Text: "订单号"}, "cv_long/1")
		s := hits[0].Snippet
		if !strings.Contains(s, "订单号丢失") || utf8.RuneCountInString(s) > store.SnippetRunes+2 ||
			!strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
			t.Fatalf("snippet=%q, want at most %d characters around 订单号, cut at both ends", s, store.SnippetRunes)
		}
	})
	t.Run("OKNewMessagesFound", func(t *testing.T) {
		// What a later commit writes is found at once: the index is
		// written with the messages.
		st := open(t)
		c := newConv("cv_later", 1, at(0))
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{c}})
		CheckSearch(t, st, store.SearchQuery{Text: "发票"})
		m := newMsg("cv_later", 1)
		m.Text = "请开发票"
		c.AgentID, c.AgentName = "ag_1", "Ann" // an upsert of the stored conversation
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{c}, Messages: []store.Message{m}})
		CheckSearch(t, st, store.SearchQuery{Text: "发票"}, "cv_later/1")
		CheckSearch(t, st, store.SearchQuery{Text: "customer cv_later", AgentID: "ag_1"}, "cv_later/0")
	})
}

// CheckSearchStored checks that st finds what CheckFullBatch wrote: its
// messages and its customer's name, as after a copy between stores.
func CheckSearchStored(tb testing.TB, st store.Searcher) {
	tb.Helper()
	CheckSearch(tb, st, store.SearchQuery{Text: "message 2"}, "c1/2")
	CheckSearch(tb, st, store.SearchQuery{Text: "customer c1"}, "c1/0")
}
