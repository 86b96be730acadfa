package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// replyBox is a JavaScript expression: the text in the console's reply box.
const replyBox = `document.getElementById("text").value`

// TestConsoleDraftPerConversation: the agent half-writes a reply to Ann
// and switches to Bob mid-sentence. Bob's box starts empty, what is typed
// there and sent goes to Bob alone, and Ann's draft comes back, across a
// reload too, when the agent returns to her; Enter then sends it to Ann,
// never to Bob.
func TestConsoleDraftPerConversation(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	bob := b.newPerson("customer Bob").phone()

	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	bob.startChat(base, "Bob")
	bob.waitText("#agent-line", "You are chatting with Alice")
	alice.waitText("#conv-list .conv-item .name", "Bob")

	alice.do(chromedp.SendKeys(chromedp.ID("text"), "Olivia, your refund of $45"))
	alice.openConv("Bob")
	if got := eval[string](alice, replyBox); got != "" {
		t.Fatalf("Bob's reply box holds %q, want it empty", got)
	}
	alice.say("Hello Bob")
	bob.waitLines(widgetLines, "Hello Bob")

	alice.openConv("Ann")
	if got := eval[string](alice, replyBox); got != "Olivia, your refund of $45" {
		t.Fatalf("Ann's reply box holds %q, want her draft", got)
	}
	alice.do(chromedp.Reload())
	alice.waitUntil("console back", visible("console"))
	alice.openConv("Bob")
	alice.openConv("Ann")
	alice.waitUntil("Ann's draft back after a reload", replyBox+` === "Olivia, your refund of $45"`)
	alice.do(chromedp.Focus(chromedp.ID("text")), pressEnter())
	ann.waitLines(widgetLines, "Olivia, your refund of $45")
	alice.waitLines(deskLines, "Olivia, your refund of $45")
	alice.openConv("Bob")
	alice.waitLines(deskLines, "Hello Bob")
	bob.waitLines(widgetLines, "Hello Bob")
	if got := eval[string](alice, replyBox); got != "" {
		t.Fatalf("Bob's reply box holds %q after Ann's reply went, want it empty", got)
	}
	b.check()
}

// TestConsoleBringsWaitingCustomer: the chat on the agent's screen ends
// while Bob's unread line waits: the console shows Bob's chat and says
// why. Then Bob's chat ends too and a new customer, Cat, arrives: the
// console shows her at once instead of staying on the finished chat.
func TestConsoleBringsWaitingCustomer(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	bob := b.newPerson("customer Bob").phone()

	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	bob.startChat(base, "Bob")
	bob.waitText("#agent-line", "You are chatting with Alice")
	bob.say("my order is late")
	alice.waitText("#conv-list .conv-item .badge", "1 1 unread")
	alice.waitText("#thread-title", "Chat with Ann")

	ann.do(chromedp.Click(chromedp.ID("end")))
	alice.waitText("#thread-title", "Chat with Bob")
	alice.waitLines(deskLines, "my order is late")
	alice.waitText("#toast", "The chat with Ann has ended; now showing Bob, who is waiting.")
	alice.waitUntil("Bob's line read", `document.title === "kefu agent console"`)

	alice.do(chromedp.Click(chromedp.ID("end")))
	alice.waitText("#threads ol:not([hidden]) .msg.system .text", "You ended the chat.")
	cat := b.newPerson("customer Cat").phone()
	cat.startChat(base, "Cat")
	cat.waitText("#agent-line", "You are chatting with Alice")
	alice.waitText("#thread-title", "Chat with Cat")
	alice.waitUntil("Cat's reply box shown", visible("compose"))
	b.check()
}
