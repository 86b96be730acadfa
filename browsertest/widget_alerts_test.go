package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// skewClock makes the tab's Date.now run ahead of the real clock by
// ahead, so that a test sees what the page shows minutes later without
// waiting for them. The page reads the time only through Date.now.
func (tb *tab) skewClock(ahead time.Duration) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(() => {
		if (!window.testSkew) {
			const real = Date.now.bind(Date);
			window.testSkew = { ms: 0 };
			Date.now = () => real() + window.testSkew.ms;
		}
		window.testSkew.ms = %d;
		return true;
	})()`, ahead.Milliseconds()))
}

// waitPrefix waits until the element matching sel has text starting with
// prefix.
func (tb *tab) waitPrefix(sel, prefix string) {
	tb.t.Helper()
	tb.waitUntil(fmt.Sprintf("%s starting %q", sel, prefix), fmt.Sprintf(
		`(document.querySelector(%s)?.textContent ?? "").startsWith(%s)`, jsString(sel), jsString(prefix)))
}

// TestWidgetWaitCountsDown: a queued customer's estimate counts down from
// the server's eta as time passes, says so honestly when it runs out, and
// the time waited counts up beside it (issue #13, item 5).
func TestWidgetWaitCountsDown(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 1)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	cat := b.newPerson("customer Cat").phone()
	ann := b.newPerson("customer Ann").phone()

	// Alice is busy with Cat; Ann waits behind, with the server's two
	// minutes (one agent, one slot, the starting average).
	alice.signIn(base, "Alice")
	cat.startChat(base, "Cat")
	cat.waitText("#agent-line", "You are chatting with Alice")
	ann.startChat(base, "Ann")
	ann.waitText("#queue-position", "You are number 1 in line")
	ann.waitText("#queue-eta", "Estimated wait: about 2 min")
	ann.waitPrefix("#queue-waited", "Waiting 0:0")

	ann.skewClock(50 * time.Second)
	ann.waitText("#queue-eta", "Estimated wait: about 1 min")
	ann.waitPrefix("#queue-waited", "Waiting 0:5")
	ann.skewClock(90 * time.Second)
	ann.waitText("#queue-eta", "Estimated wait: less than a minute")
	ann.waitPrefix("#queue-waited", "Waiting 1:3")
	ann.skewClock(130 * time.Second)
	ann.waitText("#queue-eta", "Estimated wait: any moment now")
	ann.waitPrefix("#queue-waited", "Waiting 2:1")

	// The same in Chinese.
	ann.do(chromedp.Click(chromedp.ID("lang")))
	ann.waitText("#queue-eta", "预计等待：马上就好")
	ann.waitPrefix("#queue-waited", "已等待 2:1")
	ann.skewClock(50 * time.Second)
	ann.waitText("#queue-eta", "预计等待 约 1 分钟")
	b.check()
}

// lookAway and lookBack stand in for the customer switching to another
// tab and back. Headless Chromium keeps every tab in view, so the Page
// Visibility API is overridden in the page (and document.hasFocus with
// it) and its visibilitychange fired, as the browser would.
func (tb *tab) lookAway() { tb.setLooking(false) }
func (tb *tab) lookBack() { tb.setLooking(true) }

func (tb *tab) setLooking(on bool) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(() => {
		const on = %t;
		Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => on ? 'visible' : 'hidden' });
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => !on });
		document.hasFocus = () => on;
		document.dispatchEvent(new Event('visibilitychange'));
		return true;
	})()`, on))
}

// countTones makes the tab count the tones its page starts, in
// window.testTones; WebAudio plays nothing a test can hear.
func (tb *tab) countTones() {
	tb.t.Helper()
	eval[bool](tb, `(() => {
		window.testTones = 0;
		const start = OscillatorNode.prototype.start;
		OscillatorNode.prototype.start = function (...args) { window.testTones++; return start.apply(this, args); };
		return true;
	})()`)
}

// TestWidgetTellsHiddenTab: a customer who waits in another tab learns
// that the agent came and what it wrote: a line in the chat, the tab's
// title, and a tone if they turned sound on; looking back clears the title
// (issue #13, item 3).
func TestWidgetTellsHiddenTab(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 1)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()

	const title = "kefu customer service"
	ann.startChat(base, "Ann")
	ann.waitText("#queue-position", "You are number 1 in line")
	ann.waitUntil("sound off to begin with", `!document.getElementById("sound").checked`)
	ann.countTones()
	ann.lookAway()

	// Alice comes online and takes Ann: a line in the chat says so, and
	// the hidden tab's title too.
	alice.signIn(base, "Alice")
	ann.waitText("#messages .msg.system .text", "Alice joined the chat")
	ann.waitUntil("joined in the title", `document.title === "Alice joined"`)
	alice.say("Hello Ann")
	ann.waitUntil("one reply in the title", `document.title === "(1) New reply"`)
	alice.say("How can I help?")
	ann.waitUntil("two in the title", `document.title === "(2) New replies"`)
	// Nobody looked, so nothing was read.
	alice.waitUntil("lines not read", `[...document.querySelectorAll("#threads ol:not([hidden]) .msg.mine")].every((m) => m.dataset.mark !== "read")`)
	if got := eval[int](ann, `window.testTones`); got != 0 {
		t.Fatalf("tones with sound off=%d, want 0", got)
	}

	// Back at the tab: the title is the page's again, and the lines read.
	ann.lookBack()
	ann.waitUntil("title back", fmt.Sprintf(`document.title === %s`, jsString(title)))
	alice.waitUntil("lines read", `[...document.querySelectorAll("#threads ol:not([hidden]) .msg.mine")].every((m) => m.dataset.mark === "read")`)

	// Sound on is remembered across a reload, and a reply in a hidden tab
	// then plays a tone; the title speaks Chinese when the page does.
	ann.do(chromedp.Click(chromedp.ID("sound")))
	ann.do(chromedp.Reload())
	ann.waitLines(widgetLines, "Hello Ann", "How can I help?")
	ann.waitUntil("sound still on", `document.getElementById("sound").checked`)
	ann.countTones()
	ann.do(chromedp.Click(chromedp.ID("lang")))
	ann.lookAway()
	alice.say("Still there?")
	ann.waitUntil("reply in the title, in Chinese", `document.title === "(1) 新回复"`)
	ann.waitUntil("a tone", `window.testTones > 0`)
	ann.lookBack()
	ann.waitUntil("title back", `document.title === "kefu 在线客服"`)
	ann.do(chromedp.Click(chromedp.ID("lang")))
	b.check()
}
