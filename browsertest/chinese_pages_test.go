package browsertest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
	"kefu/store"
	"kefu/transport"
)

// shownTexts is a JavaScript expression: every text a user of the page
// can see or hear now, as [where, text] pairs: the tab's title, text nodes
// of displayed elements (screen-reader-only ones included), the options of
// displayed lists, and the placeholder, aria-label, title and button value
// of displayed elements.
const shownTexts = `(() => {
  const shown = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const where = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  const out = [['title', document.title]];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    const p = n.parentElement;
    if (!p || p.closest('script, style, option') || !shown(p)) continue;
    if (n.textContent.trim()) out.push([where(p), n.textContent.trim()]);
  }
  for (const s of document.querySelectorAll('select')) if (shown(s)) for (const o of s.options) out.push([where(s) + ' option', o.textContent]);
  for (const e of document.querySelectorAll('[placeholder], [aria-label], [title], input[type=button], input[type=submit]')) {
    if (!shown(e)) continue;
    for (const a of ['placeholder', 'aria-label', 'title']) if (e.getAttribute(a)) out.push([where(e) + '[' + a + ']', e.getAttribute(a)]);
    if (e.type === 'button' || e.type === 'submit') out.push([where(e) + '[value]', e.value]);
  }
  return out;
})()`

// latinWord finds English: any run of Latin letters left once what may be
// Latin is taken out.
var latinWord = regexp.MustCompile(`[A-Za-z]+`)

// mayBeLatin is what a Chinese page may show in Latin letters: the brand,
// key names as printed on keyboards, the switch to English named in
// English, and percentiles.
var mayBeLatin = []string{"kefu", "Shift+Enter", "Enter", "Alt+N", "Alt+R", "English", "P50", "P90", "P95", "P99"}

// noEnglish fails the test for every text the tab shows (in Chinese) that
// holds English, once what may be Latin (mayBeLatin, and user content
// such as names and what the test typed) is taken out.
func (tb *tab) noEnglish(state string, user ...string) {
	tb.t.Helper()
	allowed := append(slices.Clone(user), mayBeLatin...)
	// Longest first, so "Shift+Enter" goes before "Enter".
	sort.Slice(allowed, func(i, j int) bool { return len(allowed[i]) > len(allowed[j]) })
	seen := map[string]bool{}
	for _, shown := range eval[[][2]string](tb, shownTexts) {
		where, text := shown[0], shown[1]
		rest := text
		for _, a := range allowed {
			rest = strings.ReplaceAll(rest, a, " ")
		}
		if w := latinWord.FindString(rest); w != "" && !seen[text] {
			seen[text] = true
			tb.t.Errorf("%s, %s: %s shows %q: not Chinese (%q)", tb.name, state, where, text, w)
		}
	}
}

// chinese switches the tab's page to Chinese with its language button, for
// this page and the next ones of the same person (localStorage).
func (tb *tab) chinese(button string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.ID(button)))
	tb.waitUntil("Chinese", `document.documentElement.lang === "zh-CN"`)
}

// forgive waits until the browser has recorded a problem holding what (a
// console error the test caused on purpose, such as a refused sign-in's
// 401) and drops it; it fails the test if none comes.
func (b *browser) forgive(what string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		b.mu.Lock()
		i := slices.IndexFunc(b.problems, func(p string) bool { return strings.Contains(p, what) })
		if i >= 0 {
			b.problems = slices.Delete(b.problems, i, i+1)
		}
		b.mu.Unlock()
		if i >= 0 {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the browser never recorded %q", what)
		}
		<-tick.C
	}
}

// refused is a JavaScript expression true once the element with id shows
// a text and the element with shown is displayed.
func refused(id, shown string) string {
	return fmt.Sprintf(`document.getElementById(%s).textContent !== "" && %s`, jsString(id), visible(shown))
}

// TestChineseWidgetStartHasNoEnglish drives the widget in Chinese from
// its start through its refusals (a name the server refuses, a request
// past the address's customers) to the queue, and finds no English in what
// it shows except names and mayBeLatin.
func TestChineseWidgetStartHasNoEnglish(t *testing.T) {
	srv := startServer(t, server.Config{Abuse: onlyCustomersPerIP(1)})
	base := "http://" + srv.Addr()
	b := newBrowser(t)
	ann := b.newPerson("customer Ann").phone()
	bob := b.newPerson("customer Bob").phone()

	ann.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("start-form")))
	ann.chinese("lang")
	ann.noEnglish("start")
	ann.do(chromedp.SetValue(chromedp.ID("name"), "Ann\u202e"), chromedp.Click(chromedp.ID("start-go")))
	ann.waitUntil("the refusal", refused("start-error", "start"))
	ann.noEnglish("name refused")

	ann.startChat(base, "Ann")
	ann.waitText("#queue-position", "您排在第 1 位")
	ann.noEnglish("queued, no agent", "Ann")

	// Another customer from the same address is refused (one each here).
	bob.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("start-form")))
	bob.chinese("lang")
	bob.do(chromedp.SetValue(chromedp.ID("name"), "Bob"), chromedp.Click(chromedp.ID("start-go")))
	bob.waitUntil("the refusal", refused("start-error", "start"))
	bob.noEnglish("too many customers", "Bob")
	b.check()
}

