package server

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"kefu/limit"
	"kefu/transport"
)

// perHour is a rate slow enough that no bucket refills during a test.
var perHour = rate.Every(time.Hour)

// only returns the abuse limits with every one off but those set sets.
func only(set func(*transport.AbuseLimits)) transport.AbuseLimits {
	l := transport.NoAbuseLimits()
	set(&l)
	return l
}

const rateLimitedLine = "错误：too many frames, this one was dropped: slow down (rate_limited)"

func TestFrameRate(t *testing.T) {
	t.Run("ErrNative", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.Frames, l.FrameRefusals = limit.Rate{Limit: perHour, Burst: 3}, 10
		})})
		c := ts.customerOnline(t, "Bob") // hello: the first frame of three
		c.alive()
		c.alive()
		c.send(obj{"type": "msg", "conv": "cv_none", "text": "hi", "cid": "c-1"})
		if got, want := c.expectError("rate_limited").CID, "c-1"; got != want {
			t.Fatalf("refused msg's cid=%q, want %q: the sender must know which to send again", got, want)
		}
		c.send(obj{"type": "ping"})
		if e := c.expectError("rate_limited"); e.CID != "" || e.Message != "too many frames, this one was dropped: slow down" {
			t.Fatalf("refused ping: %s", e.raw)
		}
		if got, want := ts.Offences().Get(limit.FrameRate), uint64(2); got != want {
			t.Fatalf("frame_rate offences=%d, want %d", got, want)
		}
	})
	t.Run("ErrNativeClosed", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.Frames, l.FrameRefusals = limit.Rate{Limit: perHour, Burst: 1}, 3
		})})
		c := ts.customerOnline(t, "Bob")
		for range 5 {
			// The server may hang up before the last of these.
			_ = c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
		}
		for range 3 {
			c.expectError("rate_limited")
		}
		c.expectClosed(websocket.ClosePolicyViolation, "too many frames: rate limit exceeded")
		if got, want := ts.Offences().Get(limit.FrameFlood), uint64(1); got != want {
			t.Fatalf("frame_flood offences=%d, want %d", got, want)
		}
	})
	t.Run("ErrCompat", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.Frames, l.FrameRefusals = limit.Rate{Limit: perHour, Burst: 2}, 2
		})})
		a := ts.dial(t, "kefu", "A")
		a.say("one")
		a.expect("A", "one") // an agent alone hears its own lines
		a.say("two")
		a.expect("A", "two")
		a.say("three")
		a.expect("系统", rateLimitedLine)
		a.say("four")
		a.expect("系统", rateLimitedLine)
		a.say("five")
		a.expectClosed(websocket.ClosePolicyViolation, "too many frames: rate limit exceeded")
	})
}

// dialStatus opens a WebSocket at url with header and returns the HTTP
// answer of a refused upgrade, or 101 and the open socket.
func dialStatus(t *testing.T, u string, header http.Header) (status int, retryAfter, body string, ws *websocket.Conn) {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(u, header)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
		return res.StatusCode, "", "", ws
	}
	if res == nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), string(b), nil
}

