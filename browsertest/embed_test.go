package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hostPage is a third-party site with kefu's one-tag embed on it.
const hostPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A shop</title></head>
<body><h1>A shop</h1><p>Anything the shop sells.</p>
<script src="%s/widget.js" async></script>
</body></html>`

// TestEmbed: a page on another site includes widget.js; its button opens
// the widget in an iframe from kefu, the customer chats there with an
// agent, and while the panel is closed the button counts the agent's new
// lines.
func TestEmbed(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	shopURL := shopSite(t, base)

	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	host := b.newPerson("shop page").laptop()
	alice.signIn(base, "Alice")

	host.do(chromedp.Navigate(shopURL + "/"))
	host.waitUntil("the kefu button", visible("kefu-widget-button"))
	host.waitText("#kefu-widget-button span", "Chat with us")
	host.do(chromedp.Click(chromedp.ID("kefu-widget-button")))
	host.waitUntil("the panel", visible("kefu-widget-panel"))
	widget := host.frame(b, base+"/embed")
	widget.waitUntil("start form", visible("start-form"))
	widget.do(
		chromedp.SetValue(chromedp.ID("name"), "Shopper"),
		chromedp.Click(chromedp.ID("start-go")),
	)
	widget.waitText("#agent-line", "You are chatting with Alice")
	widget.say("Is this in stock?")
	alice.waitLines(deskLines, "Is this in stock?")
	alice.say("Yes, two left.")
	widget.waitLines(widgetLines, "Is this in stock?", "Yes, two left.")
	host.screenshot("embed-host")

	// Closed, the panel counts what the customer has not seen.
	widget.do(chromedp.Click(chromedp.ID("minimise")))
	host.waitUntil("panel closed", `!document.getElementById("kefu-widget-panel").checkVisibility()`)
	alice.say("Shall I hold one for you?")
	host.waitText("#kefu-widget-unread", "1")
	host.do(chromedp.Click(chromedp.ID("kefu-widget-button")))
	host.waitUntil("count gone", `!document.getElementById("kefu-widget-unread").checkVisibility()`)
	widget.waitLines(widgetLines, "Is this in stock?", "Yes, two left.", "Shall I hold one for you?")

	// The shop's tab hidden, panel open or not: the host's title shows the
	// count (the frame's own title is nowhere to be seen), and gets the
	// shop's back when the customer returns (issue #13, item 3).
	host.lookAway()
	widget.lookAway()
	alice.say("It is on hold.")
	host.waitText("#kefu-widget-unread", "1")
	host.waitUntil("count in the host's title", `document.title === "(1) A shop"`)
	alice.say("Until Friday.")
	host.waitUntil("two in the host's title", `document.title === "(2) A shop"`)
	host.lookBack()
	widget.lookBack()
	host.waitUntil("the shop's title back", `document.title === "A shop"`)
	host.waitUntil("count gone again", `!document.getElementById("kefu-widget-unread").checkVisibility()`)
	b.check()
}

// shopSite runs a third-party site whose page embeds base's widget and
// returns its address: localhost against kefu's 127.0.0.1, another site,
// as a real shop is.
func shopSite(t *testing.T, base string) string {
	t.Helper()
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
		case "/favicon.ico": // the browser asks; the shop has none
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, hostPage, base)
	}))
	t.Cleanup(shop.Close)
	return strings.Replace(shop.URL, "127.0.0.1", "localhost", 1)
}

// frame attaches to the cross-site iframe whose URL starts with prefix:
// Chrome runs it in its own process, out of the page's reach.
func (tb *tab) frame(b *browser, prefix string) *tab {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		infos, err := chromedp.Targets(tb.ctx)
		if err != nil {
			tb.t.Fatalf("%s: targets: %v", tb.name, err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, prefix) {
				return b.attach(tb.name+" (widget frame)", tb.ctx, chromedp.WithTargetID(info.TargetID))
			}
		}
		select {
		case <-ctx.Done():
			tb.t.Fatalf("%s: no iframe at %s among %d targets", tb.name, prefix, len(infos))
		case <-tick.C:
		}
	}
}
