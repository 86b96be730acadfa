package browsertest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/poll"
)

// TestPrivateNote (issue 19): an agent turns the reply box's Note switch
// on and writes a note; it shows in the console as a note, after the
// message it followed, also after a reload, and never in the widget, live
// or after the customer's reload. The agent labels the chat, and the label
// is stored.
func TestPrivateNote(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	ann.say("where is my refund")
	alice.waitLines(deskLines, "where is my refund")

	const secret = "VIP customer; refund checked in the ledger"
	const notes = "#threads ol:not([hidden]) .msg.note:not(.pending) .text"
	alice.do(chromedp.Click(chromedp.ID("note-mode")))
	alice.waitUntil("the box marked as a note", `document.getElementById("compose").classList.contains("noting")`)
	alice.say(secret)
	alice.waitLines(notes, secret)
	alice.do(chromedp.Click(chromedp.ID("note-mode")))
	alice.say("it is on its way")
	ann.waitLines(widgetLines, "where is my refund", "it is on its way")
	noSecret := fmt.Sprintf(`!document.body.textContent.includes(%s)`, jsString(secret))
	ann.waitUntil("no note in the widget", noSecret)

	// The label, typed and Enter: drawn as the server stored it.
	alice.do(chromedp.SendKeys(chromedp.ID("label-add"), "Refund"), pressEnter())
	alice.waitLines("#label-list .label span", "refund")
	conv := eval[string](alice, `document.querySelector("#conv-list .conv-item").dataset.conv`)
	poll.Until(t, 5*time.Second, "the label stored", func() bool {
		got, err := srv.Store().LabelsOf(context.Background(), []string{conv})
		return err == nil && slices.Equal(got[conv], []string{"refund"})
	})

	// After reloads: the note where it was written, the widget without it.
	alice.do(chromedp.Reload())
	alice.waitText("#thread-title", "Chat with Ann")
	alice.waitLines("#threads ol:not([hidden]) .msg:not(.system) .text", "where is my refund", secret, "it is on its way")
	alice.waitLines("#label-list .label span", "refund")
	alice.screenshot("agent-note-labels")
	ann.do(chromedp.Reload())
	ann.waitLines(widgetLines, "where is my refund", "it is on its way")
	ann.waitUntil("no note in the widget", noSecret)
	b.check()
}
