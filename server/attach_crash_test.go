package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kefu/internal/kefuproc"
)

// TestAttachmentCrash (issue 19): an attachment acknowledged before a
// SIGKILL is there after the restart, as any acknowledged message: in the
// conversation's history at its seq, and its bytes downloadable.
func TestAttachmentCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "kefu")
	if err := kefuproc.Build(bin); err != nil {
		t.Fatal(err)
	}
	forEachStore(t, func(t *testing.T, spec, dir string) {
		const password = "attachment crash password"
		add := exec.Command(bin, "agent", "add", "Alice", "-password-stdin", "-data", dir, "-store", spec)
		add.Stdin = strings.NewReader(password + "\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("kefu agent add: %v\n%s", err, out)
		}
		p := startKefu(t, bin, spec, dir)
		agent := dialAt(t, p.addr)
		agent.send(obj{"type": "hello", "v": 1, "role": "agent", "token": loginAt(t, p.addr, "Alice", password)})
		agent.me = *agent.welcomed().You
		cust := customerAt(t, p.addr, "Bob")
		conv := assign(t, agent, cust)

		status, up := uploadAt(t, p.addr, cust.token, conv, "screenshot.png", pngBytes)
		if status != 201 {
			t.Fatalf("upload: %d %v", status, up)
		}
		cust.sent["f-1"] = true
		cust.send(obj{"type": "msg", "conv": conv, "cid": "f-1", "file": up["file"]})
		cust.expectMsg(conv, 1, cust.me, "screenshot.png") // and its ack
		p.kill(t)

		p = startKefu(t, bin, spec, dir)
		back := dialAt(t, p.addr)
		back.send(obj{"type": "hello", "v": 1, "role": "customer", "token": cust.token})
		back.welcomed()
		f := back.expect("conv")
		if len(f.History) != 1 || !strings.Contains(f.raw, `"file":{"blob":"`+up["blob"].(string)+`"`) {
			t.Fatalf("after the kill: %s, want the file message at seq 1", f.raw)
		}
		req, _ := http.NewRequest("GET", "http://"+p.addr+"/api/files/"+up["blob"].(string), nil)
		req.Header.Set("Authorization", "Bearer "+cust.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if data, _ := io.ReadAll(res.Body); res.StatusCode != 200 || !bytes.Equal(data, pngBytes) {
			t.Fatalf("download after the kill: %d, %d bytes", res.StatusCode, len(data))
		}
	})
}

// loginAt logs an agent in at the server at addr and returns its token.
func loginAt(t *testing.T, addr, name, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	res, err := http.Post("http://"+addr+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %d %v", name, res.StatusCode, err)
	}
	return out.Token
}

// uploadAt uploads body as a file named name to conv at the server at addr.
func uploadAt(t *testing.T, addr, token, conv, name string, body []byte) (int, map[string]any) {
	t.Helper()
	u := "http://" + addr + "/api/uploads?" + url.Values{"conv": {conv}, "name": {name}}.Encode()
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	return sendJSON(t, req)
}
