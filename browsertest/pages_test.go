package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/server"
)

// Selectors of our pages (static/kefu.html, static/yonghu.html).
const (
	mineText   = "#messages .msg.mine .text"
	theirsText = "#messages .msg:not(.mine):not(.system) .text"
	systemText = "#messages .msg.system .text"
	fromText   = "#messages .msg .from"
)

// Text that must stay text: if any page ever parsed it as HTML, an element
// would appear in #messages and alert() would open a dialog, which the
// browser records as a failure.
const (
	evilName = `<img src=x onerror=alert(1)>`
	evilText = `<b>bold</b><script>alert(1)</script>`
)

// TestOurPages runs our agent and customer pages through the tutorial's
// flow, plus what the tutorial's pages get wrong or leave out: no free
// agent, a refused name, Enter and Shift+Enter, and markup in names and
// messages shown as text.
func TestOurPages(t *testing.T) {
	srv := startServer(t, server.Config{})
	base := "http://" + srv.Addr()
	b := newBrowser(t)
	agent := b.newTab("agent")
	twin := b.newTab("second agent of the same name")
	first := b.newTab("customer 用户123")
	second := b.newTab("customer " + evilName)

	statusHas := func(tb *tab, text string) {
		tb.t.Helper()
		tb.waitUntil("status "+text, `document.getElementById("status").textContent.includes(`+jsString(text)+`)`)
	}
	startShown := func(tb *tab) {
		tb.t.Helper()
		tb.do(
			chromedp.WaitVisible(chromedp.ID("start")),
			chromedp.WaitNotVisible(chromedp.ID("chat")),
		)
	}
	open := func(tb *tab, page, name string) {
		tb.t.Helper()
		tb.do(
			chromedp.Navigate(base+page),
			chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.Click(chromedp.ID("connect")),
		)
	}

	first.do(chromedp.Navigate(base + "/tutorial.html"))
	first.screenshot("compat-start")

	// No agent online yet: the customer is told so and stays on the start view.
	open(first, "/yonghu.html", "用户123")
	statusHas(first, "No agent is free right now")
	startShown(first)
	first.screenshot("compat-customer-no-agent")

	open(agent, "/kefu.html", "客服ABC")
	agent.do(chromedp.WaitVisible(chromedp.ID("chat")))
	statusHas(agent, "waiting for a customer")
	waitAgentsFree(t, srv, 1)
	agent.screenshot("compat-agent-waiting")

	// A second agent with the same name is refused, and sees why.
	open(twin, "/kefu.html", "客服ABC")
	statusHas(twin, "name already online (4009)")
	startShown(twin)

	// The customer tries again, now that an agent is free.
	first.do(
		chromedp.Click(chromedp.ID("connect")),
		chromedp.WaitVisible(chromedp.ID("chat")),
	)
	first.waitText(systemText, "客服-客服ABC-将为您服务")
	agent.waitText(systemText, "用户-用户123-已进入房间")
	statusHas(agent, "Chatting with customer 用户123")

	// Enter sends.
	first.do(
		chromedp.SendKeys(chromedp.ID("text"), "你好，我的订单还没到"),
		pressEnter(),
	)
	first.waitText(mineText, "你好，我的订单还没到")
	agent.waitText(theirsText, "你好，我的订单还没到")
	if got := eval[string](first, `document.getElementById("text").value`); got != "" {
		t.Errorf("textarea after sending = %q, want it cleared", got)
	}

	// Shift+Enter starts a new line; the line break reaches both sides.
	agent.do(
		chromedp.SendKeys(chromedp.ID("text"), "您好，请提供订单号"),
		pressEnter(chromedp.ModifierShift),
		chromedp.SendKeys(chromedp.ID("text"), "我来帮您查询"),
		pressEnter(),
	)
	agent.waitText(mineText, "您好，请提供订单号\n我来帮您查询")
	first.waitText(theirsText, "您好，请提供订单号\n我来帮您查询")
	agent.screenshot("compat-agent-chat")
	first.screenshot("compat-customer-chat")

	first.do(chromedp.Click(chromedp.ID("leave")))
	startShown(first)
	statusHas(first, "You left the chat")
	agent.waitText(systemText, "用户-用户123-已退出房间")
	statusHas(agent, "waiting for the next customer")

	// The freed agent takes the next customer, whose name and message are
	// markup that must show as text.
	open(second, "/yonghu.html", evilName)
	second.do(chromedp.WaitVisible(chromedp.ID("chat")))
	second.waitText(systemText, "客服-客服ABC-将为您服务")
	agent.waitText(systemText, "用户-"+evilName+"-已进入房间")
	second.do(
		chromedp.SetValue(chromedp.ID("text"), evilText),
		chromedp.Click(chromedp.ID("send")),
	)
	second.waitText(mineText, evilText)
	agent.waitText(theirsText, evilText)
	for _, tb := range []*tab{agent, second} {
		tb.waitText(fromText, evilName)
		if n := eval[int](tb, `document.querySelectorAll("#messages img, #messages b, #messages script").length`); n != 0 {
			t.Errorf("%s: #messages holds %d img/b/script elements, want 0: text was parsed as HTML", tb.name, n)
		}
	}

	// The agent leaves: the customer is told, then sent back to the start.
	agent.do(chromedp.Click(chromedp.ID("leave")))
	startShown(agent)
	second.waitText(systemText, "客服-客服ABC-已退出房间")
	startShown(second)
	statusHas(second, "The agent left")
	second.screenshot("compat-customer-agent-left")
	b.check()
}
