package browsertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// dropHeartbeat is the server's heartbeat in TestConsoleNetworkDrop: the
// console notices a silent network after 3.5 of them, and a test should
// not wait the default 17 s.
const dropHeartbeat = time.Second

// TestConsoleNetworkDrop: the agent's network goes silent mid-chat (no
// close, no error: packets just stop). The console notices by the missing
// heartbeats and says it is reconnecting; the customer goes on writing and
// the agent answers into the void. When the network comes back, the
// console catches up and its answer goes out: every line once, in order,
// on both sides. Then the same happens to the customer's widget.
func TestConsoleNetworkDrop(t *testing.T) {
	srv, _ := nativeServer(t, dropHeartbeat)
	addAgent(t, srv, "Alice", 2)
	gate := startNetGate(t, srv.Addr())
	annGate := startNetGate(t, srv.Addr())
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()

	alice.signIn("http://"+gate.Addr(), "Alice")
	ann.startChat("http://"+annGate.Addr(), "Ann")
	ann.waitText("#agent-line", "You are chatting with Alice")
	ann.say("hello")
	alice.waitLines(deskLines, "hello")
	alice.say("hi Ann")
	ann.waitLines(widgetLines, "hello", "hi Ann")

	gate.shut()
	alice.waitText("#banner", "Connection lost. Reconnecting…")
	ann.say("are you there?")
	ann.say("hello?")
	ann.waitUntil("both stored", `Array.from(document.querySelectorAll("#messages .msg.mine")).every((m) => m.dataset.mark === "delivered" || m.dataset.mark === "read")`)
	alice.say("sorry, my network")
	alice.waitText("#threads ol:not([hidden]) .msg.pending .mark", "… Sending")
	alice.screenshot("agent-reconnecting")

	gate.reopen()
	alice.waitUntil("online again", `document.getElementById("banner").hidden`)
	want := []string{"hello", "hi Ann", "are you there?", "hello?", "sorry, my network"}
	alice.waitLines(deskLines, want...)
	ann.waitLines(widgetLines, want...)
	alice.waitUntil("nothing pending", `document.querySelectorAll("#threads .msg.pending").length === 0`)

	annGate.shut()
	ann.waitText("#banner-text", "Connection lost. Reconnecting…")
	ann.screenshot("widget-reconnecting")
	alice.say("still there?")
	annGate.reopen()
	ann.waitUntil("online again", `document.getElementById("banner").hidden`)
	want = append(want, "still there?")
	ann.waitLines(widgetLines, want...)
	alice.waitLines(deskLines, want...)
	b.check()
}

