package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSearchAPI (issue 19): messages in Chinese and in English, posted
// over real sockets, are found by GET /api/search with their conversation,
// labels, first matching seq and text. An agent finds only the
// conversations it served; a supervisor everyone's with all=1. A private
// note is never found.
func TestSearchAPI(t *testing.T) {
	ts := startServer(t, Config{})
	alice, bob := ts.addAgent(t, "Alice", 3), ts.addAgent(t, "Bob", 3)
	boss := ts.supervisorToken(t)

	a := ts.agentOnline(t, alice)
	zhang := ts.customerOnline(t, "张三")
	convZh := assign(t, a, zhang)
	zhang.post(convZh, "你好", "")
	zhang.expectMsg(convZh, 1, zhang.me, "你好")
	zhang.post(convZh, "我的退款什么时候到账？", "")
	zhang.expectMsg(convZh, 2, zhang.me, "我的退款什么时候到账？")
	a.post(convZh, "退款已经处理，请查收", "")
	a.expectMsg(convZh, 1, zhang.me, "你好")
	a.expectMsg(convZh, 2, zhang.me, "我的退款什么时候到账？")
	a.expectMsg(convZh, 3, a.me, "退款已经处理，请查收")
	a.send(obj{"type": "note", "conv": convZh, "text": "secretword 发票", "cid": "n-1"})
	a.expect("note")
	if status, body := ts.api(t, "PUT", "/api/conversations/"+convZh+"/labels", alice.Token, `{"labels":["vip"]}`); status != http.StatusOK {
		t.Fatalf("set labels: %d %v", status, body)
	}

	b := ts.agentOnline(t, bob) // the least loaded: the next customer is Bob's
	lily := ts.customerOnline(t, "Lily")
	convEn := assign(t, b, lily)
	lily.post(convEn, "Where is my REFUND?", "")
	lily.expectMsg(convEn, 1, lily.me, "Where is my REFUND?")
	b.expectMsg(convEn, 1, lily.me, "Where is my REFUND?")

	// search returns the results as "conv/seq snippet" lines.
	search := func(token string, query url.Values) (int, []string) {
		t.Helper()
		status, body := ts.api(t, "GET", "/api/search?"+query.Encode(), token, "")
		if status != http.StatusOK {
			return status, nil
		}
		results, _ := body["results"].([]any)
		out := []string{}
		for _, r := range results {
			r := r.(map[string]any)
			conv := r["conversation"].(map[string]any)
			out = append(out, fmt.Sprintf("%v/%v %v", conv["id"], r["seq"], r["snippet"]))
		}
		return status, out
	}
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// Days in UTC; from yesterday, so that a run across midnight passes.
	today := time.Now().UTC().Format(time.DateOnly)
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	for _, tc := range []struct {
		name  string
		token string
		query url.Values
		want  []string
	}{
		{"ChineseWord", alice.Token, q("q", "退款"), []string{convZh + "/2 我的退款什么时候到账？"}},
		{"ChineseWordOfTheAgent", alice.Token, q("q", "处理"), []string{convZh + "/3 退款已经处理，请查收"}},
		{"EnglishNotServed", alice.Token, q("q", "refund"), []string{}},
		{"English", bob.Token, q("q", "refund"), []string{convEn + "/1 Where is my REFUND?"}},
		{"ChineseNotServed", bob.Token, q("q", "退款"), []string{}},
		{"SupervisorOwn", boss, q("q", "refund"), []string{}},
		{"SupervisorAll", boss, q("q", "refund", "all", "1"), []string{convEn + "/1 Where is my REFUND?"}},
		{"CustomerName", boss, q("q", "张三", "all", "1"), []string{convZh + "/0 张三"}},
		{"Label", alice.Token, q("label", "VIP"), []string{convZh + "/0 "}},
		{"LabelAsWord", alice.Token, q("q", "vip"), []string{convZh + "/0 vip"}},
		{"Days", boss, q("all", "1", "from", yesterday, "to", today), []string{convEn + "/0 ", convZh + "/0 "}},
		{"Time", alice.Token, q("q", "退款", "from", time.Now().Add(-time.Hour).Format(time.RFC3339)), []string{convZh + "/2 我的退款什么时候到账？"}},
		{"Tomorrow", boss, q("q", "退款", "all", "1", "from", time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)), []string{}},
		{"Limit", boss, q("all", "1", "from", yesterday, "limit", "1"), []string{convEn + "/0 "}},
		{"NoteNeverFound", boss, q("q", "secretword", "all", "1"), []string{}},
		{"NoteNeverFoundChinese", alice.Token, q("q", "发票"), []string{}},
	} {
		t.Run("OK"+tc.name, func(t *testing.T) {
			status, got := search(tc.token, tc.query)
			if status != http.StatusOK || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("search %s: %d %q, want 200 %q", tc.query.Encode(), status, got, tc.want)
			}
		})
	}
	t.Run("OKPages", func(t *testing.T) {
		// A full page names the next; the pages hold each conversation
		// once, newest first; the last one is empty and names none.
		var seen []string
		for before := ""; ; {
			query := q("all", "1", "from", yesterday, "limit", "1", "before", before)
			status, body := ts.api(t, "GET", "/api/search?"+query.Encode(), boss, "")
			if status != http.StatusOK {
				t.Fatalf("page after %q: %d %v", before, status, body)
			}
			for _, r := range body["results"].([]any) {
				seen = append(seen, r.(map[string]any)["conversation"].(map[string]any)["id"].(string))
			}
			next, _ := body["next"].(string)
			if next == "" {
				break
			}
			if len(seen) > 2 {
				t.Fatalf("pages %v and a next %q: want two conversations, then an empty page", seen, next)
			}
			before = next
		}
		if strings.Join(seen, " ") != convEn+" "+convZh {
			t.Fatalf("pages %v, want %s then %s", seen, convEn, convZh)
		}
	})
	t.Run("OKConversation", func(t *testing.T) {
		_, body := ts.api(t, "GET", "/api/search?q=%E9%80%80%E6%AC%BE", alice.Token, "") // 退款
		conv := body["results"].([]any)[0].(map[string]any)["conversation"].(map[string]any)
		customer, _ := conv["customer"].(map[string]any)
		agent, _ := conv["agent"].(map[string]any)
		if labels := fmt.Sprint(conv["labels"]); customer["name"] != "张三" || agent["id"] != alice.ID || labels != "[vip]" {
			t.Fatalf("conversation %v: want 张三's with Alice, labelled vip", conv)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if status, body := ts.api(t, "GET", "/api/search?q=refund&all=1", alice.Token, ""); status != http.StatusForbidden || body["code"] != "forbidden" {
			t.Fatalf("an agent's all=1: %d %v, want 403 forbidden", status, body)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		if status, _ := ts.api(t, "GET", "/api/search?q=refund", "", ""); status != http.StatusUnauthorized {
			t.Fatalf("no token: %d, want 401", status)
		}
		if status, _ := ts.api(t, "GET", "/api/search?q=refund", zhang.token, ""); status != http.StatusUnauthorized {
			t.Fatalf("a customer's token: %d, want 401", status)
		}
	})
	t.Run("ErrBadValue", func(t *testing.T) {
		for _, query := range []url.Values{
			q(), q("q", "  "), q("q", "?!"), q("q", strings.Repeat("退", 201)),
			q("q", "x", "limit", "0"), q("q", "x", "limit", "201"), q("q", "x", "limit", "ten"),
			q("q", "x", "from", "yesterday"), q("q", "x", "to", "2026-13-01"),
			q("q", "x", "from", today, "to", "2020-01-01"), q("label", "two words"),
			q("q", "x", "before", "yesterday"), q("q", "x", "before", "1733200000000."), q("q", "x", "before", "-5.cv_a"),
		} {
			status, body := ts.api(t, "GET", "/api/search?"+query.Encode(), boss, "")
			if status != http.StatusBadRequest || body["code"] != "bad_value" {
				t.Fatalf("search %s: %d %v, want 400 bad_value", query.Encode(), status, body)
			}
		}
	})
}
