package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Issue #12's attack, measured on the real binary: a customer fills its
// own conversation with texts that JSON makes six times longer, then has
// it sent again and again by sockets that take its place and never read.
// It takes minutes (the filling keeps to the default frame rate), so it
// runs only when asked, and reports the server's memory:
//
//	KEFU_HISTORY_ATTACK=1 go test -run TestHistoryAttackRSS -v ./server
//
// KEFU_BIN names a binary to attack instead of building this tree's
// (for example an older kefu, to compare); KEFU_ATTACK_MAX_MIB fails the
// run if RSS grows by more (default 150).
const (
	attackTexts     = 800
	attackTextBytes = 8192
	attackTakeovers = 30
	attackEvery     = time.Second / 5 // 5 takeovers a second
	// attackPace keeps the filling under the default frame rate (20/s).
	attackPace = time.Second / 18
	// attackSettle is how long RSS is watched after the last takeover.
	attackSettle = 15 * time.Second
)

func TestHistoryAttackRSS(t *testing.T) {
	if os.Getenv("KEFU_HISTORY_ATTACK") == "" {
		t.Skip("set KEFU_HISTORY_ATTACK=1 to run the attack (minutes)")
	}
	bin := os.Getenv("KEFU_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "kefu")
		if out, err := exec.Command("go", "build", "-o", bin, "kefu").CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	maxMiB := 150
	if v := os.Getenv("KEFU_ATTACK_MAX_MIB"); v != "" {
		maxMiB, _ = strconv.Atoi(v)
	}
	dir := t.TempDir()
	const password = "attack test password"
	add := exec.Command(bin, "agent", "add", "Alice", "-capacity", "1", "-password-stdin", "-data", dir)
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("kefu agent add: %v\n%s", err, out)
	}
	p := startAttacked(t, bin, dir)
	base := p.addr
	rss := func() int64 {
		t.Helper()
		f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
		if err != nil {
			t.Fatalf("read RSS: %v", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				return kb << 10
			}
		}
		t.Fatal("no VmRSS")
		return 0
	}

	// The agent: logged in over HTTP, online, reading everything.
	body, _ := json.Marshal(map[string]string{"name": "Alice", "password": password})
	res, err := http.Post("http://"+base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&login); err != nil || login.Token == "" {
		t.Fatalf("login: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	dial := func(hello map[string]any) *websocket.Conn {
		t.Helper()
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+base+"/ws", nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		t.Cleanup(func() { ws.Close() })
		hello["type"], hello["v"] = "hello", 1
		if err := ws.WriteJSON(hello); err != nil {
			t.Fatal(err)
		}
		return ws
	}
	type frame struct {
		Type, Conv, Token, Code string
		Seq                     uint64
	}
	// drain reads ws until it closes and reports each frame to seen; with
	// pong, it answers heartbeats (then it must be ws's only writer).
	drain := func(ws *websocket.Conn, pong bool, seen func(frame)) {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f frame
			_ = json.Unmarshal(data, &f)
			if pong && f.Type == "ping" {
				_ = ws.WriteJSON(map[string]string{"type": "pong"})
			}
			seen(f)
		}
	}
	agent := dial(map[string]any{"role": "agent", "token": login.Token})
	go drain(agent, true, func(frame) {})

	// The customer: gets Alice, then fills the conversation at the
	// default rate, reading its acks as they come (its messages keep it
	// alive: no pongs).
	cust := dial(map[string]any{"role": "customer", "name": "Filler"})
	opened := make(chan frame, 1)
	welcomed := make(chan string, 1)
	var acked atomic.Int64
	var refused atomic.Int64
	go drain(cust, false, func(f frame) {
		switch f.Type {
		case "welcome":
			welcomed <- f.Token
		case "conv":
			opened <- f
		case "ack":
			acked.Add(1)
		case "error":
			refused.Add(1)
		}
	})
	token := <-welcomed
	if err := cust.WriteJSON(map[string]string{"type": "request"}); err != nil {
		t.Fatal(err)
	}
	var conv string
	select {
	case f := <-opened:
		conv = f.Conv
	case <-time.After(testWait):
		t.Fatal("no conversation")
	}
	text := strings.Repeat("\x01", attackTextBytes)
	fillStart := time.Now()
	tick := time.NewTicker(attackPace)
	for i := range attackTexts {
		<-tick.C
		if err := cust.WriteJSON(map[string]string{"type": "msg", "conv": conv, "text": text, "cid": fmt.Sprint("fill-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	for acked.Load() < attackTexts {
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d texts acknowledged (%d refused)", acked.Load(), attackTexts, refused.Load())
		case <-poll.C:
		}
	}
	t.Logf("filled: %d texts of %d bytes in %v", attackTexts, attackTextBytes, time.Since(fillStart).Round(time.Second))

	// The takeovers: each says hello with the customer's token and no
	// resume, so the server sends the conversation, and never reads.
	before := rss()
	peak := before
	pace := time.NewTicker(attackEvery) // the attack's pace
	for range attackTakeovers {
		dial(map[string]any{"role": "customer", "token": token})
		<-pace.C
		peak = max(peak, rss())
	}
	pace.Stop()
	sample := time.NewTicker(100 * time.Millisecond)
	defer sample.Stop()
	for settled := time.After(attackSettle); ; {
		select {
		case <-sample.C:
			peak = max(peak, rss())
			continue
		case <-settled:
		}
		break
	}
	after := rss()
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	t.Logf("RSS before the takeovers %.1f MiB, peak %.1f MiB (+%.1f MiB), %v after the last %.1f MiB",
		mib(before), mib(peak), mib(peak-before), attackSettle, mib(after))
	if grew := mib(peak - before); grew > float64(maxMiB) {
		t.Errorf("RSS grew by %.1f MiB, want at most %d", grew, maxMiB)
	}
}

// startAttacked starts kefu serve as startKefu does, but with every limit
// at its default, the grace included; only the metrics listener is off,
// so that runs side by side do not fight over its port.
func startAttacked(t *testing.T, bin, dir string) *kefuProc {
	t.Helper()
	return startKefuArgs(t, bin, "-addr", "127.0.0.1:0", "-compat-addr", "", "-metrics-addr", "", "-data", dir)
}