// TestChineseWidgetChatHasNoEnglish drives the widget in Chinese through a
// chat with an agent driven from Go: lines both ways, an over-long message,
// the end and the rating.
func TestChineseWidgetChatHasNoEnglish(t *testing.T) {
	srv := startServer(t, server.Config{Grace: server.DefaultGrace})
	base := "http://" + srv.Addr()
	alice := account(t, srv, "Alice", store.RoleAgent)
	agent := dialNative(t, srv, map[string]any{"role": "agent", "token": alice})
	b := newBrowser(t)
	ann := b.newPerson("customer Ann").phone()

	ann.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("start-form")))
	ann.chinese("lang")
	ann.startChat(base, "Ann")
	conv := agent.expect("conv").Conv
	ann.waitText("#agent-line", "客服 Alice 为您服务")
	ann.say("你好")
	agent.expect("msg")
	agent.send(map[string]any{"type": "msg", "conv": conv, "text": "您好", "cid": "a1"})
	ann.waitLines(widgetLines, "你好", "您好")
	ann.noEnglish("chatting", "Ann", "Alice")

	ann.do(chromedp.Focus(chromedp.ID("text")), insertText(strings.Repeat("长", 3000)))
	ann.waitUntil("the reason", `document.getElementById("text-bytes").classList.contains("over")`)
	ann.noEnglish("message too long", "Ann", "Alice")
	ann.clearReply()

	ann.do(chromedp.Click(chromedp.ID("end")))
	ann.waitUntil("End chat asks", visible("end-yes"))
	ann.noEnglish("end asked", "Ann", "Alice")
	ann.do(chromedp.Click(chromedp.ID("end-no")))

	// The agent hands the chat back to the queue; being the only agent, it
	// comes back to them, and the widget says both.
	agent.send(map[string]any{"type": "transfer", "conv": conv, "to": "queue", "note": "see you"})
	conv = agent.expect("conv").Conv
	ann.waitUntil("the re-queue notice", `[...document.querySelectorAll("#messages .msg.system")].some((li) => li.textContent.includes("转回队列"))`)
	ann.noEnglish("requeued", "Ann", "Alice")

	agent.send(map[string]any{"type": "end", "conv": conv})
	ann.waitText("#ended-why", "客服结束了对话。")
	ann.noEnglish("ended", "Ann", "Alice")
	ann.do(chromedp.Click(chromedp.CSS(`label[for="star-4"]`)), chromedp.Click(chromedp.ID("rate-send")))
	ann.waitUntil("thanks", visible("rate-thanks"))
	ann.noEnglish("rated", "Ann", "Alice")
	b.check()
}

