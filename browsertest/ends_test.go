package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/store"
)

// Issue 13, item 6: nothing final happens on one click. End chat asks on
// both sides, signing out with chats open warns, a transfer starts with no
// target chosen and carries a note, and the chat shows its hand-offs.

// endChat ends the chat on the tab's page as a person does: End chat, then
// "Yes" in the question that takes its place.
func (tb *tab) endChat() {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.ID("end")))
	tb.waitUntil("End chat asks", visible("end-yes"))
	tb.do(chromedp.Click(chromedp.ID("end-yes")))
}

// asksToEnd checks the question that End chat puts in its place: the
// question, with the keyboard on Cancel, and nothing ended yet.
func (tb *tab) asksToEnd(question string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.ID("end")))
	tb.waitText("#end-ask", question)
	tb.waitUntil("Cancel has the keyboard, End chat is gone", `document.activeElement === document.getElementById("end-no") && `+
		`!`+visible("end"))
}

// cancelled checks that the question went and End chat is back with the
// keyboard, the chat still open (its reply box shown).
func (tb *tab) cancelled() {
	tb.t.Helper()
	tb.waitUntil("End chat back, focused, chat open", `!`+visible("end-ask")+` && `+visible("end")+
		` && document.activeElement === document.getElementById("end") && `+visible("compose"))
}

// TestEndChatAsks: End chat, on the widget and in the console, asks
// "End this chat?" in its own place instead of ending. Cancel, Esc, or
// Enter on the focused Cancel (a double press) leave the chat as it was;
// only "Yes" ends it, and only the chat it was asked about.
func TestEndChatAsks(t *testing.T) {
	b, base, alice, ann, bob := aliceServesAnn(t)
	ann.waitText("#agent-line", "You are chatting with Alice")

	// The customer's side.
	ann.asksToEnd("End this chat?")
	ann.do(chromedp.Click(chromedp.ID("end-no")))
	ann.cancelled()
	ann.asksToEnd("End this chat?")
	ann.do(pressKey("Escape", "Escape", 27, "", 0))
	ann.cancelled()
	ann.asksToEnd("End this chat?")
	// On a phone the question wraps under the agent's name, not into it.
	phone := layoutSizes[0]
	ann.resize(phone)
	ann.fits("widget asking to end", phone)
	ann.notSqueezed("#agent-line", phone)
	ann.onScreen("end-no", phone)
	ann.screenshot("widget-end-ask")
	ann.do(pressEnter()) // a second Enter lands on Cancel
	ann.cancelled()
	ann.say("still here")
	alice.waitLines(deskLines, "still here")
	ann.endChat()
	ann.waitText("#ended-why", "You ended the chat.")
	alice.waitText("#threads ol .msg.system .text", "The customer ended the chat.")

	// The agent's side: Bob comes, and the console shows him.
	bob.startChat(base, "Bob")
	alice.waitText("#thread-title", "Chat with Bob")
	alice.waitUntil("End chat shown", visible("end"))
	alice.asksToEnd("End the chat with Bob?")
	alice.do(chromedp.Click(chromedp.ID("end-no")))
	alice.cancelled()
	alice.asksToEnd("End the chat with Bob?")
	alice.do(pressKey("Escape", "Escape", 27, "", 0))
	alice.cancelled()
	alice.say("Hello Bob")
	bob.waitLines(widgetLines, "Hello Bob")
	// Entries with no waiting time once showed the word "null" there.
	if text := eval[string](alice, `document.getElementById("conv-list").textContent`); strings.Contains(text, "null") {
		t.Errorf("the chat list reads %q", text)
	}
	// A question left open goes when the agent looks at another chat.
	alice.asksToEnd("End the chat with Bob?")
	alice.screenshot("agent-end-ask")
	alice.resize(phone)
	alice.fits("console asking to end", phone)
	alice.notSqueezed("#thread-title", phone)
	alice.onScreen("end-no", phone)
	alice.laptop()
	alice.openConv("Ann")
	alice.waitUntil("no question on Ann's ended chat", `!`+visible("end-ask"))
	alice.openConv("Bob")
	alice.waitUntil("End chat back for Bob", visible("end")+` && !`+visible("end-ask"))
	alice.endChat()
	alice.waitText("#threads ol:not([hidden]) .msg.system .text", "You ended the chat.")
	bob.waitText("#ended-why", "The agent ended the chat.")
	b.check()
}

