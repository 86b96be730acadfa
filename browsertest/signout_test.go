package browsertest

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
)

// tokenRefused waits until token is refused by the history API: the pages
// sign out on the server as well as forgetting the token, the supervisor's
// without waiting for the answer.
func tokenRefused(t *testing.T, srv *server.Server, token string) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		req, err := http.NewRequest("GET", "http://"+srv.Addr()+"/api/conversations", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusUnauthorized {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the signed-out token still gets %d", res.StatusCode)
		}
	}
}

// TestConsoleSignOut: signing out of the console signs the token out on
// the server, so a copy of it is worth nothing.
func TestConsoleSignOut(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	alice.signIn(base, "Alice")
	token := eval[string](alice, `JSON.parse(sessionStorage.getItem("kefu.agent.login")).token`)
	// The console reloads once the server has answered: WaitVisible
	// follows the navigation, where an evaluation would be cut by it.
	alice.do(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := eval[string](alice, `sessionStorage.getItem("kefu.agent.login") || ""`); got != "" {
		t.Fatalf("the token outlived sign-out: %q", got)
	}
	tokenRefused(t, srv, token)
	b.check()
}
