package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
	"kefu/store"
)

// Tests of issue #13's smaller items (10, and item 8's focus after "Start
// chat"), one behaviour each.

// escapeKey presses Esc.
var escapeKey = pressKey("Escape", "Escape", 27, "", 0)

// TestSmallWidgetPage: the customer's page links nowhere near the
// developers' tutorial pages, and "Start chat" leaves the keyboard in the
// reply box as soon as there is one, so the customer types at once.
func TestSmallWidgetPage(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()

	ann.do(chromedp.Navigate(base + "/"))
	ann.waitUntil("start form", visible("start-form"))
	if n := eval[int](ann, `document.querySelectorAll('a[href*="tutorial"], a[href$="kefu.html"], a[href$="yonghu.html"]').length`); n != 0 {
		t.Errorf("the customer page has %d links to the tutorial pages, want 0", n)
	}

	// Queued first: no reply box yet. When Alice takes the chat, the box
	// appears with the keyboard in it.
	ann.startChat(base, "Ann")
	ann.waitText("#queue-position", "You are number 1 in line")
	alice.signIn(base, "Alice")
	ann.waitText("#agent-line", "You are chatting with Alice")
	ann.waitUntil("reply box focused after Start chat", focusedReply)
	b.check()
}

// TestSmallEmbedToggle: the embed's button reads "Minimise" while open
// (not "Close the chat", beside the widget's "End chat"), Esc in the
// widget minimises the panel, and the keyboard goes back to the button.
func TestSmallEmbedToggle(t *testing.T) {
	_, base := nativeServer(t, 0)
	shopURL := shopSite(t, base)
	b := newBrowser(t)
	host := b.newPerson("shop page").laptop()

	host.do(chromedp.Navigate(shopURL + "/"))
	host.waitUntil("the kefu button", visible("kefu-widget-button"))
	host.do(chromedp.Click(chromedp.ID("kefu-widget-button")))
	host.waitUntil("the panel", visible("kefu-widget-panel"))
	host.waitText("#kefu-widget-button span", "Minimise")
	widget := host.frame(b, base+"/embed")
	widget.waitUntil("start form", visible("start-form"))
	widget.do(chromedp.Focus(chromedp.ID("name")), escapeKey)
	host.waitUntil("panel closed by Esc", `!document.getElementById("kefu-widget-panel").checkVisibility()`)
	host.waitUntil("keyboard back on the button", `document.activeElement === document.getElementById("kefu-widget-button")`)
	host.waitText("#kefu-widget-button span", "Chat with us")
	b.check()
}

