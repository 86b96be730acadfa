package browsertest

import (
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
)

// tutorialPages serves testdata/tutorial under /tutorial/. The pages hard-code
// the tutorial's ports, ws://localhost:3000 for the WebSocket and
// http://localhost:3001 for /getroom; they are served with those two
// replaced by the test's ports, and that is the only change.
func tutorialPages(pagesPort, compatPort string) http.Handler {
	ports := strings.NewReplacer(
		"ws://localhost:3000", "ws://localhost:"+compatPort,
		"http://localhost:3001", "http://localhost:"+pagesPort,
	)
	files := os.DirFS("testdata/tutorial")
	return http.StripPrefix("/tutorial/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := fs.ReadFile(files, r.URL.Path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(r.URL.Path)))
		_, _ = w.Write([]byte(ports.Replace(string(body))))
	}))
}

// startTutorialSite serves the tutorial's pages the way its own project did:
// same origin as /getroom, WebSocket on a second port. The pages use inline
// script and onclick attributes, which our Content-Security-Policy forbids,
// so a front listener serves /tutorial/ itself, without that header, and
// passes everything else (/getroom included) to the real server. It returns
// the base URL of the pages, on localhost as the pages hard-code it.
func startTutorialSite(t *testing.T) (string, *server.Server) {
	t.Helper()
	front, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	frontPort := port(t, front.Addr().String())
	origin := "http://localhost:" + frontPort
	srv := startServer(t, server.Config{
		CompatAddr: "127.0.0.1:0",
		// The compat port admits pages of the main listener's port; these
		// come from the front listener's.
		AllowedOrigins: []string{origin},
	})
	mux := http.NewServeMux()
	mux.Handle("/tutorial/", tutorialPages(frontPort, port(t, srv.CompatAddr())))
	// The pages name no icon, so the browser asks for one; nor does our server have one.
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("/", httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: srv.Addr()}))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(front) }()
	t.Cleanup(func() { _ = hs.Close() })
	return origin, srv
}

// TestTutorialPages runs the tutorial's own pages, unchanged, against this
// server: agent and customer chat, the customer leaves, a second customer
// gets the freed agent, and the agent's leaving sends that customer home.
func TestTutorialPages(t *testing.T) {
	base, srv := startTutorialSite(t)
	b := newBrowser(t)
	agent := b.newTab("agent")
	first := b.newTab("customer 用户123")
	second := b.newTab("customer 用户456")

	const (
		lines     = "#neirong p"
		connect   = `#shouye button[onclick="turnOnServer()"]`
		getroom   = `#shouye button[onclick="getroom()"]`
		send      = `#liaotianshi button[onclick="send()"]`
		closeRoom = `#liaotianshi button[onclick="turnOffServer()"]`
	)
	say := func(tb *tab, text string) {
		tb.t.Helper()
		tb.do(
			chromedp.SetValue(chromedp.ID("sendText"), text),
			chromedp.Click(chromedp.CSS(send)),
		)
	}
	join := func(tb *tab, name string) {
		tb.t.Helper()
		tb.do(
			chromedp.Navigate(base+"/tutorial/yonghu.html"),
			chromedp.SendKeys(chromedp.ID("inputUserName"), name),
			chromedp.Click(chromedp.CSS(getroom)),
			chromedp.WaitVisible(chromedp.ID("liaotianshi")),
		)
	}

	agent.do(
		chromedp.Navigate(base+"/tutorial/kefu.html"),
		chromedp.SendKeys(chromedp.ID("inputUserName"), "客服ABC"),
		chromedp.Click(chromedp.CSS(connect)),
		chromedp.WaitVisible(chromedp.ID("liaotianshi")),
	)
	waitAgentsFree(t, srv, 1)

	join(first, "用户123")
	first.waitText(lines, "客服-客服ABC-将为您服务")
	agent.waitText(lines, "用户-用户123-已进入房间")

	say(first, "你好，我的订单还没到")
	first.waitText(lines, "你好，我的订单还没到")
	agent.waitText(lines, "你好，我的订单还没到")
	// The echo names the sender exactly as the page does, so the page shows
	// the line as its own (right-aligned), as the tutorial intends.
	first.waitUntil("own line right-aligned", `Array.from(document.querySelectorAll("#neirong p.text_align_right")).some((p) => p.textContent === "你好，我的订单还没到")`)

	say(agent, "您好，请提供订单号")
	agent.waitText(lines, "您好，请提供订单号")
	first.waitText(lines, "您好，请提供订单号")

	first.do(
		chromedp.Click(chromedp.CSS(closeRoom)),
		chromedp.WaitVisible(chromedp.ID("shouye")),
	)
	agent.waitText(lines, "用户-用户123-已退出房间")

	join(second, "用户456")
	second.waitText(lines, "客服-客服ABC-将为您服务")
	agent.waitText(lines, "用户-用户456-已进入房间")

	agent.do(
		chromedp.Click(chromedp.CSS(closeRoom)),
		chromedp.WaitVisible(chromedp.ID("shouye")),
	)
	second.waitText(lines, "客服-客服ABC-已退出房间")
	// The server's {"neiRong":"close","shuiFaDe":"code"} made the page call
	// turnOffServer(), and its onclose shows the start view again.
	second.do(
		chromedp.WaitVisible(chromedp.ID("shouye")),
		chromedp.WaitNotVisible(chromedp.ID("liaotianshi")),
	)
	b.check()
}
