package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/limit"
	"kefu/transport"
)

// slowBodyLength is what a slow client announces: far more than it sends.
const slowBodyLength = 100_000

// trickle is how often a slow client sends one more byte of its body:
// often enough that no per-read timeout would ever fire.
const trickle = 100 * time.Millisecond

// slowPost connects to addr from local (nil: any address) and sends a POST
// to path announcing slowBodyLength bytes of body, then one byte every
// trickle until the server closes the connection or the test ends. A
// first request on the connection makes sure the server has accepted it
// (and counted it) before slowPost returns.
func slowPost(t *testing.T, addr, path string, local net.Addr) net.Conn {
	t.Helper()
	c, err := (&net.Dialer{LocalAddr: local}).Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(testWait))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: kefu\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("first request: %v", err)
	}
	res.Body.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: kefu\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", path, slowBodyLength)
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(trickle)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := c.Write([]byte(" ")); err != nil {
					return // closed, by either side
				}
			}
		}
	}()
	t.Cleanup(func() {
		close(done)
		c.Close()
		wg.Wait()
	})
	return c
}

// readAnswer reads one HTTP answer from c, then checks that the server
// closes c after it.
func readAnswer(t *testing.T, c net.Conn) (status int, header http.Header, body string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(testWait))
	r := bufio.NewReader(c)
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	if !res.Close {
		t.Fatal("the answer does not say Connection: close")
	}
	if _, err := r.ReadByte(); errors.Is(err, os.ErrDeadlineExceeded) || err == nil {
		t.Fatalf("after the answer: %v, want the connection closed", err)
	}
	return res.StatusCode, res.Header, string(b)
}

// getHealthz asks addr for /healthz over a new connection from local (nil:
// any address) and returns the status: that of the canned refusal when
// the connection is over a limit.
func getHealthz(addr string, local net.Addr) (int, error) {
	c, err := (&net.Dialer{LocalAddr: local}).Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testWait))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n"); err != nil {
		return 0, err
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// waitHealthz polls /healthz from local until it answers 200: a closed
// connection's count is released asynchronously.
func waitHealthz(t *testing.T, addr string, local net.Addr) {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		status, err := getHealthz(addr, local)
		if err == nil && status == http.StatusOK {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("/healthz: %d, %v; want 200", status, err)
		case <-tick.C:
		}
	}
}

// otherAddress is a loopback source address other than 127.0.0.1, to
// connect from a second client address; the test skips if it cannot be
// bound (Linux routes all of 127.0.0.0/8 to lo; others may not).
func otherAddress(t *testing.T) net.Addr {
	t.Helper()
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}
	ln, err := net.ListenTCP("tcp", a)
	if err != nil {
		t.Skipf("cannot use 127.0.0.2 as a second client address: %v", err)
	}
	ln.Close()
	return a
}

// expectRefused reads the canned answer of a connection refused over a
// limit, then the close.
func expectRefused(t *testing.T, addr string, status int, reason string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, h, body := readAnswer(t, c)
	if got != status || h.Get("Retry-After") != "10" {
		t.Fatalf("answer=%d Retry-After %q, want %d and 10", got, h.Get("Retry-After"), status)
	}
	if want := reason + "; try again in 10 s\n"; body != want {
		t.Fatalf("body=%q, want %q", body, want)
	}
}