// TestConsoleSignOutWarns: signing out with chats open says how many and
// that they go back to the queue, and needs a second press; Cancel keeps
// the agent signed in. (With none open it signs out at once:
// TestConsoleSignOut.)
func TestConsoleSignOutWarns(t *testing.T) {
	b, base, alice, _, bob := aliceServesAnn(t)
	alice.do(chromedp.Click(chromedp.ID("logout")))
	alice.waitText("#logout-ask", "You have 1 open chat; it goes back to the queue for other agents.")
	alice.waitUntil("Cancel has the keyboard", `document.activeElement === document.getElementById("logout-no")`)
	alice.do(chromedp.Click(chromedp.ID("logout-no")))
	alice.waitUntil("still signed in", visible("console")+` && `+visible("logout")+` && !`+visible("logout-ask"))

	bob.startChat(base, "Bob")
	alice.waitText("#conv-list .conv-item .name", "Bob")
	alice.do(chromedp.Click(chromedp.ID("logout")))
	alice.waitText("#logout-ask", "You have 2 open chats; they go back to the queue for other agents.")
	alice.screenshot("agent-signout-ask")
	phone := layoutSizes[0]
	alice.resize(phone)
	alice.fits("console asking to sign out", phone)
	alice.onScreen("logout-yes", phone)
	alice.onScreen("logout-no", phone)
	alice.do(chromedp.Click(chromedp.ID("logout-yes")), chromedp.WaitVisible(chromedp.ID("login-form")))
	b.check()
}

