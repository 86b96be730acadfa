package browsertest

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
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
	b, base, alice, ann, bob := aliceServesAnn(t)
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
	b, base, alice, ann, bob := aliceServesAnn(t)
	bob.startChat(base, "Bob")
	bob.waitText("#agent-line", "You are chatting with Alice")
	bob.say("my order is late")
	alice.waitText("#conv-list .conv-item .badge", "1 1 unread")
	alice.waitText("#thread-title", "Chat with Ann")

	// Ann leaves while the agent is mid-sentence to her: the switch to Bob
	// leaves that draft with Ann, and the keyboard in Bob's empty box.
	alice.do(chromedp.SendKeys(chromedp.ID("text"), "Ann, one moment"))
	ann.endChat()
	alice.waitText("#thread-title", "Chat with Bob")
	alice.waitLines(deskLines, "my order is late")
	alice.waitText("#toast", "The chat with Ann has ended; now showing Bob, who is waiting.")
	alice.waitUntil("Bob's box empty, with the keyboard", replyBox+` === "" && `+focusedReply)
	alice.waitUntil("Bob's line read", `document.title === "kefu agent console"`)

	alice.endChat()
	alice.waitText("#threads ol:not([hidden]) .msg.system .text", "You ended the chat.")
	cat := b.newPerson("customer Cat").phone()
	cat.startChat(base, "Cat")
	cat.waitText("#agent-line", "You are chatting with Alice")
	alice.waitText("#thread-title", "Chat with Cat")
	alice.waitUntil("Cat's reply box shown", visible("compose"))
	b.check()
}

// pressKey presses one key, with modifiers, as pressEnter does.
func pressKey(key, code string, keyCode int64, text string, mods chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ev := input.DispatchKeyEventParams{
			Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code,
			WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode,
			Text: text, UnmodifiedText: text, Modifiers: int64(mods),
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
			return err
		}
		ev.Type, ev.Text, ev.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev)
		return err
	})
}

// focusedReply is a JavaScript expression true when the reply box has the
// keyboard.
const focusedReply = `document.activeElement === document.getElementById("text")`

// focusConv is a JavaScript statement that puts the keyboard on the list
// entry of the customer named name.
func focusConv(name string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll("#conv-list .conv-item")).find((b) => b.querySelector(".name").textContent === %s).focus()`, jsString(name))
}

// listOrder is a JavaScript expression: the list's names, in order.
const listOrder = `Array.from(document.querySelectorAll("#conv-list .conv-item .name")).map((e) => e.textContent).join(",")`

// TestConsoleKeyboardAndWaiting: after signing in, the first customer's
// reply box has the keyboard; from the list, one key (Enter on a chat,
// Alt+R, /) reaches the reply box, and Alt+N goes to the chat that waits.
// Each entry says how long its customer has waited for an answer, and
// "Longest waiting first" orders the list by it.
func TestConsoleKeyboardAndWaiting(t *testing.T) {
	b, base, alice, ann, bob := aliceServesAnn(t)
	alice.waitUntil("reply box focused after sign-in", focusedReply)
	alice.waitText("#conv-list .conv-item .wait", "waiting <1 m")
	alice.say("Hello Ann")
	alice.waitUntil("Ann answered", `document.querySelectorAll("#conv-list .conv-item .wait").length === 0`)

	bob.startChat(base, "Bob")
	bob.waitText("#agent-line", "You are chatting with Alice")
	bob.say("where is my parcel")
	alice.waitText("#conv-list .conv-item .badge", "1 1 unread")
	ann.say("one more thing")
	alice.waitLines(deskLines, "Hello Ann", "one more thing")

	// Both wait now, Bob longer; the list is in arrival order until asked.
	alice.waitUntil("arrival order", listOrder+` === "Ann,Bob"`)
	alice.do(chromedp.SetValue(chromedp.ID("order"), "waiting"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("order").dispatchEvent(new Event("change"))`))
	alice.waitUntil("longest waiting first", listOrder+` === "Bob,Ann"`)

	// Alt+N from the list: Bob's chat, unread, with the keyboard in its box.
	alice.do(chromedp.Evaluate[chromedp.Void](focusConv("Ann")), pressKey("n", "KeyN", 78, "", chromedp.ModifierAlt))
	alice.waitText("#thread-title", "Chat with Bob")
	alice.waitUntil("reply box focused after Alt+N", focusedReply)
	alice.say("On its way")
	alice.waitUntil("Bob answered: Ann first", listOrder+` === "Ann,Bob"`)

	// Enter on a chat in the list: selected, and the keyboard in its box.
	alice.do(chromedp.Evaluate[chromedp.Void](focusConv("Ann")), pressEnter())
	alice.waitText("#thread-title", "Chat with Ann")
	alice.waitUntil("reply box focused after Enter on the list", focusedReply)

	// Alt+R and / from the list.
	alice.do(chromedp.Evaluate[chromedp.Void](focusConv("Bob")), pressKey("r", "KeyR", 82, "", chromedp.ModifierAlt))
	alice.waitUntil("reply box focused after Alt+R", focusedReply)
	alice.do(chromedp.Evaluate[chromedp.Void](focusConv("Bob")), pressKey("/", "Slash", 191, "/", 0))
	alice.waitUntil("reply box focused after /", focusedReply)
	if got := eval[string](alice, replyBox); got != "" {
		t.Fatalf("the / went into the reply box: %q", got)
	}
	b.check()
}

// aliceServesAnn starts a server and a browser: agent Alice (capacity 2)
// signed in on a laptop with customer Ann's chat on her screen, and Bob's
// phone ready to start one.
func aliceServesAnn(t *testing.T) (b *browser, base string, alice, ann, bob *tab) {
	t.Helper()
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b = newBrowser(t)
	alice = b.newPerson("agent Alice").laptop()
	ann = b.newPerson("customer Ann").phone()
	bob = b.newPerson("customer Bob").phone()
	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	return b, base, alice, ann, bob
}
