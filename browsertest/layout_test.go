package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/store"
)

// The phone of issue #13's layout report (an iPhone 12 to 15): narrower
// than phoneWidth's, and the laptop every page is also made for.
const layoutPhoneWidth, layoutPhoneHeight = 390, 844

// Text with nowhere to break: a layout that takes its min-content width
// grows as wide as it.
var (
	longX       = strings.Repeat("x", 200)
	longURL     = "https://shop.example.com/orders/2026/12/02/" + strings.Repeat("a1b2c3d4", 12) + "?track=1"
	longChinese = strings.Repeat("您好，我的订单已经付款三天了还没有发货，请帮我查一下物流信息。", 4)
	longNames   = []string{
		"Maximiliana-Wolfeschlegelsteinhausenbergerdorff",
		"欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜",
		"Christopher Alexander Montgomery-Featherstonehaugh",
	}
)

// layoutSize is a viewport the pages must fit.
type layoutSize struct {
	name          string
	width, height int64
	mobile        bool
}

var layoutSizes = []layoutSize{
	{"phone", layoutPhoneWidth, layoutPhoneHeight, true},
	{"laptop", laptopWidth, laptopHeight, false},
}

func (tb *tab) resize(size layoutSize) {
	tb.t.Helper()
	if size.mobile {
		tb.do(chromedp.EmulateViewport(size.width, size.height, chromedp.EmulateMobile))
	} else {
		tb.do(chromedp.EmulateViewport(size.width, size.height))
	}
}

// fits fails the test if the tab's page scrolls sideways at size. It is
// compared with the width asked for: a mobile viewport widens itself
// (innerWidth too) to fit a page that overflows.
func (tb *tab) fits(what string, size layoutSize) {
	tb.t.Helper()
	if w := eval[int64](tb, `document.documentElement.scrollWidth`); w > size.width {
		tb.t.Errorf("%s at %s: the page is %d px wide in a %d px viewport: it scrolls sideways", what, size.name, w, size.width)
	}
}

// onScreen fails the test unless the element with id is shown and ends
// within the viewport's width.
func (tb *tab) onScreen(id string, size layoutSize) {
	tb.t.Helper()
	right := eval[float64](tb, fmt.Sprintf(`(() => { const r = document.getElementById(%s).getBoundingClientRect(); return r.width > 0 ? r.right : 1e9; })()`, jsString(id)))
	if right > float64(size.width) {
		tb.t.Errorf("%s at %s: #%s ends at %.0f px, past the %d px viewport (or is not shown)", tb.name, size.name, id, right, size.width)
	}
}

// readableWidth is the least width of a cell or title that holds a name:
// narrower, a name breaks a letter or two a line.
const readableWidth = 96

