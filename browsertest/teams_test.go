package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"kefu/actors"
	"kefu/hours"
	"kefu/internal/poll"
	"kefu/mailer/smtptest"
	"kefu/server"
	"kefu/store"
)

// Teams in the widget (issue 18): the picker, a team fixed by the embed
// tag, and a closed team's next opening and offline form.

// addTeam stores a team of members and tells the dispatcher, as the teams
// API does after its write.
func addTeam(t *testing.T, srv *server.Server, name string, spec hours.Spec, members ...string) store.Team {
	t.Helper()
	team, err := srv.Store().CreateTeam(context.Background(), store.Team{Name: name, Description: name + " questions", Visible: true, Hours: spec, Members: members})
	if err != nil {
		t.Fatalf("create team %s: %v", name, err)
	}
	srv.Root().Send(srv.Dispatcher(actors.PoolNative), &actors.TeamChanged{Team: team})
	return team
}

var alwaysOpen = hours.Spec{AlwaysOpen: true}

// widgetSees polls GET /api/widget until team has online agents there:
// the figure comes from the monitor's sample, a couple of seconds behind.
func widgetSees(t *testing.T, base, team string, online int) {
	t.Helper()
	poll.Until(t, stepTimeout, fmt.Sprintf("%d agents online in %s", online, team), func() bool {
		res, err := http.Get(base + "/api/widget")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var w struct {
			Teams []struct {
				ID     string `json:"id"`
				Online int    `json:"online"`
			} `json:"teams"`
		}
		if json.NewDecoder(res.Body).Decode(&w) != nil {
			return false
		}
		for _, x := range w.Teams {
			if x.ID == team {
				return x.Online == online
			}
		}
		return false
	})
}

// TestTeamPicker: a customer picks a team in the widget, fills the
// pre-chat form the supervisor turned on (email, first question), and
// reaches that team's agent with the question as the chat's first line;
// the other team's agent, free, gets nothing.
func TestTeamPicker(t *testing.T) {
	srv, base := nativeServer(t, 0)
	if err := srv.Store().SetWidgetSettings(context.Background(), store.WidgetSettings{Picker: true, Email: store.AskOptional, Question: true}); err != nil {
		t.Fatal(err)
	}
	aliceID := addAgent(t, srv, "Alice", 2)
	beaID := addAgent(t, srv, "Bea", 2)
	addTeam(t, srv, "Sales", alwaysOpen, aliceID)
	billing := addTeam(t, srv, "Billing", alwaysOpen, beaID)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	bea := b.newPerson("agent Bea").laptop()
	carl := b.newPerson("customer Carl").phone()
	alice.signIn(base, "Alice")
	bea.signIn(base, "Bea")
	widgetSees(t, base, billing.ID, 1)

	carl.do(chromedp.Navigate(base + "/"))
	carl.waitUntil("the picker", visible("teams"))
	carl.waitUntil("Billing offered, open with an agent", `[...document.querySelectorAll("#team-list .team-choice")].some(e => e.textContent.includes("Billing") && e.textContent.includes("Open · 1 online"))`)
	carl.do(
		chromedp.Click(chromedp.CSS(`#team-list input[value="`+billing.ID+`"]`)),
		chromedp.SetValue(chromedp.ID("name"), "Carl"),
		chromedp.SetValue(chromedp.ID("email"), "carl@example.com"),
		chromedp.SetValue(chromedp.ID("form-text"), "My invoice shows the wrong address"),
	)
	carl.screenshot("widget-team-picker")
	carl.do(chromedp.Click(chromedp.ID("start-go")))
	carl.waitText("#agent-line", "You are chatting with Bea")
	bea.waitText("#thread-title", "Chat with Carl")
	bea.waitLines(deskLines, "My invoice shows the wrong address")
	convs, err := srv.Store().OpenConversations(context.Background())
	if err != nil || len(convs) != 1 || convs[0].CustomerEmail != "carl@example.com" || convs[0].Team != billing.ID {
		t.Fatalf("open conversations %+v, %v: want Carl's in Billing, with his email", convs, err)
	}
	if n := eval[int](alice, `document.querySelectorAll("#conv-list .conv-item").length`); n != 0 {
		t.Fatalf("Alice, of another team, has %d chats", n)
	}
	b.check()
}

