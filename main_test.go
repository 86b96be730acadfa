package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestBinarySIGTERM runs the real binary, connects a client and sends
// SIGTERM: the client must be told "going away" and the process exit 0.
func TestBinarySIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kefu")
	if out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-compat-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-data", t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// The start-up line names the ports the kernel chose.
	serving := regexp.MustCompile(`msg="kefu serving" addr=(\S+) compat_addr=(\S+)`)
	lines := bufio.NewScanner(stderr)
	var addr, compat string
	for lines.Scan() {
		if m := serving.FindStringSubmatch(lines.Text()); m != nil {
			addr, compat = m[1], m[2]
			break
		}
	}
	if addr == "" {
		t.Fatal("no 'kefu serving' line in the log")
	}
	// Keep the pipe drained, and keep the rest of the log for a failure.
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(stderr)
		rest <- string(b)
	}()

	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	res.Body.Close()

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+compat+"/?type=kefu&name=A", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("client read %v, want close 1001", err)
	}

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v, want status 0; log:\n%s", err, <-rest)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("kefu did not exit after SIGTERM")
	}
}

func TestRunFlags(t *testing.T) {
	t.Run("ErrUnknownCommand", func(t *testing.T) {
		if err := run(context.Background(), []string{"frobnicate"}, io.Discard); err == nil {
			t.Fatal("run(frobnicate)=nil, want an error")
		}
	})
	t.Run("ErrBadEnv", func(t *testing.T) {
		t.Setenv("KEFU_RESERVATION_TTL", "soon")
		err := run(context.Background(), []string{"serve"}, io.Discard)
		if err == nil || !regexp.MustCompile(`KEFU_RESERVATION_TTL="soon"`).MatchString(err.Error()) {
			t.Fatalf("run=%v, want an error naming KEFU_RESERVATION_TTL", err)
		}
	})
	t.Run("ErrBadStore", func(t *testing.T) {
		t.Setenv("KEFU_STORE", "mysql://db/kefu")
		err := run(context.Background(), []string{"serve", "-data", t.TempDir()}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-store") {
			t.Fatalf("run=%v, want an error naming -store", err)
		}
	})
	t.Run("EnvSetsFlag", func(t *testing.T) {
		// A port that cannot be bound proves the value came from the env.
		t.Setenv("KEFU_ADDR", "256.0.0.1:1")
		t.Setenv("KEFU_DATA", filepath.Join(t.TempDir(), "d"))
		err := run(context.Background(), []string{"serve"}, io.Discard)
		if err == nil || !regexp.MustCompile(`-addr`).MatchString(err.Error()) {
			t.Fatalf("run=%v, want a listen error for -addr", err)
		}
		if _, statErr := os.Stat(os.Getenv("KEFU_DATA")); statErr != nil {
			t.Fatalf("data dir not created from KEFU_DATA: %v", statErr)
		}
	})
}