// notSqueezed fails the test if an element matching sel is narrower than
// readableWidth at size.
func (tb *tab) notSqueezed(sel string, size layoutSize) {
	tb.t.Helper()
	narrow := eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).filter((e) => e.getBoundingClientRect().width < %d).map((e) => e.textContent)`, jsString(sel), readableWidth))
	if len(narrow) > 0 {
		tb.t.Errorf("%s at %s: %s squeezed under %d px wide: %q", tb.name, size.name, sel, readableWidth, narrow)
	}
}

// TestLayoutConsole: the agent console with several chats, each with a
// long unbroken last line and some with long names, and the customer
// widget with such lines, neither scroll sideways on a 390 px phone nor
// on a laptop, whichever chat is open; "End chat" and "Send" stay on
// screen.
func TestLayoutConsole(t *testing.T) {
	srv, base := nativeServer(t, 0)
	// A name of 60 letters with no break: the widget's head and the
	// console's bar show it.
	agentName := "Alice" + strings.Repeat("z", 55)
	addAgent(t, srv, agentName, 6)
	b := newBrowser(t)
	desk := b.newPerson("agent Alice")
	ann := b.newPerson("customer Ann")
	desk.resize(layoutSizes[0])
	ann.resize(layoutSizes[0])

	desk.signIn(base, agentName)
	ann.startChat(base, "Ann")
	ann.waitText("#agent-line", "You are chatting with "+agentName)
	ann.say(longX)
	names := []string{"Ann"}
	for i, text := range []string{longURL, longChinese, longX} {
		c := dialNative(t, srv, map[string]any{"role": "customer", "name": longNames[i]})
		c.send(map[string]any{"type": "request"})
		conv := c.expect("conv").Conv
		c.send(map[string]any{"type": "msg", "conv": conv, "text": text, "cid": fmt.Sprint("c", i)})
		c.expect("ack")
		names = append(names, longNames[i])
	}
	desk.waitUntil("four chats listed", `document.querySelectorAll("#conv-list .conv-item").length === 4`)
	desk.openConv("Ann")
	desk.waitLines(deskLines, longX)
	desk.say(longURL)
	ann.waitLines(widgetLines, longX, longURL)

	for _, size := range layoutSizes {
		desk.resize(size)
		ann.resize(size)
		ann.fits("widget", size)
		ann.onScreen("send", size)
		ann.notSqueezed(".bar .grow", size)
		ann.screenshot("layout-widget-" + size.name)
		// An open chat has no badge, and its long name and last line
		// once set the list's width.
		for _, name := range names {
			desk.openConv(name)
			desk.fits("console with "+name+" open", size)
			desk.onScreen("end", size)
			desk.onScreen("send", size)
		}
		desk.notSqueezed(".bar .grow", size)
		desk.screenshot("layout-console-" + size.name)
	}
	b.check()
}

// TestLayoutPages: the supervisor's view with agents of long names, and
// the other pages, do not scroll sideways on a 390 px phone nor on a
// laptop, and the agents table keeps names readable, not one letter a
// line.
func TestLayoutPages(t *testing.T) {
	srv, base := nativeServer(t, 0)
	account(t, srv, "boss", store.RoleSupervisor)
	for _, name := range longNames {
		dialNative(t, srv, map[string]any{"role": "agent", "token": account(t, srv, name, store.RoleAgent)})
	}
	b := newBrowser(t)
	boss := b.newPerson("supervisor")
	other := b.newPerson("visitor")
	boss.resize(layoutSizes[0])
	boss.do(
		chromedp.Navigate(base+"/supervisor"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.Click(chromedp.ID("lang-en")),
		chromedp.SendKeys(chromedp.ID("name"), "boss"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-button")),
		chromedp.WaitVisible(chromedp.ID("board")),
	)
	boss.waitUntil("every agent listed", fmt.Sprintf(`document.querySelectorAll("#agent-rows td.name").length === %d`, len(longNames)))

	for _, size := range layoutSizes {
		boss.resize(size)
		boss.fits("supervisor", size)
		boss.notSqueezed("#agent-rows td.name", size)
		boss.do(chromedp.ScrollIntoView(chromedp.ID("agents")))
		boss.screenshot("layout-supervisor-" + size.name)

		other.resize(size)
		for _, page := range []string{"/embed", "/kefu.html", "/yonghu.html", "/tutorial.html"} {
			other.do(chromedp.Navigate(base + page))
			other.waitUntil("page loaded", `document.readyState === "complete"`)
			other.fits(page, size)
			other.screenshot("layout-" + strings.Trim(strings.ReplaceAll(page, ".html", ""), "/") + "-" + size.name)
		}
	}

	b.check()
}

// TestLayoutCompatChat: the tutorial protocol's pages mid-chat, with a
// long name and a long unbroken line, fit a 390 px phone.
func TestLayoutCompatChat(t *testing.T) {
	srv, base := nativeServer(t, 0)
	b := newBrowser(t)
	agent := b.newPerson("compat agent")
	customer := b.newPerson("compat customer")
	for _, tb := range []*tab{agent, customer} {
		tb.resize(layoutSizes[0])
	}
	agentName := strings.Repeat("名", 4) + strings.Repeat("w", 60)
	customerName := strings.Repeat("顾", 4) + strings.Repeat("v", 60)
	agent.do(
		chromedp.Navigate(base+"/kefu.html"),
		chromedp.SetValue(chromedp.ID("name"), agentName),
		chromedp.Click(chromedp.ID("connect")),
		chromedp.WaitVisible(chromedp.ID("chat")),
	)
	waitAgentsFree(t, srv, 1)
	customer.do(
		chromedp.Navigate(base+"/yonghu.html"),
		chromedp.SetValue(chromedp.ID("name"), customerName),
		chromedp.Click(chromedp.ID("connect")),
		chromedp.WaitVisible(chromedp.ID("chat")),
		chromedp.SetValue(chromedp.ID("text"), longX),
		chromedp.Click(chromedp.ID("send")),
	)
	agent.waitText(theirsText, longX)
	customer.waitText(mineText, longX)
	agent.fits("/kefu.html in a chat", layoutSizes[0])
	customer.fits("/yonghu.html in a chat", layoutSizes[0])
	agent.onScreen("leave", layoutSizes[0])
	customer.onScreen("send", layoutSizes[0])
	agent.screenshot("layout-kefu-chat-phone")
	customer.screenshot("layout-yonghu-chat-phone")
	b.check()
}