func TestBodyTimeout(t *testing.T) {
	const bound = time.Second
	ts := startServer(t, Config{
		MetricsAddr: "127.0.0.1:0",
		Abuse:       only(func(l *transport.AbuseLimits) { l.BodyTimeout = bound }),
	})
	cases := []struct {
		name, addr, path string
		json             bool // the answer in the API's error shape
	}{
		{"Login", ts.Addr(), "/api/login", true},
		{"Logout", ts.Addr(), "/api/logout", true}, // reads no body
		{"Page", ts.Addr(), "/agent", false},       // 405: the pages take no POST
		{"Unknown", ts.Addr(), "/nowhere", false},  // 404
		{"Compat", ts.CompatAddr(), "/", false},    // not an upgrade: 400
		{"Metrics", ts.MetricsAddr(), "/healthz", false},
	}
	for _, tc := range cases {
		t.Run("Err"+tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			status, _, body := readAnswer(t, slowPost(t, tc.addr, tc.path, nil))
			took := time.Since(start)
			if status != http.StatusRequestTimeout {
				t.Fatalf("status=%d %q, want 408", status, body)
			}
			if took < bound {
				t.Fatalf("answered after %v, before the %v bound", took, bound)
			}
			want := "request body not received within 1s\n"
			if tc.json {
				want = `{"code":"body_timeout","error":"request body not received within 1s"}` + "\n"
			}
			if body != want {
				t.Fatalf("body=%q, want %q", body, want)
			}
		})
	}
	t.Cleanup(func() {
		if got, want := ts.Offences().Get(limit.BodyTimeout), uint64(len(cases)); got != want {
			t.Errorf("body_timeout offences=%d, want %d", got, want)
		}
	})
}

func TestBodyTooLarge(t *testing.T) {
	ts := startServer(t, Config{})
	for _, path := range []string{"/api/login", "/agent"} {
		big := `{"name":"` + strings.Repeat("a", 100_000) + `"}`
		res, err := http.Post("http://"+ts.Addr()+path, "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got, want := res.StatusCode, http.StatusRequestEntityTooLarge; got != want {
			t.Fatalf("POST %s of 100 kB: %d, want %d", path, got, want)
		}
	}
}

func TestConnLimits(t *testing.T) {
	t.Run("ErrPerAddress", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) { l.HTTPConnsPerIP = 2 })})
		other := otherAddress(t)
		first := slowPost(t, ts.Addr(), "/api/login", nil)
		slowPost(t, ts.CompatAddr(), "/", nil) // one count across both listeners
		for _, addr := range []string{ts.Addr(), ts.CompatAddr()} {
			expectRefused(t, addr, http.StatusTooManyRequests, "too many HTTP connections open from your address (limit 2)")
		}
		if got, want := ts.Offences().Get(limit.HTTPConns), uint64(2); got != want {
			t.Fatalf("http_conns offences=%d, want %d", got, want)
		}
		// Another address is served while this one is at its limit.
		if status, err := getHealthz(ts.Addr(), other); err != nil || status != http.StatusOK {
			t.Fatalf("/healthz from another address: %d, %v; want 200", status, err)
		}
		// A connection that closes makes room, once the server has let it
		// go.
		first.Close()
		waitHealthz(t, ts.Addr(), nil)
	})
	t.Run("OKWebSocketsApart", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) { l.HTTPConnsPerIP = 1 })})
		// Each upgrade takes the address's one HTTP connection and gives
		// it back as it becomes a socket.
		for range 3 {
			ts.dialNative(t)
			ts.dial(t, "yonghu", "B")
		}
		waitHealthz(t, ts.Addr(), nil)
	})
	t.Run("OKTrustProxy", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.HTTPConnsPerIP, l.TrustProxy = 1, true
		})})
		// Behind a proxy every client is the proxy's address.
		slowPost(t, ts.Addr(), "/api/login", nil)
		waitHealthz(t, ts.Addr(), nil)
	})
	t.Run("ErrAll", func(t *testing.T) {
		ts := startServer(t, Config{MetricsAddr: "127.0.0.1:0", Abuse: only(func(l *transport.AbuseLimits) { l.MaxConns = 3 })})
		first := slowPost(t, ts.Addr(), "/api/login", nil)
		ts.dialNative(t) // sockets count too
		slowPost(t, ts.CompatAddr(), "/", nil)
		for _, addr := range []string{ts.Addr(), ts.CompatAddr()} {
			expectRefused(t, addr, http.StatusServiceUnavailable, "server busy: too many connections open")
		}
		if got, want := ts.Offences().Get(limit.Conns), uint64(2); got != want {
			t.Fatalf("conns offences=%d, want %d", got, want)
		}
		// The monitoring network's listener is not counted.
		waitHealthz(t, ts.MetricsAddr(), nil)
		first.Close()
		waitHealthz(t, ts.Addr(), nil)
	})
}
