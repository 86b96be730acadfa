package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
	"kefu/store"
)

// TestSupervisorView: an agent who is not a supervisor is refused at
// sign-in; a supervisor signs in with the keyboard and sees the numbers
// move as a customer queues and an agent takes them, an agent with a
// hostile name shown as text, charts drawn, and both languages.
func TestSupervisorView(t *testing.T) {
	srv := startServer(t, server.Config{
		StatsSampleEvery: 100 * time.Millisecond,
		// Messages per second are over the last point's span: longer than
		// the page's 2 s poll, so a poll sees the message; short enough for
		// history points within the test.
		StatsPointEvery: 4 * time.Second,
	})
	base := "http://" + srv.Addr()
	account(t, srv, "boss", store.RoleSupervisor)
	evilToken := account(t, srv, evilName, store.RoleAgent)

	b := newBrowser(t)
	tab := b.newTab("supervisor")
	tab.do(
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/supervisor"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.Click(chromedp.ID("lang-en")),
	)
	tab.waitText("#login-title", "Supervisor sign-in")

	signIn := func(name string) {
		t.Helper()
		eval[bool](tab, `(document.getElementById("name").value = "", document.getElementById("password").value = "", true)`)
		tab.do(
			chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.SendKeys(chromedp.ID("password"), testPassword),
			chromedp.Focus(chromedp.ID("password")),
			pressEnter(), // the form submits from the keyboard
		)
	}

	// An agent who is not a supervisor is refused, and sees why. (No
	// subtests here: the tab reports to this test.)
	signIn(evilName)
	tab.waitText("#login-status", "This account is not a supervisor and cannot see the live statistics.")
	if eval[bool](tab, visible("board")) {
		t.Fatal("the board is shown to an agent")
	}

	signIn("boss")
	tab.do(chromedp.WaitVisible(chromedp.ID("board")))
	tab.waitText("#who", "Supervisor: boss")
	tab.waitText("#queue", "0")
	tab.waitText("#agents-online", "0")

	// A customer asks while nobody is online: the queue grows, and the
	// oldest wait is counted.
	cust := dialNative(t, srv, map[string]any{"role": "customer", "name": "顾客"})
	cust.send(map[string]any{"type": "request"})
	cust.expect("queued")
	tab.waitText("#queue", "1")
	tab.waitUntil("an oldest wait", `document.getElementById("wait").textContent !== "—"`)

	// The agent with the hostile name comes online and takes the customer.
	agent := dialNative(t, srv, map[string]any{"role": "agent", "token": evilToken})
	conv := cust.expect("conv").Conv
	agent.expect("conv")
	tab.waitText("#queue", "0")
	tab.waitText("#serving", "1")
	tab.waitText("#agents-online", "1")
	tab.waitText("#tta-count", "1")
	tab.waitText("#agent-rows td.name", evilName)
	tab.waitText("#agent-rows td.load span", "1 of 3")
	if n := eval[int](tab, `document.querySelectorAll("#board img, #board script").length`); n != 0 {
		t.Fatalf("the agent's name became %d elements", n)
	}

	// They talk: messages per second rises above zero.
	cust.send(map[string]any{"type": "msg", "conv": conv, "text": "您好", "cid": "c1"})
	agent.expect("msg")
	tab.waitUntil("messages per second", `Number(document.getElementById("rate").textContent) > 0`)
	tab.waitUntil("charts drawn", `document.querySelectorAll("#chart-queue polyline, #chart-serving polyline").length >= 2`)
	tab.waitUntil("a chart described", `document.getElementById("chart-queue").getAttribute("aria-label").startsWith("Queue since ")`)
	tab.screenshot("supervisor-view")

	// Chinese and back, from the keyboard.
	tab.do(chromedp.Focus(chromedp.ID("lang-zh")), pressEnter())
	tab.waitText("#board-title", "实时统计")
	tab.waitText("#agent-rows td", "可接待")
	if got := eval[string](tab, `document.documentElement.lang`); got != "zh-CN" {
		t.Fatalf("lang=%q, want zh-CN", got)
	}
	tab.screenshot("supervisor-view-zh")
	tab.do(chromedp.Click(chromedp.ID("lang-en")))
	tab.waitText("#board-title", "Live statistics")

	// The supervisor signs the agent out on every device: its socket is
	// closed with the reason, its token refused, and the page says so.
	eval[bool](tab, `(window.confirm = () => true, true)`)
	tab.do(chromedp.Click(chromedp.CSS(`#agent-rows button.revoke`)))
	tab.waitText("#notice", evilName+" was signed out on every device.")
	if n := eval[int](tab, `document.querySelectorAll("#notice *").length`); n != 0 {
		t.Fatalf("the agent's name became %d elements in the notice", n)
	}
	agent.expectClosed(4003, "unauthorized: token revoked")
	tokenRefused(t, srv, evilToken)

	// Signing out forgets the token, and the server does too.
	token := eval[string](tab, `JSON.parse(sessionStorage.getItem("kefu.supervisor")).token`)
	tab.do(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := eval[string](tab, `sessionStorage.getItem("kefu.supervisor") || ""`); got != "" {
		t.Fatalf("the token outlived sign-out: %q", got)
	}
	tokenRefused(t, srv, token)
}
