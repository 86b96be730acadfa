package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The widget's and the console's reply box and byte count.
const (
	replyText  = `document.getElementById("text").value`
	sendOff    = `document.getElementById("send").disabled`
	bytesShown = "#text-bytes"
)

// insertText puts text in the focused field at once, as a paste or an
// input method does (one input event); SendKeys would type thousands of
// keys one by one.
func insertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// clearReply empties the reply box as selecting all and deleting would.
func (tb *tab) clearReply() {
	tb.t.Helper()
	eval[bool](tb, `(() => { const e = document.getElementById("text"); e.value = ""; e.dispatchEvent(new Event("input")); return true; })()`)
}

// TestLongChineseMessageStopped: the server counts 8192 bytes of UTF-8,
// and 3,000 Chinese characters are 9,000 of them. The widget, in Chinese,
// stops such a message before sending, says why in Chinese, and keeps the
// text; shortened, it goes. The console does the same in English.
func TestLongChineseMessageStopped(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	alice.signIn(base, "Alice")

	ann.do(
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("start-form")),
		chromedp.Click(chromedp.ID("lang")), // 中文, kept for the page below
	)
	ann.startChat(base, "Ann")
	ann.waitText("#agent-line", "客服 Alice 为您服务")
	alice.waitText("#thread-title", "Chat with Ann")

	long := strings.Repeat("长", 3000)
	ann.do(chromedp.Focus(chromedp.ID("text")), insertText(long))
	ann.waitText(bytesShown, "消息太长，无法发送：超出 808 字节（上限 8,192 字节，约 2,730 个汉字）。请删减后再发送，内容会保留在输入框中。")
	if !eval[bool](ann, sendOff) {
		t.Error("widget: Send is enabled for a message over the limit")
	}
	ann.do(pressEnter())
	if got := eval[string](ann, replyText); got != long {
		t.Fatalf("widget: the box holds %d characters after Enter, want the %d typed", len([]rune(got)), len([]rune(long)))
	}
	if n := eval[int](ann, `document.querySelectorAll("#messages .msg.mine").length`); n != 0 {
		t.Fatalf("widget: %d own lines after Enter on a message over the limit, want none", n)
	}

	// Shortened to 2,500 characters (7,500 bytes, over 80%): the count
	// shows, Send works, and the message is the only one Alice gets.
	short := strings.Repeat("短", 2500)
	ann.clearReply()
	ann.do(chromedp.Focus(chromedp.ID("text")), insertText(short))
	ann.waitText(bytesShown, "已用 7,500 / 8,192 字节（每个汉字占 3 字节）")
	ann.do(pressEnter())
	alice.waitLines(deskLines, short)
	ann.waitLines(widgetLines, short)
	ann.waitUntil("empty box, no count", `document.getElementById("text").value === "" && document.getElementById("text-bytes").hidden && !document.getElementById("send").disabled`)

	// The console: the same stop, in English.
	alice.do(chromedp.Focus(chromedp.ID("text")), insertText(long))
	alice.waitText(bytesShown, "Too long to send: 808 bytes over the limit of 8,192 (about 2,730 Chinese characters). Shorten it to send; your text stays in the box.")
	if !eval[bool](alice, sendOff) {
		t.Error("console: Send is enabled for a message over the limit")
	}
	alice.do(pressEnter())
	if got := eval[string](alice, replyText); got != long {
		t.Fatalf("console: the box holds %d characters after Enter, want the %d typed", len([]rune(got)), len([]rune(long)))
	}
	// A line sent after it is the next Ann gets: the long one never went.
	alice.clearReply()
	alice.say("好的")
	ann.waitLines(widgetLines, short, "好的")
	b.check()
}