func TestUpgradeLimits(t *testing.T) {
	t.Run("ErrRate", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.Upgrades = limit.Rate{Limit: perHour, Burst: 2}
		})})
		ws := "ws://" + ts.Addr() + "/ws"
		for i := range 2 {
			if status, _, body, _ := dialStatus(t, ws, nil); status != http.StatusSwitchingProtocols {
				t.Fatalf("upgrade %d=%d %q, want 101", i+1, status, body)
			}
		}
		// The budget is the address's, on every socket endpoint.
		for _, u := range []string{ws, ts.compatURL("kefu", "A"), "ws://" + ts.Addr() + "/compat?type=kefu&name=A"} {
			status, retry, body, _ := dialStatus(t, u, nil)
			if status != http.StatusTooManyRequests {
				t.Fatalf("%s: upgrade=%d, want 429", u, status)
			}
			if secs, err := strconv.Atoi(retry); err != nil || secs < 1 {
				t.Fatalf("%s: Retry-After=%q, want whole seconds", u, retry)
			}
			if want := "too many new connections from your address; try again in " + retry + " s\n"; body != want {
				t.Fatalf("%s: body=%q, want %q", u, body, want)
			}
		}
		if got, want := ts.Offences().Get(limit.UpgradeRate), uint64(3); got != want {
			t.Fatalf("upgrade_rate offences=%d, want %d", got, want)
		}
	})
	t.Run("ErrOpen", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) { l.SocketsPerIP = 2 })})
		first := ts.dial(t, "kefu", "A")
		ts.dial(t, "kefu", "B")
		status, retry, body, _ := dialStatus(t, ts.compatURL("kefu", "C"), nil)
		if status != http.StatusTooManyRequests || retry != "10" {
			t.Fatalf("third socket: %d Retry-After %q, want 429 and 10", status, retry)
		}
		if want := "too many connections open from your address (limit 2); try again in 10 s\n"; body != want {
			t.Fatalf("body=%q, want %q", body, want)
		}
		// A socket that closes makes room, once the server has let it go.
		first.ws.Close()
		deadline := time.After(testWait)
		tick := time.NewTicker(5 * time.Millisecond) // the release is asynchronous: poll it
		defer tick.Stop()
		for {
			status, _, _, _ := dialStatus(t, ts.compatURL("kefu", "C"), nil)
			if status == http.StatusSwitchingProtocols {
				break
			}
			select {
			case <-deadline:
				t.Fatalf("still %d after a socket closed, want room for one more", status)
			case <-tick.C:
			}
		}
	})
	t.Run("OKTrustProxy", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.SocketsPerIP, l.TrustProxy = 1, true
		})})
		ws := "ws://" + ts.Addr() + "/ws"
		from := func(xff string) http.Header { return http.Header{"X-Forwarded-For": {xff}} }
		if status, _, _, _ := dialStatus(t, ws, from("203.0.113.1")); status != http.StatusSwitchingProtocols {
			t.Fatalf("203.0.113.1: %d, want 101", status)
		}
		// Only the last entry counts: the one the proxy added.
		if status, _, _, _ := dialStatus(t, ws, from("203.0.113.1, 198.51.100.7")); status != http.StatusSwitchingProtocols {
			t.Fatalf("…, 198.51.100.7: %d, want 101", status)
		}
		if status, _, _, _ := dialStatus(t, ws, from("198.51.100.7, 203.0.113.1")); status != http.StatusTooManyRequests {
			t.Fatalf("…, 203.0.113.1 again: %d, want 429", status)
		}
	})
	t.Run("OKProxyNotTrusted", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) { l.SocketsPerIP = 1 })})
		ws := "ws://" + ts.Addr() + "/ws"
		dialStatus(t, ws, http.Header{"X-Forwarded-For": {"203.0.113.1"}})
		if status, _, _, _ := dialStatus(t, ws, http.Header{"X-Forwarded-For": {"203.0.113.2"}}); status != http.StatusTooManyRequests {
			t.Fatalf("second socket from 127.0.0.1 claiming another address: %d, want 429", status)
		}
	})
}