// TestChineseConsoleHasNoEnglish drives the console in Chinese through its
// states, errors included (a wrong password, an over-long reply, a
// capacity the server refuses), with a customer driven from Go.
func TestChineseConsoleHasNoEnglish(t *testing.T) {
	srv := startServer(t, server.Config{Grace: server.DefaultGrace, MaxCapacity: 5})
	base := "http://" + srv.Addr()
	aliceID := addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()

	alice.do(chromedp.Navigate(base+"/agent"), chromedp.WaitVisible(chromedp.ID("login-form")))
	alice.chinese("lang")
	alice.noEnglish("sign-in")
	alice.do(
		chromedp.SendKeys(chromedp.ID("login-name"), "Alice"),
		chromedp.SendKeys(chromedp.ID("login-password"), "wrong"),
		chromedp.Click(chromedp.ID("login-go")),
	)
	alice.waitUntil("the refusal", refused("login-error", "login-form"))
	b.forgive("401 (Unauthorized)")
	alice.noEnglish("wrong password", "Alice")
	alice.signIn(base, "Alice")
	alice.noEnglish("no chats", "Alice")

	ann := dialNative(t, srv, map[string]any{"role": "customer", "name": "Ann"})
	ann.send(map[string]any{"type": "request"})
	conv := ann.expect("conv").Conv
	ann.send(map[string]any{"type": "msg", "conv": conv, "text": "你好", "cid": "c1"})
	alice.waitLines(deskLines, "你好")
	alice.say("您好")
	ann.expect("msg")
	alice.noEnglish("serving", "Ann", "Alice")

	alice.do(chromedp.Focus(chromedp.ID("text")), insertText(strings.Repeat("长", 3000)))
	alice.waitUntil("the reason", `document.getElementById("text-bytes").classList.contains("over")`)
	alice.noEnglish("reply too long", "Ann", "Alice")
	alice.clearReply()

	// A capacity over the server's cap (5 here) is refused, with the range.
	alice.setCapacity("9")
	alice.waitUntil("the refusal", `!document.getElementById("toast").hidden`)
	alice.noEnglish("capacity refused", "Ann", "Alice")

	alice.do(chromedp.Click(chromedp.ID("transfer-open")))
	alice.waitUntil("transfer choices", visible("transfer")+` && `+visible("transfer-note"))
	alice.noEnglish("transfer", "Ann", "Alice")
	alice.do(chromedp.Click(chromedp.ID("transfer-cancel")))

	alice.do(chromedp.Click(chromedp.ID("end")))
	alice.waitUntil("End chat asks", visible("end-yes"))
	alice.noEnglish("end asked", "Ann", "Alice")
	alice.do(chromedp.Click(chromedp.ID("end-no")))
	alice.do(chromedp.Click(chromedp.ID("logout")))
	alice.waitUntil("sign-out warns", visible("logout-ask"))
	alice.noEnglish("sign-out warning", "Ann", "Alice")
	alice.do(chromedp.Click(chromedp.ID("logout-no")))

	// Bob takes Cal, to hand him to Alice with a note below: Bob, with
	// nobody, is the less loaded.
	bob := dialNative(t, srv, map[string]any{"role": "agent", "token": account(t, srv, "Bob", store.RoleAgent)})
	waitAgentsFree(t, srv, 2)
	cal := dialNative(t, srv, map[string]any{"role": "customer", "name": "Cal"})
	cal.send(map[string]any{"type": "request"})
	calConv := bob.expect("conv").Conv

	ann.send(map[string]any{"type": "end", "conv": conv})
	alice.waitUntil("ended", visible("dismiss"))
	alice.noEnglish("ended", "Ann", "Alice")

	bob.send(map[string]any{"type": "transfer", "conv": calConv, "to": aliceID, "note": "VIP"})
	alice.waitUntil("the hand-off line", `document.querySelectorAll(".handoff").length > 0`)
	alice.noEnglish("handed over", "Ann", "Alice", "Bob", "Cal", "VIP")
	b.check()
}

// TestChineseSupervisorHasNoEnglish: the supervisor view in Chinese, its
// sign-in, a wrong password and the board with an agent and a customer.
func TestChineseSupervisorHasNoEnglish(t *testing.T) {
	// A chart is drawn from two points: with the default point every 10 s
	// the first came about when the wait for the charts ran out, and the
	// test failed three times in four on the 2-core machine (2026-12-03).
	srv := startServer(t, server.Config{StatsSampleEvery: 100 * time.Millisecond, StatsPointEvery: time.Second})
	base := "http://" + srv.Addr()
	account(t, srv, "boss", store.RoleSupervisor)
	alice := account(t, srv, "Alice", store.RoleAgent)
	b := newBrowser(t)
	boss := b.newPerson("supervisor").laptop()

	boss.do(chromedp.Navigate(base+"/supervisor"), chromedp.WaitVisible(chromedp.ID("login-form")))
	boss.chinese("lang-zh")
	boss.noEnglish("sign-in")
	boss.do(
		chromedp.SendKeys(chromedp.ID("name"), "boss"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong"),
		chromedp.Click(chromedp.ID("login-button")),
	)
	boss.waitUntil("the refusal", refused("login-status", "login-form"))
	b.forgive("401 (Unauthorized)")
	boss.noEnglish("wrong password", "boss")

	agent := dialNative(t, srv, map[string]any{"role": "agent", "token": alice})
	cust := dialNative(t, srv, map[string]any{"role": "customer", "name": "Ann"})
	cust.send(map[string]any{"type": "request"})
	agent.expect("conv")
	boss.do(
		chromedp.SetValue(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-button")),
		chromedp.WaitVisible(chromedp.ID("board")),
	)
	boss.waitText("#serving", "1")
	boss.waitUntil("charts drawn", `document.querySelectorAll("#chart-queue polyline, #chart-serving polyline").length >= 2`)
	boss.noEnglish("board", "boss", "Alice", "Ann")
	b.check()
}

// onlyCustomersPerIP is no abuse limits but customersPerIP customers per
// address.
func onlyCustomersPerIP(n int) transport.AbuseLimits {
	l := transport.NoAbuseLimits()
	l.CustomersPerIP = n
	return l
}