// supervisorSignIn signs the supervisor name in at base's supervisor view,
// in English, and waits for the board.
func (tb *tab) supervisorSignIn(base, name string) {
	tb.t.Helper()
	tb.do(
		chromedp.Navigate(base+"/supervisor"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.Click(chromedp.ID("lang-en")),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-button")),
		chromedp.WaitVisible(chromedp.ID("board")),
	)
}

// TestSmallSignedOutBySupervisor: an agent a supervisor signs out is told
// so, not that the sign-in expired; the supervisor's notice follows the
// language switch and goes away after a while.
func TestSmallSignedOutBySupervisor(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	account(t, srv, "boss", store.RoleSupervisor)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	boss := b.newPerson("supervisor").laptop()

	alice.signIn(base, "Alice")
	boss.supervisorSignIn(base, "boss")
	boss.waitText("#agent-rows td.name", "Alice")
	eval[bool](boss, `(window.confirm = () => true, true)`)
	boss.do(chromedp.Click(chromedp.CSS(`#agent-rows button.revoke`)))
	boss.waitText("#notice", "Alice was signed out on every device.")

	alice.waitUntil("sign-in form", visible("login-form"))
	alice.waitText("#login-error", "You were signed out by a supervisor or a password change. Please sign in again.")

	boss.do(chromedp.Click(chromedp.ID("lang-zh")))
	boss.waitText("#notice", "Alice 已在所有设备上退出登录。")
	boss.skewClock(time.Minute)
	boss.waitUntil("notice gone", `document.getElementById("notice").hidden && document.getElementById("notice").textContent === ""`)
	b.check()
}

// setCapacity types n into the console's "Chats at once" and commits it.
func (tb *tab) setCapacity(n string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const c = document.getElementById("capacity"); c.value = %s; c.dispatchEvent(new Event("change")); })()`, jsString(n))))
}

// TestSmallCapacityRange: the console takes any capacity up to the
// server's cap (-max-capacity, here 8) and refuses one outside it with the
// range, translated, instead of reverting in silence.
func TestSmallCapacityRange(t *testing.T) {
	srv := startServer(t, server.Config{Grace: server.DefaultGrace, MaxCapacity: 8})
	base := "http://" + srv.Addr()
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	alice.signIn(base, "Alice")

	alice.setCapacity("8")
	alice.waitText("#load", "0 of 8 chats")
	for _, bad := range []string{"100", "9", "0", "2.5"} {
		eval[bool](alice, `(document.getElementById("toast").textContent = "", true)`)
		alice.setCapacity(bad)
		alice.waitText("#toast", "Chats at once must be a whole number from 1 to 8; the old value is kept.")
		alice.waitUntil("the field back at 8", `document.getElementById("capacity").value === "8"`)
	}
	alice.do(chromedp.Click(chromedp.ID("lang")))
	alice.setCapacity("100")
	alice.waitText("#toast", "同时接待上限须为 1 到 8 之间的整数，已保留原值。")
	alice.waitText("#load", "接待 0/8")
	b.check()
}

// TestSmallSameNameCustomers: two customers called Ann are told apart in
// the console by the end of their server-issued ids, in the list and in
// the chat's title; a name nobody shares stays bare.
func TestSmallSameNameCustomers(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 3)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann1 := b.newPerson("customer Ann (1)").phone()
	ann2 := b.newPerson("customer Ann (2)").phone()

	alice.signIn(base, "Alice")
	ann1.startChat(base, "Ann")
	ann1.waitText("#agent-line", "You are chatting with Alice")
	alice.waitText("#conv-list .conv-item .name", "Ann")
	ann2.startChat(base, " ann ")
	ann2.waitText("#agent-line", "You are chatting with Alice")

	names := `Array.from(document.querySelectorAll("#conv-list .conv-item .name"), (e) => e.textContent)`
	alice.waitUntil("two tagged entries", names+`.filter((n) => /^ann · [a-z0-9]{4,}$/i.test(n)).length === 2`)
	got := eval[[]string](alice, names)
	if got[0] == got[1] {
		t.Fatalf("entries %q: the two customers cannot be told apart", got)
	}
	alice.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#conv-list .conv-item")[1].click()`))
	alice.waitText("#thread-title", "Chat with "+got[1])
	b.check()
}

// TestSmallRatings: a customer's rating reaches the supervisor view (the
// agent's row and the team's tile, in both languages) and the agent's own
// console, which ask for ratings every half minute.
func TestSmallRatings(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	account(t, srv, "boss", store.RoleSupervisor)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	boss := b.newPerson("supervisor").laptop()

	alice.signIn(base, "Alice")
	alice.waitText("#my-rating", "Your rating: none yet")
	boss.supervisorSignIn(base, "boss")
	boss.waitText("#agent-rows td.rating", "No ratings yet")
	boss.waitText("#rating-detail", "No ratings yet")

	ann := dialNative(t, srv, map[string]any{"role": "customer", "name": "Ann"})
	ann.send(map[string]any{"type": "request"})
	conv := ann.expect("conv").Conv
	alice.waitText("#thread-title", "Chat with Ann")
	// A rating sent before the conversation's record is committed is
	// answered not_stored ("send it again", protocol.md); an acknowledged
	// line means that commit is done.
	ann.send(map[string]any{"type": "msg", "conv": conv, "text": "thanks", "cid": "c1"})
	ann.expect("ack")
	ann.send(map[string]any{"type": "rate", "conv": conv, "rating": 4})
	ann.expect("rated")

	// Half a minute later, both pages have asked again.
	alice.skewClock(time.Minute)
	alice.waitText("#my-rating", "Your rating: 4.0 / 5 (1 rated)")
	boss.skewClock(time.Minute)
	boss.waitText("#rating", "4.0")
	boss.waitText("#rating-detail", "out of 5, from 1 rated chats")
	boss.waitText("#agent-rows td.rating", "4.0 / 5 (1 rated)")
	boss.do(chromedp.Click(chromedp.ID("lang-zh")))
	boss.waitText("#agent-rows td.rating", "4.0 / 5（1 条评价）")
	boss.waitText("#rating-detail", "满分 5 分，共 1 条评价")
	alice.do(chromedp.Click(chromedp.ID("lang")))
	alice.waitText("#my-rating", "我的评分：4.0 / 5（1 条评价）")
	b.check()
}
