package browsertest

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/server"
	"kefu/store"
)

// widgetNotices are the system lines of the customer's chat: who joined,
// why the queue changed.
const widgetNotices = "#messages .msg.system .text"

// skewedClock is the server's clock in a test: real time, plus however far
// the test has moved it ahead, so minutes of waiting take no time.
type skewedClock struct{ ahead atomic.Int64 }

func (c *skewedClock) now() time.Time          { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *skewedClock) advance(d time.Duration) { c.ahead.Add(int64(d)) }

// removeAccount deletes an agent's account over the supervisors' API, as a
// supervisor would: the agent's customers go back to the queue at once.
func removeAccount(t *testing.T, srv *server.Server, supervisorToken, name string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, "http://"+srv.Addr()+"/api/agents/"+name, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+supervisorToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("remove %s: %v", name, err)
	}
	res.Body.Close()
	if got, want := res.StatusCode, http.StatusNoContent; got != want {
		t.Fatalf("remove %s: status %d, want %d", name, got, want)
	}
}

// noticeMatchesPosition fails unless the widget's last system line names
// the same number as its queue panel.
func (tb *tab) noticeMatchesPosition() {
	tb.t.Helper()
	tb.waitUntil("the last notice naming the position shown", fmt.Sprintf(`(() => {
		const lines = document.querySelectorAll(%s);
		const last = lines.length ? lines[lines.length - 1].textContent : "";
		const said = /number (\d+) in line/.exec(last);
		const shown = /number (\d+) in line/.exec(document.getElementById("queue-position").textContent);
		return !!said && !!shown && said[1] === shown[1];
	})()`, jsString(widgetNotices)))
}

// TestRequeuePromises (issue #13, item 4): an agent serving three customers
// is removed while a fourth waits first in line. A re-queued customer is
// told the position its queue panel shows (number 2, not "the front"), the
// customer pushed back is told why, once, and the supervisor's oldest wait
// is at least the real wait of the customer who waited longest, not the
// seconds since the re-queue.
func TestRequeuePromises(t *testing.T) {
	clock := &skewedClock{}
	srv := startServer(t, server.Config{
		Grace:            server.DefaultGrace,
		StatsSampleEvery: 100 * time.Millisecond,
		Now:              clock.now,
		// Alice, Ann and Cal are clients driven from Go that read only when the
		// test expects a frame, so they answer no ping: a heartbeat longer
		// than the whole test keeps them connected however slow the rest.
		Heartbeat: browserBudget,
	})
	base := "http://" + srv.Addr()
	bossToken := account(t, srv, "boss", store.RoleSupervisor)
	// Alice (capacity 3) is a client driven from Go: only the customers'
	// and the supervisor's pages are under test.
	dialNative(t, srv, map[string]any{"role": "agent", "token": account(t, srv, "Alice", store.RoleAgent)})

	b := newBrowser(t)
	ben := b.newPerson("customer Ben").phone()
	dee := b.newPerson("customer Dee").phone()
	boss := b.newPerson("supervisor").laptop()

	// Alice serves Ann, Ben and Cal, in that order; Dee is first in line.
	seat := func(name string) {
		t.Helper()
		c := dialNative(t, srv, map[string]any{"role": "customer", "name": name})
		c.send(map[string]any{"type": "request"})
		c.expect("conv")
	}
	seat("Ann")
	ben.startChat(base, "Ben")
	ben.waitText("#agent-line", "You are chatting with Alice")
	seat("Cal")
	dee.startChat(base, "Dee")
	dee.waitText("#queue-position", "You are number 1 in line")

	// A minute and a half on, Alice's account is removed: her customers go
	// back to the head of the queue in their order, ahead of Dee.
	clock.advance(90 * time.Second)
	removeAccount(t, srv, bossToken, "Alice")

	ben.waitText("#queue-position", "You are number 2 in line")
	ben.waitText(widgetNotices, "Your agent had to leave. You are number 2 in line; we are finding you another agent.")
	dee.waitText("#queue-position", "You are number 4 in line")
	dee.waitText(widgetNotices, "Customers whose chat was interrupted are being served first; you are now number 4 in line.")
	for _, tb := range []*tab{ben, dee} {
		tb.noticeMatchesPosition()
		if n := eval[int](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).filter((e) => /front/.test(e.textContent)).length`, jsString(widgetNotices))); n != 0 {
			t.Errorf("%s: %d notices promise the front of the queue", tb.name, n)
		}
	}
	// Told once: one move back, one reason.
	if n := eval[int](dee, fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).filter((e) => e.textContent.startsWith("Customers whose chat")).length`, jsString(widgetNotices))); n != 1 {
		t.Errorf("Dee was told %d times why she moved back, want once", n)
	}

	// 38 s after the re-queue the supervisor looks. Dee has waited at
	// least 2 min 8 s (the clock moved that far since she asked), and Ann,
	// who first asked before her, longer: the oldest wait is not the 38 s
	// since the re-queue put Ann at the head.
	clock.advance(38 * time.Second)
	// The tab resumes boss's session (TestSupervisorView signs in through
	// the form; a password check is seconds under -race on a busy machine).
	session := fmt.Sprintf(`(sessionStorage.setItem("kefu.supervisor", JSON.stringify({token: %s, name: "boss"})), true)`, jsString(bossToken))
	boss.do(chromedp.Navigate(base+"/supervisor"), chromedp.WaitVisible(chromedp.ID("login-form")))
	eval[bool](boss, session)
	boss.do(
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("board")),
		chromedp.Click(chromedp.ID("lang-en")),
	)
	boss.waitText("#queue", "4")
	boss.waitText(".detail", "The longest any customer in the queue has waited, since first asking for an agent")
	boss.waitUntil("an oldest wait of at least 2 min 8 s", `(() => {
		const m = /^(\d+) min (\d+) s$/.exec(document.getElementById("wait").textContent);
		return !!m && Number(m[1]) * 60 + Number(m[2]) >= 128;
	})()`)
	b.check()
}