// TestConsoleTransfer: an agent with two customers gets the count in the
// title, keeps its sound setting and its whole desk across a reload, hands
// one customer to a colleague, who gets the whole history, and the
// colleague sends it back to the queue, where the first agent, the only
// one free, takes it again.
func TestConsoleTransfer(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	beaID := addAgent(t, srv, "Bea", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	bea := b.newPerson("agent Bea").laptop()
	ann := b.newPerson("customer Ann").phone()
	bob := b.newPerson("customer Bob").phone()

	alice.do(chromedp.Navigate(base + "/agent"))
	alice.waitUntil("login form", visible("login-form"))
	alice.screenshot("agent-login")
	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	ann.say("I need a refund")
	alice.waitLines(deskLines, "I need a refund")
	alice.say("Of course")

	// A second customer while Ann's chat is open: the title counts it.
	bob.startChat(base, "Bob")
	bob.waitText("#agent-line", "You are chatting with Alice")
	alice.waitUntil("count in the title", `document.title === "(1) kefu agent console"`)
	alice.waitText("#conv-list .conv-item .badge", "New")
	// Bob writes while Ann's chat is open: his entry counts it and shows it.
	bob.say("Anyone there?")
	alice.waitText("#conv-list .conv-item .last", "Anyone there?")
	alice.waitText("#conv-list .conv-item .badge", "1 1 unread")
	alice.waitUntil("still one in the title", `document.title === "(1) kefu agent console"`)

	// Sound on, then a reload: the choice stays, and so does every line.
	alice.do(chromedp.Click(chromedp.ID("sound")))
	alice.do(chromedp.Reload())
	alice.waitUntil("console back", visible("console"))
	alice.waitUntil("sound still on", `document.getElementById("sound").checked`)
	alice.openConv("Ann")
	alice.waitLines(deskLines, "I need a refund", "Of course")
	ann.waitLines(widgetLines, "I need a refund", "Of course")

	// Alice hands Ann to Bea.
	bea.signIn(base, "Bea")
	alice.do(chromedp.Click(chromedp.ID("transfer-open")))
	alice.waitUntil("Bea offered", fmt.Sprintf(`!!document.querySelector('#transfer-to option[value=%s]:not([disabled])')`, jsString(beaID)))
	alice.screenshot("agent-transfer")
	alice.chooseTarget(beaID)
	alice.do(chromedp.Click(chromedp.ID("transfer-go")))
	// In Ann's thread, shown or not: with Bob's line unread here the
	// console moves on to him (TestConsoleBringsWaitingCustomer).
	alice.waitText("#threads ol .msg.system .text", "You transferred this chat to another agent.")
	bea.waitText("#thread-title", "Chat with Ann")
	bea.waitLines(deskLines, "I need a refund", "Of course")
	ann.waitText("#agent-line", "You are chatting with Bea")
	ann.waitText("#messages .msg.system .text", "Bea joined the chat")
	bea.say("Bea here, I'll do it")
	ann.waitLines(widgetLines, "I need a refund", "Of course", "Bea here, I'll do it")

	// Bea sends it back to the queue; Alice is the only one free.
	bea.do(chromedp.Click(chromedp.ID("transfer-open")))
	bea.chooseTarget("queue")
	bea.do(chromedp.Click(chromedp.ID("transfer-go")))
	bea.waitText("#threads ol:not([hidden]) .msg.system .text", "You sent this chat back to the queue.")
	ann.waitText("#agent-line", "You are chatting with Alice")
	alice.openConv("Ann")
	alice.waitLines(deskLines, "I need a refund", "Of course", "Bea here, I'll do it")
	alice.say("Back with me")
	ann.waitLines(widgetLines, "I need a refund", "Of course", "Bea here, I'll do it", "Back with me")

	// Bea steps away: she is no longer a transfer target.
	bea.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("status"); s.value = "away"; s.dispatchEvent(new Event("change")); })()`))
	alice.do(chromedp.Click(chromedp.ID("transfer-open")))
	alice.waitUntil("Bea offered but away", fmt.Sprintf(`!!document.querySelector('#transfer-to option[value=%s][disabled]')`, jsString(beaID)))
	alice.waitText(fmt.Sprintf(`#transfer-to option[value=%s]`, jsString(beaID)), "Bea (Away, 0/2)")

	// Bea takes up to four at once: the server keeps it and Alice sees it.
	// A number past the server's cap is refused and the field goes back.
	setCapacity := func(n string) {
		bea.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const c = document.getElementById("capacity"); c.value = %s; c.dispatchEvent(new Event("change")); })()`, jsString(n))))
	}
	setCapacity("4")
	bea.waitText("#load", "0 of 4 chats")
	alice.do(chromedp.Click(chromedp.ID("transfer-open")))
	alice.waitText(fmt.Sprintf(`#transfer-to option[value=%s]`, jsString(beaID)), "Bea (Away, 0/4)")
	setCapacity("51")
	bea.waitUntil("the field back at 4", `document.getElementById("capacity").value === "4"`)
	b.check()
}

// TestConsoleSignedOut: the agent's account is removed while the console
// is open; the next reconnect is refused (4003), and the console goes back
// to its sign-in form and says why, instead of retrying for ever.
func TestConsoleSignedOut(t *testing.T) {
	srv, _ := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	gate := startNetGate(t, srv.Addr())
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	alice.signIn("http://"+gate.Addr(), "Alice")
	// The console asks for its saved replies and teams at each welcome; a
	// removal while those are in flight answers them 401, which Chromium
	// logs as a page error. Remove the account once both have answered.
	alice.waitUntil("side lists fetched", fetched("api/canned", "api/teams"))

	if err := srv.Store().RemoveAgent(context.Background(), "Alice"); err != nil {
		t.Fatal(err)
	}
	gate.cut()
	alice.waitUntil("sign-in form", visible("login-form"))
	alice.waitText("#login-error", "Your account has been removed. Ask a supervisor if this is a mistake.")
	alice.waitUntil("desk gone", `document.getElementById("console").hidden && document.querySelectorAll("#conv-list li").length === 0`)
	b.check()
}
