package server

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu/attach"
)

// pngBytes is the start of a PNG: enough for the sniffer.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), bytes.Repeat([]byte{0}, 100)...)

// upload posts body as a file named name to conv with token.
func (ts *testServer) upload(t *testing.T, token, conv, name string, body []byte) (int, map[string]any) {
	t.Helper()
	return uploadAt(t, ts.Addr(), token, conv, name, body)
}

// download gets a blob with token: its status, headers and bytes.
func (ts *testServer) download(t *testing.T, token, blob string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+ts.Addr()+"/api/files/"+blob, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, data
}

// TestAttachments (issue 19): a customer uploads a picture and sends it
// as a message, stored once however often it is resent, seen by both
// sides with its file; the agent sends a PDF, a download; only members
// and supervisors may fetch them; a file too large, of another type (HTML
// named .png), or a reference not one's own is refused, and a refused
// upload leaves no file behind.
func TestAttachments(t *testing.T) {
	ts := startServer(t, Config{Uploads: UploadsConfig{MaxBytes: 1 << 20}})
	alice := ts.addAgent(t, "Alice", 3)
	agent := ts.agentOnline(t, alice)
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)

	status, up := ts.upload(t, cust.token, conv, "C:\\Users\\bob\\屏幕截图.png", pngBytes)
	if status != 201 || up["type"] != "image/png" || up["name"] != "屏幕截图.png" || up["file"] == "" {
		t.Fatalf("upload: %d %v", status, up)
	}
	ref, blob := up["file"].(string), up["blob"].(string)
	file := obj{"type": "msg", "conv": conv, "cid": "f-1", "file": ref}
	cust.sent["f-1"] = true
	cust.send(file)
	m := cust.expectMsg(conv, 1, cust.me, "屏幕截图.png")
	if !strings.Contains(m.raw, `"file":{"blob":"`+blob+`","name":"屏幕截图.png","type":"image/png","size":`) {
		t.Fatalf("customer's msg %s: want its file", m.raw)
	}
	if a := agent.expectMsg(conv, 1, cust.me, "屏幕截图.png"); !strings.Contains(a.raw, blob) {
		t.Fatalf("agent's msg %s: want its file", a.raw)
	}
	cust.send(file) // a resend: acked again, stored once
	if ack := cust.expect("ack"); ack.Seq != 1 || ack.CID != "f-1" {
		t.Fatalf("resend answered %s, want the ack of seq 1", ack.raw)
	}
	msgs, err := ts.Store().Messages(context.Background(), conv, 0, 0)
	if err != nil || len(msgs) != 1 || msgs[0].File.ID != blob || msgs[0].File.Type != "image/png" {
		t.Fatalf("stored %+v, %v: want the one file message", msgs, err)
	}

	// Fetching: the agent and the customer, inline; others not.
	status, h, data := ts.download(t, alice.Token, blob)
	if status != 200 || !bytes.Equal(data, pngBytes) || h.Get("Content-Type") != "image/png" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("agent's download: %d %v (%d bytes)", status, h, len(data))
	}
	if status, _, _ := ts.download(t, cust.token, blob); status != 200 {
		t.Fatalf("customer's download: %d", status)
	}
	eve := ts.customerOnline(t, "Eve")
	if status, _, _ := ts.download(t, eve.token, blob); status != 404 {
		t.Fatalf("another customer's download: %d, want 404", status)
	}
	bea := ts.addAgent(t, "Bea", 3)
	if status, _, _ := ts.download(t, bea.Token, blob); status != 404 {
		t.Fatalf("another agent's download: %d, want 404", status)
	}
	if status, _, _ := ts.download(t, ts.supervisorToken(t), blob); status != 200 {
		t.Fatalf("a supervisor's download: %d, want 200", status)
	}
	if status, _, _ := ts.download(t, "", blob); status != 401 {
		t.Fatalf("a download without a token: %d, want 401", status)
	}

	// The agent's PDF: a download, named.
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	status, up = ts.upload(t, alice.Token, conv, "invoice 2026.pdf", pdf)
	if status != 201 || up["type"] != "application/pdf" {
		t.Fatalf("agent's upload: %d %v", status, up)
	}
	agent.sent["f-2"] = true
	agent.send(obj{"type": "msg", "conv": conv, "cid": "f-2", "file": up["file"]})
	agent.expectMsg(conv, 2, agent.me, "invoice 2026.pdf")
	cust.expectMsg(conv, 2, agent.me, "invoice 2026.pdf")
	status, h, _ = ts.download(t, cust.token, up["blob"].(string))
	if status != 200 || h.Get("Content-Disposition") != `attachment; filename="invoice 2026.pdf"` {
		t.Fatalf("customer's PDF download: %d %v", status, h)
	}

	// Refused: too large, HTML named .png, empty, not a member, a
	// reference that is not the sender's or not this conversation's.
	for name, tc := range map[string]struct {
		token string
		body  []byte
		code  string
	}{
		"too large":  {cust.token, bytes.Repeat([]byte("a"), 1<<20+1), "too_large"},
		"html .png":  {cust.token, []byte("<!DOCTYPE html><html><body><script>alert(1)</script>"), "bad_type"},
		"svg":        {cust.token, []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "bad_type"},
		"not member": {eve.token, pngBytes, "not_found"},
	} {
		if status, out := ts.upload(t, tc.token, conv, "shot.png", tc.body); out["code"] != tc.code {
			t.Errorf("%s: %d %v, want %s", name, status, out, tc.code)
		}
	}
	eve.send(obj{"type": "msg", "conv": conv, "cid": "x", "file": ref})
	eve.expectError("unknown_conversation")
	agent.send(obj{"type": "msg", "conv": conv, "cid": "x", "file": ref}) // the customer's upload
	agent.expectError("bad_file")
	agent.send(obj{"type": "msg", "conv": conv, "cid": "y", "file": "forged.ref"})
	agent.expectError("bad_file")

	// A reference older than the sweep of unsent uploads allows (a day, less
	// a margin, by default) is refused with its own code: upload again.
	key, err := ts.Store().Secret(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stale := attach.NewRefs(key, 0).Sign(attach.File{Blob: blob, Conv: conv, By: cust.me.ID, Name: "old.png", Type: "image/png",
		Size: int64(len(pngBytes)), At: time.Now().Add(-DefaultUnsentTTL).Unix()})
	cust.send(obj{"type": "msg", "conv": conv, "cid": "old", "file": stale})
	if e := cust.expectError("file_expired"); !strings.Contains(e.raw, `"cid":"old"`) {
		t.Fatalf("expired reference answered %s, want its cid", e.raw)
	}

	// Nothing of the refused uploads is on disk: the two files sent, no
	// temporary one.
	var files []string
	_ = filepath.WalkDir(filepath.Join(ts.cfg.DataDir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, d.Name())
		}
		return nil
	})
	if ts.cfg.Store == "" && len(files) != 2 {
		t.Fatalf("files under blobs/: %v, want the two uploads", files)
	}
}
