package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSearch (issue 19): an agent searches past conversations from the
// console: a two-character Chinese word inside a sentence finds Ann's, an
// English word finds Bob's, and a result opens the transcript at the
// message that matched.
func TestSearch(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
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
	b.check()
}
