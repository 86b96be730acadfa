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
