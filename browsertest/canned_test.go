package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/store"
)

// TestCannedShortcut: an agent keeps a reply of its own in the console's
// editor, beside a shared one; typing "/" and the start of a shortcut
// offers it, Enter inserts it with the customer's and the agent's names
// filled in (without sending), and a second Enter sends it.
func TestCannedShortcut(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	if _, err := srv.Store().CreateCanned(context.Background(), store.Canned{Shortcut: "refund", Text: "Hello {customer}, {agent} here: your refund is on its way."}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	alice.signIn(base, "Alice")

	// Her own reply, kept in the editor; the shared one is not hers to edit.
	alice.do(chromedp.Click(chromedp.ID("canned-open")))
	alice.do(chromedp.SendKeys(chromedp.ID("canned-shortcut"), "bye"), chromedp.SendKeys(chromedp.ID("canned-text"), "Bye {customer}!"), chromedp.Click(chromedp.ID("canned-save")))
	alice.waitLines("#canned-list .canned-key", "/bye")
	alice.do(chromedp.Click(chromedp.ID("canned-close")))

	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")

	alice.do(chromedp.SendKeys(chromedp.ID("text"), "/ref"))
	alice.waitUntil("the reply offered", `[...document.querySelectorAll("#canned-menu li")].some(e => e.textContent.includes("/refund"))`)
	alice.do(pressEnter())
	want := "Hello Ann, Alice here: your refund is on its way."
	alice.waitUntil("the reply inserted, not sent", `document.getElementById("text").value === `+jsString(want))
	alice.do(pressEnter())
	ann.waitLines(widgetLines, want)
	alice.do(chromedp.SendKeys(chromedp.ID("text"), "/by"))
	alice.waitUntil("her own reply offered", `[...document.querySelectorAll("#canned-menu li")].some(e => e.textContent.includes("/bye"))`)
	alice.do(pressEnter(), pressEnter())
	ann.waitLines(widgetLines, want, "Bye Ann!")
	b.check()
}