// TestEmbedDataTeam: the embed tag's data-team opens the widget on that
// team, with no picker.
func TestEmbedDataTeam(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	beaID := addAgent(t, srv, "Bea", 2)
	billing := addTeam(t, srv, "Billing", alwaysOpen, beaID)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.WriteHeader(http.StatusNoContent) // the browser's favicon.ico: the shop has none
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, strings.Replace(hostPage, `async>`, `data-team="%s" async>`, 1), base, billing.ID)
	}))
	t.Cleanup(shop.Close)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	bea := b.newPerson("agent Bea").laptop()
	host := b.newPerson("shop page").laptop()
	alice.signIn(base, "Alice")
	bea.signIn(base, "Bea")
	host.do(chromedp.Navigate(strings.Replace(shop.URL, "127.0.0.1", "localhost", 1) + "/"))
	host.waitUntil("the kefu button", visible("kefu-widget-button"))
	host.do(chromedp.Click(chromedp.ID("kefu-widget-button")))
	widget := host.frame(b, base+"/embed?team="+billing.ID)
	widget.waitUntil("start form", visible("start-form"))
	widget.waitUntil("the team named, no picker", `document.getElementById("teams").hidden && !document.getElementById("team-status").hidden`)
	widget.do(chromedp.SetValue(chromedp.ID("name"), "Shopper"), chromedp.Click(chromedp.ID("start-go")))
	widget.waitText("#agent-line", "You are chatting with Bea")
	b.check()
}

// closedNow is a schedule closed today and tomorrow in Shanghai, open
// 09:00-10:00 there on other days, and its next opening.
func closedNow(t *testing.T) (hours.Spec, time.Time) {
	t.Helper()
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(zone)
	spec := hours.Spec{TimeZone: "Asia/Shanghai", Closed: []string{now.Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)}}
	for d := range spec.Week {
		spec.Week[d] = []hours.Span{{Opens: 9 * 60, Closes: 10 * 60}}
	}
	sc, err := hours.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	next, ok := sc.NextOpen(time.Now())
	if !ok {
		t.Fatal("no next opening")
	}
	return spec, next
}

// TestClosedTeamForm: a team closed by its hours shows its next opening
// in the customer's own zone (New York here, the team's Shanghai) and the
// offline form; the message left is stored in the team's inbox, and the
// widget says it was received.
func TestClosedTeamForm(t *testing.T) {
	srv, base := nativeServer(t, 0)
	beaID := addAgent(t, srv, "Bea", 2)
	spec, next := closedNow(t)
	billing := addTeam(t, srv, "Billing", spec, beaID)
	b := newBrowser(t)
	dan := b.newPerson("customer Dan").phone()
	dan.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"})
		return err
	}))
	dan.do(chromedp.Navigate(base + "/?team=" + billing.ID))
	dan.waitUntil("the form", visible("offline"))
	ny, _ := time.LoadLocation("America/New_York")
	want := next.UTC().Format(time.RFC3339)
	dan.waitUntil("the opening as a UTC instant", `document.querySelector("#team-status time").dateTime === `+jsString(want))
	if got := eval[string](dan, `document.querySelector("#team-status time").textContent`); !strings.Contains(got, next.In(ny).Format("15:04")) {
		t.Fatalf("opening shown as %q, want New York's %s", got, next.In(ny).Format("15:04"))
	}
	dan.do(
		chromedp.SetValue(chromedp.ID("name"), "Dan"),
		chromedp.SetValue(chromedp.ID("email"), "dan@example.com"),
		chromedp.SetValue(chromedp.ID("form-text"), "Where is my refund?"),
	)
	dan.screenshot("widget-offline-form")
	dan.do(chromedp.Click(chromedp.ID("start-go")))
	dan.waitUntil("received", visible("left"))
	page, err := srv.Store().InboxConversations(context.Background(), billing.ID, 0, 10)
	if err != nil || len(page) != 1 || page[0].CustomerEmail != "dan@example.com" {
		t.Fatalf("inbox %+v, %v: want Dan's form", page, err)
	}
	b.check()
}

// TestFormAnsweredAndMailed: a customer leaves a message for a closed
// team and goes; the team's agent finds it in the console's inbox, answers
// it and ends the chat; the answer is mailed through the test's SMTP
// server, and the customer, back in the same browser, sees it.
func TestFormAnsweredAndMailed(t *testing.T) {
	mail := smtptest.Start(t)
	srv := startServer(t, server.Config{Grace: server.DefaultGrace, Mail: server.MailConfig{SMTPURL: "smtp://" + mail.Addr, From: "support@kefu.test"}})
	base := "http://" + srv.Addr()
	beaID := addAgent(t, srv, "Bea", 2)
	spec, _ := closedNow(t)
	billing := addTeam(t, srv, "Billing", spec, beaID)
	b := newBrowser(t)
	dan := b.newPerson("customer Dan").phone()
	bea := b.newPerson("agent Bea").laptop()

	dan.do(chromedp.Navigate(base + "/?team=" + billing.ID))
	dan.waitUntil("the form", visible("offline"))
	dan.do(
		chromedp.SetValue(chromedp.ID("name"), "Dan"),
		chromedp.SetValue(chromedp.ID("email"), "dan@example.com"),
		chromedp.SetValue(chromedp.ID("form-text"), "我的退款到哪里了？"),
		chromedp.Click(chromedp.ID("start-go")),
	)
	dan.waitUntil("received", visible("left"))
	dan.do(chromedp.Navigate("about:blank")) // gone; the browser keeps its storage

	bea.signIn(base, "Bea")
	bea.waitUntil("the form in the inbox", `[...document.querySelectorAll("#inboxes .inbox-item")].some(e => e.textContent.includes("Dan") && e.textContent.includes("我的退款到哪里了"))`)
	bea.do(chromedp.Click(chromedp.CSS(`#inboxes .inbox-item button`)))
	bea.waitText("#thread-title", "Chat with Dan")
	bea.say("退款已于昨天退回您的账户。")
	bea.endChat()

	m := mail.Next(t)
	if m.To != "dan@example.com" || !strings.Contains(string(m.Data), "Message-ID: <cv_") {
		t.Fatalf("mail to %q:\n%s", m.To, m.Data)
	}
	dan.do(chromedp.Navigate(base + "/?team=" + billing.ID))
	dan.waitLines(widgetLines, "我的退款到哪里了？", "退款已于昨天退回您的账户。")
	dan.waitText("#ended-why", "This chat has ended.")
	mail.NoMore(t)
	b.check()
}

