package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/store"
)

// TestWidgetQueue: customers wait while no agent, then the only agent, is
// free, and watch their place and estimate change; the agent takes them in
// turn; both sides see each other typing, the delivered and read marks, and
// markup in names and messages stays text.
func TestWidgetQueue(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 1)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	evil := b.newPerson("customer " + evilName).phone()
	ann := b.newPerson("customer Ann").phone()

	evil.do(chromedp.Navigate(base + "/"))
	evil.waitUntil("start form", visible("start-form"))
	evil.screenshot("widget-start")

	// Nobody to serve them yet: no estimate is the honest one.
	evil.startChat(base, evilName)
	evil.waitText("#queue-position", "You are number 1 in line")
	evil.waitText("#queue-eta", "No agent is available right now. You keep your place: wait, or come back later.")
	evil.screenshot("widget-queue-no-agent")
	ann.startChat(base, "Ann")
	ann.waitText("#queue-position", "You are number 2 in line")

	// Alice comes online: the first customer is hers, and Ann moves up
	// with an estimate (one agent, two minutes a chat to begin with).
	alice.signIn(base, "Alice")
	evil.waitText("#agent-line", "You are chatting with Alice")
	ann.waitText("#queue-position", "You are number 1 in line")
	ann.waitText("#queue-eta", "Estimated wait: about 2 min")
	ann.screenshot("widget-queued")
	alice.waitText("#thread-title", "Chat with "+evilName)

	// Markup stays text, in names and in messages, on both sides.
	evil.say(evilText)
	alice.waitLines(deskLines, evilText)
	evil.waitLines(widgetLines, evilText)
	alice.waitText("#conv-list .conv-item .name", evilName)
	alice.noMarkup("#console")
	evil.noMarkup("#chat")

	// Alice ends it; the widget says so, and Ann is next.
	alice.endChat()
	evil.waitText("#ended-why", "The agent ended the chat.")
	ann.waitText("#agent-line", "You are chatting with Alice")
	// The chat on screen has ended: the console shows the new customer.
	alice.waitText("#thread-title", "Chat with Ann")
	alice.waitUntil("title without the count", `document.title === "kefu agent console"`)

	// Each sees the other typing, then the message.
	ann.do(chromedp.SendKeys(chromedp.ID("text"), "My order"))
	alice.waitText("#typing", "Ann is typing…")
	ann.say(" is late")
	alice.waitLines(deskLines, "My order is late")
	alice.waitText("#typing", "")
	alice.do(chromedp.SendKeys(chromedp.ID("text"), "Let me check"))
	ann.waitText("#typing", "Alice is typing…")
	alice.say(".")
	ann.waitLines(widgetLines, "My order is late", "Let me check.")

	// Both pages are in view, so each reads the other's line, and each
	// sees its own marked read.
	ann.waitUntil("own line read", `document.querySelector("#messages .msg.mine").dataset.mark === "read"`)
	alice.waitUntil("own line read", `document.querySelector("#threads ol:not([hidden]) .msg.mine").dataset.mark === "read"`)
	ann.waitText("#messages .msg.mine .mark", "✓✓ Read")
	ann.screenshot("widget-chat")
	alice.screenshot("agent-console")

	// The language switch is on every page.
	ann.do(chromedp.Click(chromedp.ID("lang")))
	ann.waitText("#agent-line", "客服 Alice 为您服务")
	ann.waitText("#messages .msg.mine .mark", "✓✓ 已读")
	ann.do(chromedp.Click(chromedp.ID("lang")))
	ann.waitText("#agent-line", "You are chatting with Alice")
	b.check()
}

// TestWidgetReloadAndRate: a customer reloads mid-chat, even with a
// message just sent, and gets the whole conversation back exactly once;
// after the end it reloads again, still sees the chat and rates it, and
// the rating is stored.
func TestWidgetReloadAndRate(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()

	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	ann.waitText("#agent-line", "You are chatting with Alice")
	// Shift+Enter starts a new line; Enter sends.
	ann.do(
		chromedp.SendKeys(chromedp.ID("text"), "one"),
		pressEnter(chromedp.ModifierShift),
		chromedp.SendKeys(chromedp.ID("text"), "line"),
		pressEnter(),
	)
	alice.waitLines(deskLines, "one\nline")
	alice.say("two")
	ann.waitLines(widgetLines, "one\nline", "two")

	// Reload right behind a send: whether or not the server had the
	// message, it is there once afterwards.
	ann.do(
		chromedp.SendKeys(chromedp.ID("text"), "three"),
		pressEnter(),
		chromedp.Reload(),
	)
	ann.waitLines(widgetLines, "one\nline", "two", "three")
	alice.waitLines(deskLines, "one\nline", "two", "three")
	ann.waitText("#agent-line", "You are chatting with Alice")
	ann.say("four")
	alice.waitLines(deskLines, "one\nline", "two", "three", "four")
	ann.waitLines(widgetLines, "one\nline", "two", "three", "four")

	// The customer ends the chat and reloads before rating it.
	ann.endChat()
	ann.waitText("#ended-why", "You ended the chat.")
	alice.waitText("#threads ol:not([hidden]) .msg.system .text", "The customer ended the chat.")
	ann.do(chromedp.Reload())
	ann.waitLines(widgetLines, "one\nline", "two", "three", "four")
	ann.waitText("#ended-why", "This chat has ended.")
	ann.do(
		chromedp.Click(chromedp.CSS(`label[for="star-4"]`)),
		chromedp.WaitEnabled(chromedp.ID("rate-send")),
	)
	ann.screenshot("widget-rating")
	ann.do(chromedp.Click(chromedp.ID("rate-send")))
	ann.waitText("#rate-thanks", "Thank you! You rated this chat 4 of 5.")

	page, _, err := srv.Store().ListConversations(context.Background(), store.ConversationFilter{})
	if err != nil || len(page) != 1 {
		t.Fatalf("conversations=%+v, %v: want one", page, err)
	}
	if got, want := page[0].Rating, 4; got != want {
		t.Fatalf("stored rating=%d, want %d", got, want)
	}
	b.check()
}