// chooseTarget picks a transfer target as a person does, so the page
// hears the change.
func (tb *tab) chooseTarget(value string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.getElementById("transfer-to"); s.value = %s; s.dispatchEvent(new Event("change")); })()`, jsString(value))))
}

// threadLines is a JavaScript expression: every line of the chat the agent
// has open, messages and notices, in order.
const threadLines = `Array.from(document.querySelectorAll("#threads ol:not([hidden]) li .text"), (e) => e.textContent)`

// waitOrder waits until the open chat's lines hold want in this order,
// each once (other lines may come between).
func (tb *tab) waitOrder(want ...string) {
	tb.t.Helper()
	wantJSON, _ := json.Marshal(want)
	expr := fmt.Sprintf(`(() => { const got = %s, want = %s; let i = 0;
		for (const w of want) { if (got.filter((g) => g === w).length !== 1) return false; const j = got.indexOf(w); if (j < i) return false; i = j; }
		return true; })()`, threadLines, wantJSON)
	if err := chromedp.Do(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepTimeout))); err != nil {
		tb.t.Fatalf("%s: the chat holds %q, want %q in that order, each once", tb.name, eval[[]string](tb, threadLines), want)
	}
}

// TestTransferNoteAndHandoffs: the transfer form starts with no target
// and Transfer disabled, and keeps it so when the list of agents comes.
// Alice hands Ann to Bea with a note; Bea reads who sent it and the note,
// Ann never sees the note. Bea sends Ann back to the queue with a note, and
// Alice, who takes her again, sees both hand-offs where they happened in
// the chat, also after a reload.
func TestTransferNoteAndHandoffs(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	beaID := addAgent(t, srv, "Bea", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	bea := b.newPerson("agent Bea").laptop()
	ann := b.newPerson("customer Ann").phone()
	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	ann.say("I need a refund")
	alice.waitLines(deskLines, "I need a refund")
	bea.signIn(base, "Bea")

	alice.do(chromedp.Click(chromedp.ID("transfer-open")))
	alice.waitUntil("Bea offered", fmt.Sprintf(`!!document.querySelector('#transfer-to option[value=%s]:not([disabled])')`, jsString(beaID)))
	alice.waitUntil("nothing chosen, Transfer disabled", `document.getElementById("transfer-to").value === "" && document.getElementById("transfer-go").disabled`)
	alice.waitText("#transfer-to option[value='']", "Choose…")
	alice.chooseTarget(beaID)
	alice.waitUntil("Transfer enabled", `!document.getElementById("transfer-go").disabled`)
	alice.do(chromedp.SendKeys(chromedp.ID("transfer-note"), "refund of $45 checked"))
	alice.do(chromedp.Click(chromedp.ID("transfer-go")))

	bea.waitText("#thread-title", "Chat with Ann")
	bea.waitOrder("I need a refund", "Transferred to you by Alice: refund of $45 checked")
	ann.waitText("#agent-line", "You are chatting with Bea")
	bea.say("Bea here")
	ann.waitLines(widgetLines, "I need a refund", "Bea here")
	if text := ann.pageText(); strings.Contains(text, "refund of $45 checked") {
		t.Fatalf("the customer's page shows the agents' note:\n%s", text)
	}

	// Opened again, the form starts afresh: nothing chosen, no note.
	bea.do(chromedp.Click(chromedp.ID("transfer-open")))
	bea.waitUntil("the queue offered", `!!document.querySelector('#transfer-to option[value=queue]')`)
	bea.waitUntil("nothing chosen", `document.getElementById("transfer-to").value === "" && document.getElementById("transfer-go").disabled`)
	bea.chooseTarget("queue")
	bea.do(chromedp.SendKeys(chromedp.ID("transfer-note"), "needs billing"), chromedp.Click(chromedp.ID("transfer-go")))
	bea.waitText("#threads ol:not([hidden]) .msg.system .text", "You sent this chat back to the queue.")

	ann.waitText("#agent-line", "You are chatting with Alice")
	alice.openConv("Ann")
	history := []string{"I need a refund", "Alice transferred this chat to Bea: refund of $45 checked", "Bea here", "Sent back to the queue by Bea: needs billing"}
	alice.waitOrder(history...)
	alice.do(chromedp.Reload())
	alice.waitUntil("console back", visible("console"))
	alice.openConv("Ann")
	alice.waitOrder(history...)
	b.check()
}

// TestTransferSenderFromServer: the hand-off names its sender as the
// server knows the agent (its session's account), whatever the frame
// claims, and keeps sender and note with the conversation's events.
func TestTransferSenderFromServer(t *testing.T) {
	srv, _ := nativeServer(t, 0)
	alice := dialNative(t, srv, map[string]any{"role": "agent", "token": account(t, srv, "Alice", store.RoleAgent)})
	ann := dialNative(t, srv, map[string]any{"role": "customer", "name": "Ann"})
	ann.send(map[string]any{"type": "request"})
	conv := alice.expect("conv").Conv
	bea := dialNative(t, srv, map[string]any{"role": "agent", "token": account(t, srv, "Bea", store.RoleAgent)})
	ctx := context.Background()
	aliceAcc, _, err := srv.Store().AgentByName(ctx, "Alice")
	if err != nil {
		t.Fatal(err)
	}
	beaAcc, _, err := srv.Store().AgentByName(ctx, "Bea")
	if err != nil {
		t.Fatal(err)
	}

	alice.send(map[string]any{
		"type": "transfer", "conv": conv, "to": beaAcc.ID, "note": "refund checked",
		// Claims the server must not take.
		"by": map[string]any{"id": "ag_mallory", "role": "agent", "name": "Mallory"}, "from": "Mallory", "name": "Mallory",
	})
	var opened struct {
		Why      string `json:"why"`
		Handoffs []struct {
			By   partyJSON  `json:"by"`
			To   *partyJSON `json:"to"`
			Note string     `json:"note"`
		} `json:"handoffs"`
	}
	bea.expectJSON("conv", &opened)
	if opened.Why != "transferred" || len(opened.Handoffs) != 1 {
		t.Fatalf("Bea's conv=%+v, want transferred with one hand-off", opened)
	}
	h := opened.Handoffs[0]
	if got, want := h.By, (partyJSON{ID: aliceAcc.ID, Role: "agent", Name: "Alice"}); got != want {
		t.Fatalf("hand-off by %+v, want %+v", got, want)
	}
	if h.To == nil || h.To.ID != beaAcc.ID || h.Note != "refund checked" {
		t.Fatalf("hand-off %+v, want to Bea with the note", h)
	}

	// Stored with the conversation, for reloads, restarts and reports.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(stepTimeout)
	for {
		events, err := srv.Store().ConvEvents(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(events); n > 0 && events[n-1].Kind == "transferred" {
			e := events[n-1]
			if e.ByID != aliceAcc.ID || e.ByName != "Alice" || e.AgentID != beaAcc.ID || e.Note != "refund checked" {
				t.Fatalf("stored %+v, want by Alice to Bea with the note", e)
			}
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("no transfer stored: %+v", events)
		}
	}
}

type partyJSON struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Name string `json:"name"`
}

// expectJSON reads frames until one of type typ, and decodes it into v.
func (c *native) expectJSON(typ string, v any) {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(stepTimeout))
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f.Type == "error" {
			c.t.Fatalf("waiting for %s: error %s", typ, f.Code)
		}
		if f.Type == typ {
			if err := json.Unmarshal(data, v); err != nil {
				c.t.Fatalf("decode %s: %v", typ, err)
			}
			return
		}
	}
}