// TestSupervisorTeams: a supervisor creates a team with a member in the
// supervisor view, sees it in the teams table, and turns the widget's
// pre-chat question on; the widget then asks it, and the new team is
// offered and routes to its member.
func TestSupervisorTeams(t *testing.T) {
	srv := startServer(t, server.Config{Grace: server.DefaultGrace, StatsSampleEvery: 100 * time.Millisecond})
	base := "http://" + srv.Addr()
	account(t, srv, "boss", store.RoleSupervisor)
	beaID := addAgent(t, srv, "Bea", 2)
	b := newBrowser(t)
	boss := b.newTab("supervisor")
	boss.do(
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/supervisor"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.Click(chromedp.ID("lang-en")),
		chromedp.SendKeys(chromedp.ID("name"), "boss"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Focus(chromedp.ID("password")),
		pressEnter(),
		chromedp.WaitVisible(chromedp.ID("board")),
	)
	boss.do(chromedp.Click(chromedp.ID("team-new")))
	boss.waitUntil("the editor", visible("team-form"))
	boss.do(chromedp.SetValue(chromedp.ID("team-name"), "Refunds"), chromedp.SetValue(chromedp.ID("team-description"), "Money back"))
	boss.waitUntil("Bea among the members to tick", `[...document.querySelectorAll("#team-member-list input")].some(e => e.value === `+jsString(beaID)+`)`)
	boss.do(chromedp.Click(chromedp.CSS(`#team-member-list input[value="`+beaID+`"]`)), chromedp.Click(chromedp.ID("team-save")))
	boss.waitUntil("Refunds in the table", `[...document.querySelectorAll("#team-rows td.name")].some(e => e.textContent === "Refunds")`)
	boss.waitUntil("the widget settings", `!document.getElementById("widget-save").disabled`)
	boss.do(chromedp.Click(chromedp.ID("widget-question")), chromedp.Click(chromedp.ID("widget-save")))
	boss.waitText("#widget-status", "Saved")
	boss.screenshot("supervisor-teams")
	got, err := srv.Store().WidgetSettings(context.Background())
	if err != nil || !got.Question {
		t.Fatalf("widget settings %+v, %v: want the question asked", got, err)
	}

	bea := b.newPerson("agent Bea").laptop()
	bea.signIn(base, "Bea")
	eve := b.newPerson("customer Eve").phone()
	eve.do(chromedp.Navigate(base + "/"))
	eve.waitUntil("Refunds offered", `[...document.querySelectorAll("#team-list .team-choice")].some(e => e.textContent.includes("Refunds"))`)
	eve.waitUntil("the question asked", visible("text-field"))
	eval[bool](eve, `([...document.querySelectorAll("#team-list .team-choice")].find(e => e.textContent.includes("Refunds")).querySelector("input").click(), true)`)
	eve.do(
		chromedp.SetValue(chromedp.ID("name"), "Eve"),
		chromedp.SetValue(chromedp.ID("form-text"), "I was charged twice"),
		chromedp.Click(chromedp.ID("start-go")),
	)
	bea.waitText("#thread-title", "Chat with Eve")
	bea.waitLines(deskLines, "I was charged twice")

	// The tiles' scope: the desk, or one team's share of it.
	boss.waitUntil("the scope offers the desk and both teams", `[...document.getElementById("scope").options].map(o => o.textContent).join("|") === "All teams|General|Refunds"`)
	eval[bool](boss, `(() => { const s = document.getElementById("scope"); s.value = [...s.options].find(o => o.textContent === "Refunds").value; s.dispatchEvent(new Event("change")); return true })()`)
	boss.waitText("#agents-online", "1")
	boss.waitUntil("the queue chart drawn for the team", `document.querySelector("#chart-queue title")?.textContent.length > 0`)
	b.check()
}
