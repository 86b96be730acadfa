package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
	"kefu/store"
)

// Helpers for the native pages: the customer widget (/, static/index.html)
// and the agent console (/agent, static/agent.html).

// testPassword is every test agent's password.
const testPassword = "correct horse battery"

// Viewports the pages are made for: a phone for the widget, a laptop for
// the console.
const (
	phoneWidth, phoneHeight   = 360, 720
	laptopWidth, laptopHeight = 1280, 800
)

// Selectors of the native pages.
const (
	// widgetLines are the customer's messages from the server, in order.
	widgetLines = "#messages .msg:not(.system):not(.pending) .text"
	// deskLines are the messages of the conversation the agent has open.
	deskLines = "#threads ol:not([hidden]) .msg:not(.system):not(.pending):not(.note) .text"
)

// nativeServer runs a kefu for the native pages: with the grace period
// kefu serve has, so that a reload or a dropped socket keeps the chat, and
// the given heartbeat (0: the default).
func nativeServer(t *testing.T, heartbeat time.Duration) (*server.Server, string) {
	t.Helper()
	srv := startServer(t, server.Config{Grace: server.DefaultGrace, Heartbeat: heartbeat})
	return srv, "http://" + srv.Addr()
}

// addAgent creates an agent account with testPassword and returns its id.
func addAgent(t *testing.T, srv *server.Server, name string, capacity int) string {
	t.Helper()
	hash, err := testPasswords.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	a, err := srv.Store().CreateAgent(context.Background(), name, hash, store.RoleAgent, capacity)
	if err != nil {
		t.Fatalf("create agent %s: %v", name, err)
	}
	return a.ID
}

// phone and laptop size a tab's viewport.
func (tb *tab) phone() *tab {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))
	return tb
}

func (tb *tab) laptop() *tab {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(laptopWidth, laptopHeight))
	return tb
}

// signIn logs the agent in at base's console and waits for its desk.
func (tb *tab) signIn(base, name string) {
	tb.t.Helper()
	tb.do(
		chromedp.Navigate(base+"/agent"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-name"), name),
		chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
		chromedp.Click(chromedp.ID("login-go")),
		chromedp.WaitVisible(chromedp.ID("console")),
	)
	tb.waitUntil("online", `document.getElementById("banner").hidden && document.getElementById("load").textContent !== ""`)
}

// startChat opens the widget at base and asks for an agent as name.
func (tb *tab) startChat(base, name string) {
	tb.t.Helper()
	tb.do(
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("start-form")),
		chromedp.SetValue(chromedp.ID("name"), name),
		chromedp.Click(chromedp.ID("start-go")),
		chromedp.WaitVisible(chromedp.ID("chat")),
	)
}

// say types text into the page's composer and presses Enter.
func (tb *tab) say(text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.ID("text"), text), pressEnter())
}

// waitLines waits until the elements matching sel hold exactly want, in
// order: nothing missing, nothing twice.
func (tb *tab) waitLines(sel string, want ...string) {
	tb.t.Helper()
	if want == nil {
		want = []string{}
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		tb.t.Fatal(err)
	}
	expr := fmt.Sprintf(`JSON.stringify(Array.from(document.querySelectorAll(%s), (e) => e.textContent)) === JSON.stringify(%s)`, jsString(sel), wantJSON)
	if err := chromedp.Do(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepTimeout))); err != nil {
		got := eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), (e) => e.textContent)`, jsString(sel)))
		tb.t.Fatalf("%s: %s holds %q, want exactly %q", tb.name, sel, got, want)
	}
}

// openConv selects the agent's conversation with the customer named name.
func (tb *tab) openConv(name string) {
	tb.t.Helper()
	sel := fmt.Sprintf(`Array.from(document.querySelectorAll("#conv-list .conv-item")).find((b) => b.querySelector(".name").textContent === %s)`, jsString(name))
	tb.waitUntil("conversation with "+name+" listed", sel)
	if ok := eval[bool](tb, `(() => { const b = `+sel+`; b.click(); return b.getAttribute("aria-current") === "true"; })()`); !ok {
		tb.t.Fatalf("%s: conversation with %s not selected", tb.name, name)
	}
}

// noMarkup fails if the page's chat holds an element that text could have
// become: it must always render as text.
func (tb *tab) noMarkup(scope string) {
	tb.t.Helper()
	if n := eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(scope+" img, "+scope+" b, "+scope+" script"))); n != 0 {
		tb.t.Errorf("%s: %s holds %d img/b/script elements, want 0: text was parsed as HTML", tb.name, scope, n)
	}
}
