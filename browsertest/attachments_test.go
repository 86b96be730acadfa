package browsertest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"kefu/internal/poll"
)

// pasteScreenshot draws a picture on a canvas and pastes it into the
// reply box as a file, as a screenshot from the clipboard comes.
const pasteScreenshot = `(async () => {
  const c = document.createElement("canvas");
  c.width = 64; c.height = 48;
  const g = c.getContext("2d");
  g.fillStyle = "#c0392b"; g.fillRect(0, 0, 64, 48);
  const blob = await new Promise((ok) => c.toBlob(ok, "image/png"));
  const dt = new DataTransfer();
  dt.items.add(new File([blob], "image.png", { type: "image/png" }));
  document.getElementById("text").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
})()`

// TestAttachments (issue 19): a customer pastes a screenshot and the agent
// sees it inline; a PDF the agent picks downloads on the customer's side,
// the same bytes; a 20 MiB file and an HTML file named .png are refused
// with words the customer reads, and neither is sent.
func TestAttachments(t *testing.T) {
	srv, base := nativeServer(t, 0)
	addAgent(t, srv, "Alice", 2)
	b := newBrowser(t)
	alice := b.newPerson("agent Alice").laptop()
	ann := b.newPerson("customer Ann").phone()
	alice.signIn(base, "Alice")
	ann.startChat(base, "Ann")
	alice.waitText("#thread-title", "Chat with Ann")
	ann.say("my screen shows an error")
	alice.waitLines(deskLines, "my screen shows an error")

	// The screenshot, pasted: inline on both sides, drawn from its bytes.
	ann.do(chromedp.Evaluate[chromedp.Void](pasteScreenshot))
	const deskPicture = `document.querySelector("#threads ol:not([hidden]) img.file-picture")`
	alice.waitUntil("the screenshot inline", deskPicture+`?.src.startsWith("data:image/png") && `+deskPicture+`.naturalWidth === 64`)
	ann.waitUntil("the screenshot in the widget", `document.querySelector("#messages img.file-picture")?.naturalHeight === 48`)
	ann.waitLines(widgetLines, "my screen shows an error", "image.png")

	// The agent's PDF, picked: a download for the customer.
	dir := t.TempDir()
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	pdfPath := filepath.Join(dir, "invoice.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	alice.do(chromedp.SetUploadFiles("#file-input", []string{pdfPath}))
	ann.waitText("#messages .file-link", "invoice.pdf (48 B)")
	downloads := t.TempDir()
	events := true
	if _, err := chromedp.Call(ann.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: &events,
		BrowserContextID: chromedp.FromContext(ann.ctx).BrowserContextID,
	}); err != nil {
		t.Fatal(err)
	}
	ann.do(chromedp.Click("#messages .file-link"))
	poll.Until(t, stepTimeout, "the PDF downloaded whole", func() bool {
		got, err := os.ReadFile(filepath.Join(downloads, "invoice.pdf"))
		return err == nil && bytes.Equal(got, pdf)
	})

	// Refused: too large (before it is sent), and HTML named .png (by
	// the server, which sniffs it).
	big := filepath.Join(dir, "holiday.png")
	if err := os.WriteFile(big, bytes.Repeat([]byte{0}, 20<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	ann.do(chromedp.SetUploadFiles("#file-input", []string{big}))
	ann.waitText("#messages .msg.system.refused .text", "holiday.png was not sent: files are at most 10 MiB.")
	fake := filepath.Join(dir, "cat.png")
	if err := os.WriteFile(fake, []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.expectRefusal("/api/uploads", 415)
	ann.do(chromedp.SetUploadFiles("#file-input", []string{fake}))
	ann.waitUntil("the HTML file refused", `[...document.querySelectorAll("#messages .msg.system.refused .text")].some((e) => e.textContent === "cat.png was not sent: That kind of file is not accepted. You can send pictures (PNG, JPEG, GIF, WebP), PDF and plain text files.")`)
	alice.waitLines(deskLines, "my screen shows an error", "image.png", "invoice.pdf (48 B)")
	ann.waitLines(widgetLines, "my screen shows an error", "image.png", "invoice.pdf (48 B)")
	alice.screenshot("agent-attachments")
	ann.screenshot("widget-attachments")
	b.check()
}
