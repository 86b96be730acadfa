package browsertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/store"
)

// TestSearch (issue 19): an agent searches past conversations from the
// console: a two-character Chinese word inside a sentence finds Ann's, an
// English word finds Bob's, and a result opens the transcript at the
// message that matched; more than a page of results comes a page at a
// time.
func TestSearch(t *testing.T) {
	srv, base := nativeServer(t, 0)
	aliceID := addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	bob := b.newPerson("customer Bob").phone()
	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	ann.say("你好")
	ann.say("我的退款还没有到账")
	alice.waitLines(deskLines, "你好", "我的退款还没有到账")
	bob.startChat(base, "Bob")
	alice.openConv("Bob")
	bob.say("my parcel never arrived")
	alice.waitLines(deskLines, "my parcel never arrived")

	const results = "#history-results .history-pick .name"
	search := func(q string) {
		alice.do(chromedp.SetValue(chromedp.ID("history-q"), q), chromedp.Click(chromedp.ID("history-go")))
	}
	alice.do(chromedp.Click(chromedp.ID("history-open")))
	search("退款")
	alice.waitLines(results, "Ann with Alice")
	alice.waitText("#history-results .snippet", "我的退款还没有到账")
	alice.screenshot("history-search")
	alice.do(chromedp.Click("#history-results .history-pick"))
	alice.waitText("#history-lines .msg.match .text", "我的退款还没有到账")
	alice.waitLines("#history-lines .msg .text", "你好", "我的退款还没有到账")

	alice.do(chromedp.Click(chromedp.ID("history-back")))
	search("parcel")
	alice.waitLines(results, "Bob with Alice")
	search("refund")
	alice.waitText("#history-panel p[role=status]", "No conversation found.")

	// More than a page: 21 past conversations of Alice's that mention an
	// invoice, then Older results for the last one.
	var past store.Batch
	for i := range 21 {
		id, at := fmt.Sprintf("cv_past%02d", i), time.Now().Add(-time.Duration(i+1)*time.Hour)
		past.Conversations = append(past.Conversations, store.Conversation{ID: id, CustomerID: fmt.Sprintf("cu_past%02d", i),
			CustomerName: fmt.Sprintf("Past %02d", i), AgentID: aliceID, AgentName: "Alice", Ticket: uint64(1000 + i), StartedAt: at, EndedAt: at.Add(time.Minute)})
		past.Messages = append(past.Messages, store.Message{Conv: id, Seq: 1, SenderID: fmt.Sprintf("cu_past%02d", i), SenderRole: "customer",
			SenderName: fmt.Sprintf("Past %02d", i), Text: "where is my invoice", At: at})
	}
	if err := srv.Store().Apply(context.Background(), &past); err != nil {
		t.Fatal(err)
	}
	search("invoice")
	alice.waitUntil("a page of 20", `document.querySelectorAll("#history-results .history-pick").length === 20 && !document.getElementById("history-more").hidden`)
	alice.do(chromedp.Click(chromedp.ID("history-more")))
	alice.waitUntil("all 21, the oldest last", `document.querySelectorAll("#history-results .history-pick").length === 21 &&
		[...document.querySelectorAll("#history-results .history-pick .name")].at(-1).textContent === "Past 20 with Alice"`)
	alice.waitUntil("no more pages", `document.getElementById("history-more").hidden`)
	b.check()
}