func TestTextLimit(t *testing.T) {
	ts := startServer(t, Config{MaxTextBytes: 10})
	// The limit is a flag: pages learn it from welcome, to stop a long
	// text before it is sent.
	t.Run("WelcomeSaysOK", func(t *testing.T) {
		a := ts.addAgent(t, "Carol", 3)
		for _, hello := range []obj{
			{"type": "hello", "v": 1, "role": "agent", "token": a.Token},
			{"type": "hello", "v": 1, "role": "customer", "name": "Dan"},
		} {
			_, w := ts.hello(t, hello)
			if got, want := w.MaxText, 10; got != want {
				t.Fatalf("%s welcome maxTextBytes=%d, want %d", hello["role"], got, want)
			}
		}
	})
	t.Run("ErrNative", func(t *testing.T) {
		agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
		cust := ts.customerOnline(t, "Bob")
		conv := assign(t, agent, cust)
		cid := cust.post(conv, "ééééé", "") // ten bytes, five characters
		if got, want := cust.expect("ack", "msg").CID, cid; got != want {
			t.Fatalf("ack cid=%q, want %q", got, want)
		}
		before := ts.Offences().Get(limit.TextLength)
		cid = cust.post(conv, "0123456789x", "")
		if got, want := cust.expectError("text_too_long").CID, cid; got != want {
			t.Fatalf("error cid=%q, want %q", got, want)
		}
		if got, want := ts.Offences().Get(limit.TextLength)-before, uint64(1); got != want {
			t.Fatalf("text_length offences counted %d, want %d", got, want)
		}
	})
	t.Run("ErrCompat", func(t *testing.T) {
		a := ts.dial(t, "kefu", "A")
		a.say("0123456789")
		a.expect("A", "0123456789")
		a.say("0123456789x")
		a.expect("系统", "错误：message is too long (text_too_long)")
	})
	t.Run("ErrOverFrame", func(t *testing.T) {
		if _, err := New(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxTextBytes: MaxTextBytesCap + 1}); err == nil || !strings.Contains(err.Error(), "text limit") {
			t.Fatalf("New=%v, want a text limit error", err)
		}
	})
}

func TestCapacityCap(t *testing.T) {
	ts := startServer(t, Config{MaxCapacity: 4})
	a := ts.addAgent(t, "Alice", 10) // stored before the cap was lowered

	t.Run("OKStoredAboveCap", func(t *testing.T) {
		_, w := ts.hello(t, obj{"type": "hello", "v": 1, "role": "agent", "token": a.Token})
		if got, want := w.Capacity, 4; got != want {
			t.Fatalf("welcome capacity=%d, want the cap %d", got, want)
		}
		status, body := ts.login(t, encodeJSON(t, obj{"name": "Alice", "password": testPassword}))
		var r loginBody
		decode(t, body, &r)
		if status != http.StatusOK || r.Agent.Capacity != 4 {
			t.Fatalf("login=%d capacity %d, want 200 and the cap 4", status, r.Agent.Capacity)
		}
	})
	t.Run("ErrFrameOverCap", func(t *testing.T) {
		c := ts.agentOnline(t, a)
		c.send(obj{"type": "capacity", "capacity": 4})
		if got, want := c.expect("state").Capacity, 4; got != want {
			t.Fatalf("state capacity=%d, want %d", got, want)
		}
		c.send(obj{"type": "capacity", "capacity": 5})
		if got, want := c.expectError("bad_value").Message, "capacity must be between 1 and 4"; got != want {
			t.Fatalf("error=%q, want %q", got, want)
		}
		if got, want := ts.Offences().Get(limit.Capacity), uint64(1); got != want {
			t.Fatalf("capacity offences=%d, want %d", got, want)
		}
	})
	t.Run("ErrAPIOverCap", func(t *testing.T) {
		boss := ts.supervisorToken(t)
		status, body := ts.api(t, "POST", "/api/agents", boss, `{"name":"big","password":"`+testPassword+`","capacity":5}`)
		if status != http.StatusBadRequest || body["code"] != "bad_value" || body["error"] != "capacity must be between 1 and 4" {
			t.Fatalf("create=%d %v, want 400 bad_value capacity must be between 1 and 4", status, body)
		}
		status, body = ts.api(t, "POST", "/api/agents", boss, `{"name":"fits","password":"`+testPassword+`","capacity":4}`)
		if status != http.StatusCreated {
			t.Fatalf("create at the cap=%d %v, want 201", status, body)
		}
	})
}
