package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/actors"
	"kefu/server"
	"kefu/store"
	"kefu/transport"
)

// historyPage is the page TestLongHistory's server sends: small, so a
// short conversation has several.
const historyPage = 10

// TestLongHistory: a long conversation comes back after a reload as its
// newest page only; scrolling to the top of the chat brings the older
// pages, a page at a time, above the lines without moving them, until the
// whole conversation is there, each line once and in order. In the
// customer's widget and in the agent's console.
func TestLongHistory(t *testing.T) {
	srv := startServer(t, server.Config{
		Grace: server.DefaultGrace, Abuse: transport.NoAbuseLimits(),
		HistoryPage: actors.HistoryLimits{Messages: historyPage, Bytes: 1 << 20},
	})
	base := "http://" + srv.Addr()
	token := account(t, srv, "Alice", store.RoleAgent)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()

	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	ann.waitText("#agent-line", "You are chatting with Alice")

	// Alice's second tab, driven from Go, writes a long conversation:
	// lines long enough that one page fills the phone's chat.
	const n = 45
	tab := dialNative(t, srv, map[string]any{"role": "agent", "token": token})
	conv := tab.expect("conv").Conv
	var want []string
	for i := 1; i <= n; i++ {
		text := fmt.Sprintf("line %02d: %s", i, strings.Repeat("lorem ipsum ", 12))
		want = append(want, text)
		tab.send(map[string]any{"type": "msg", "conv": conv, "text": text, "cid": fmt.Sprintf("long-%d", i)})
	}
	ann.waitLines(widgetLines, want...)

	ann.do(chromedp.Reload())
	ann.waitText("#agent-line", "You are chatting with Alice")
	ann.waitLines(widgetLines, want[n-historyPage:]...)
	ann.scrollBack("#messages", widgetLines, want)

	alice.do(chromedp.Reload())
	alice.waitUntil("online", `document.getElementById("banner").hidden`)
	alice.openConv("Ann")
	alice.scrollBack("#threads ol:not([hidden])", deskLines, want)
	alice.noMarkup("#console")
	b.check()
}

// scrollBack scrolls the list to its top until lines holds all of want,
// each time checking that a page came and that the line that was at the
// top stayed where it was on the screen.
func (tb *tab) scrollBack(list, lines string, want []string) {
	tb.t.Helper()
	count := fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(lines))
	for range len(want) {
		n := eval[int](tb, count)
		if n >= len(want) {
			break
		}
		// To the top: remember the top line and where it is.
		eval[bool](tb, fmt.Sprintf(`(() => {
			const l = document.querySelector(%s);
			l.scrollTop = 0;
			l.dispatchEvent(new Event('scroll'));
			window.kefuTop = l.querySelector('.msg:not(.system)');
			window.kefuTopAt = window.kefuTop.getBoundingClientRect().top;
			return true;
		})()`, jsString(list)))
		tb.waitUntil("an older page", fmt.Sprintf(`%s > %d`, count, n))
		tb.waitUntil("the top line in place", `Math.abs(window.kefuTop.getBoundingClientRect().top - window.kefuTopAt) < 2`)
	}
	tb.waitLines(lines, want...)
}
