package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/actors"
)

// The tutorial's system notices, exactly.
func greeting(agent string) string  { return "客服-" + agent + "-将为您服务" }
func joined(customer string) string { return "用户-" + customer + "-已进入房间" }
func left(customer string) string   { return "用户-" + customer + "-已退出房间" }
func agentLeft(agent string) string { return "客服-" + agent + "-已退出房间" }

const system = "系统"

// onlineAgent connects an agent and waits until the dispatcher lists it.
func onlineAgent(t *testing.T, ts *testServer, name string) *client {
	t.Helper()
	before := ts.stats(t).Agents
	c := ts.dial(t, "kefu", name)
	ts.waitStats(t, "agent "+name+" online", func(s actors.Stats) bool { return s.Agents > before })
	return c
}

// seat reserves an agent for a customer and connects it, checking both
// greetings.
func seat(t *testing.T, ts *testServer, agent *client, agentName, customer string) *client {
	t.Helper()
	if got, want := ts.getRoom(t, customer), (roomReply{Room: true, KefuName: agentName}); got != want {
		t.Fatalf("getroom=%+v, want %+v", got, want)
	}
	c := ts.dial(t, "yonghu", customer)
	c.expect(system, greeting(agentName))
	agent.expect(system, joined(customer))
	return c
}

func TestGetRoom(t *testing.T) {
	t.Run("NoAgent", func(t *testing.T) {
		ts := startServer(t, Config{})
		if got, want := ts.getRoom(t, "B"), (roomReply{}); got != want {
			t.Fatalf("getroom=%+v, want %+v", got, want)
		}
	})
	t.Run("AnswersOnceExactly", func(t *testing.T) {
		ts := startServer(t, Config{})
		onlineAgent(t, ts, "A")
		res, err := http.Get("http://" + ts.Addr() + "/getroom?userName=B")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body := new(strings.Builder)
		if _, err := io.Copy(body, res.Body); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.TrimSpace(body.String()), `{"room":true,"kefuName":"A"}`; got != want {
			t.Fatalf("body=%s, want %s", got, want)
		}
		if got, want := res.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
			t.Fatalf("content-type=%q, want %q", got, want)
		}
	})
	t.Run("ErrNameRequired", func(t *testing.T) {
		ts := startServer(t, Config{})
		for _, q := range []string{"", "?userName=", "?userName=%20%20", "?userName=a%00b"} {
			res, err := http.Get("http://" + ts.Addr() + "/getroom" + q)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got, want := res.StatusCode, http.StatusBadRequest; got != want {
				t.Errorf("getroom%s status=%d, want %d", q, got, want)
			}
		}
	})
	t.Run("ErrDisguisedName", func(t *testing.T) {
		ts := startServer(t, Config{})
		onlineAgent(t, ts, "A")
		for name, want := range map[string]string{
			"evil\u202egnp.exe": "userName: name contains invisible character U+202E",
			"系\u200b统":          "userName: name contains invisible character U+200B",
			" B":                "userName: name starts or ends with white space",
		} {
			res, err := http.Get("http://" + ts.Addr() + "/getroom?userName=" + url.QueryEscape(name))
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Error string }
			err = json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			if got, want := res.StatusCode, http.StatusBadRequest; got != want || err != nil {
				t.Fatalf("getroom %q status=%d (%v), want %d", name, got, err, want)
			}
			if got := body.Error; got != want {
				t.Errorf("getroom %q error=%q, want %q", name, got, want)
			}
		}
		if got, want := ts.stats(t).Reservations, 0; got != want {
			t.Fatalf("reservations=%d, want %d", got, want)
		}
	})
	t.Run("TwoCustomersGetDifferentAgents", func(t *testing.T) {
		ts := startServer(t, Config{})
		onlineAgent(t, ts, "A1")
		onlineAgent(t, ts, "A2")
		r1, r2 := ts.getRoom(t, "B1"), ts.getRoom(t, "B2")
		if !r1.Room || !r2.Room || r1.KefuName == r2.KefuName {
			t.Fatalf("getroom B1=%+v B2=%+v, want two different agents", r1, r2)
		}
		if got, want := ts.getRoom(t, "B3"), (roomReply{}); got != want {
			t.Fatalf("third getroom=%+v, want %+v", got, want)
		}
	})
	t.Run("SameCustomerAskingTwiceKeepsAgent", func(t *testing.T) {
		ts := startServer(t, Config{})
		onlineAgent(t, ts, "A1")
		onlineAgent(t, ts, "A2")
		r1, r2 := ts.getRoom(t, "B"), ts.getRoom(t, "B")
		if r1 != r2 {
			t.Fatalf("getroom twice=%+v then %+v, want the same agent", r1, r2)
		}
		if got, want := ts.stats(t).FreeAgents, 1; got != want {
			t.Fatalf("free agents=%d, want %d", got, want)
		}
	})
}

func TestChat(t *testing.T) {
	ts := startServer(t, Config{})
	agent := onlineAgent(t, ts, "客服ABC")
	cust := seat(t, ts, agent, "客服ABC", "用户123")

	t.Run("CustomerToAgent", func(t *testing.T) {
		cust.say("你好")
		cust.expect("用户123", "你好") // the sender's own echo
		agent.expect("用户123", "你好")
	})
	t.Run("AgentToCustomer", func(t *testing.T) {
		agent.say("<b>请问</b> & \"quotes\"")
		agent.expect("客服ABC", "<b>请问</b> & \"quotes\"")
		cust.expect("客服ABC", "<b>请问</b> & \"quotes\"")
	})
	t.Run("ExactBytes", func(t *testing.T) {
		cust.say("<x>")
		_ = cust.ws.SetReadDeadline(time.Now().Add(testWait))
		_, data, err := cust.ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(data), `{"neiRong":"<x>","shuiFaDe":"用户123"}`; got != want {
			t.Fatalf("frame=%s, want %s", got, want)
		}
		agent.expect("用户123", "<x>")
	})
	t.Run("LastLineBeforeLeavingArrives", func(t *testing.T) {
		cust.say("bye")
		cust.ws.Close()
		agent.expect("用户123", "bye")
	})
	t.Run("CustomerLeavesAgentFreed", func(t *testing.T) {
		agent.expect(system, left("用户123"))
		ts.waitStats(t, "agent free again", func(s actors.Stats) bool { return s.FreeAgents == 1 && s.Customers == 0 })
		next := seat(t, ts, agent, "客服ABC", "用户456")
		next.say("again")
		next.expect("用户456", "again")
		agent.expect("用户456", "again")
	})
}

func TestAgentLeaves(t *testing.T) {
	t.Run("WithCustomer", func(t *testing.T) {
		ts := startServer(t, Config{})
		agent := onlineAgent(t, ts, "A")
		cust := seat(t, ts, agent, "A", "B")
		agent.ws.Close()
		cust.expect(system, agentLeft("A"))
		cust.expect("code", "close")
		cust.expectClosed(actors.DisconnectAgentLeft.Code, actors.DisconnectAgentLeft.Reason)
		ts.waitStats(t, "room gone", func(s actors.Stats) bool { return s == actors.Stats{} })
		if got, want := ts.getRoom(t, "C"), (roomReply{}); got != want {
			t.Fatalf("getroom after agent left=%+v, want %+v", got, want)
		}
	})
	t.Run("Alone", func(t *testing.T) {
		ts := startServer(t, Config{})
		agent := onlineAgent(t, ts, "A")
		agent.ws.Close()
		ts.waitStats(t, "room gone", func(s actors.Stats) bool { return s.Agents == 0 })
		// The same name may come back at once: nothing stale holds it.
		again := onlineAgent(t, ts, "A")
		seat(t, ts, again, "A", "B")
	})
	t.Run("WithReservation", func(t *testing.T) {
		ts := startServer(t, Config{})
		agent := onlineAgent(t, ts, "A")
		if got := ts.getRoom(t, "B"); !got.Room {
			t.Fatalf("getroom=%+v, want a room", got)
		}
		agent.ws.Close()
		ts.waitStats(t, "room and reservation gone", func(s actors.Stats) bool { return s == actors.Stats{} })
		cust := ts.dial(t, "yonghu", "B")
		cust.expectClosed(actors.DisconnectNoAgent.Code, actors.DisconnectNoAgent.Reason)
	})
}

func TestReservationExpires(t *testing.T) {
	ts := startServer(t, Config{ReservationTTL: 50 * time.Millisecond})
	agent := onlineAgent(t, ts, "A")
	if got := ts.getRoom(t, "B"); !got.Room {
		t.Fatalf("getroom=%+v, want a room", got)
	}
	if got, want := ts.stats(t).FreeAgents, 0; got != want {
		t.Fatalf("free agents while reserved=%d, want %d", got, want)
	}
	ts.waitStats(t, "reservation expired", func(s actors.Stats) bool { return s.FreeAgents == 1 && s.Reservations == 0 })
	// Another customer gets the agent; B, arriving late, finds none.
	seat(t, ts, agent, "A", "C")
	late := ts.dial(t, "yonghu", "B")
	late.expectClosed(actors.DisconnectNoAgent.Code, actors.DisconnectNoAgent.Reason)
}

func TestCustomerWithoutReservation(t *testing.T) {
	ts := startServer(t, Config{})
	t.Run("ErrNoAgent", func(t *testing.T) {
		c := ts.dial(t, "yonghu", "B")
		c.expectClosed(actors.DisconnectNoAgent.Code, actors.DisconnectNoAgent.Reason)
	})
	t.Run("TakesAFreeAgent", func(t *testing.T) {
		agent := onlineAgent(t, ts, "A")
		c := ts.dial(t, "yonghu", "B")
		c.expect(system, greeting("A"))
		agent.expect(system, joined("B"))
	})
}

func TestDuplicateName(t *testing.T) {
	ts := startServer(t, Config{})
	agent := onlineAgent(t, ts, "A")
	cust := seat(t, ts, agent, "A", "B")

	t.Run("ErrAgentNameTaken", func(t *testing.T) {
		impostor := ts.dial(t, "kefu", "A")
		impostor.expectClosed(actors.DisconnectNameTaken.Code, actors.DisconnectNameTaken.Reason)
	})
	t.Run("ErrCustomerNameTaken", func(t *testing.T) {
		onlineAgent(t, ts, "A2")
		impostor := ts.dial(t, "yonghu", "B")
		impostor.expectClosed(actors.DisconnectNameTaken.Code, actors.DisconnectNameTaken.Reason)
		if got, want := ts.getRoom(t, "B"), (roomReply{}); got != want {
			t.Fatalf("getroom for an online name=%+v, want %+v", got, want)
		}
	})
	t.Run("OriginalChatUntouched", func(t *testing.T) {
		cust.say("still here")
		cust.expect("B", "still here")
		agent.expect("B", "still here")
	})
}

func TestBadRequests(t *testing.T) {
	ts := startServer(t, Config{})
	cases := map[string]struct{ typ, name, reason string }{
		"ErrType":      {"admin", "A", "type must be kefu or yonghu"},
		"ErrNoType":    {"", "A", "type must be kefu or yonghu"},
		"ErrNoName":    {"kefu", "", "name is required"},
		"ErrBlankName": {"yonghu", "   ", "name is required"},
		"ErrLongName":  {"kefu", strings.Repeat("长", 65), "name is longer than 64 characters"},
		"ErrControl":   {"kefu", "a\nb", "name contains control character U+000A"},
		"ErrPadded":    {"kefu", " A ", "name starts or ends with white space"},
		// Names that would disguise themselves (issue 12, item 5): shown
		// as "evilexe.png", as the system sender 系统, as "Bob".
		"ErrBidiOverride":  {"yonghu", "evil\u202egnp.exe", "name contains invisible character U+202E"},
		"ErrZeroWidth":     {"kefu", "系\u200b统", "name contains invisible character U+200B"},
		"ErrByteOrderMark": {"yonghu", "\ufeffBob", "name contains invisible character U+FEFF"},
		"ErrTag":           {"kefu", "Bob\U000e0041", "name contains invisible character U+E0041"},
		"ErrSystemPadded":  {"kefu", "系统 ", "name starts or ends with white space"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := ts.dial(t, tc.typ, tc.name)
			c.expectClosed(actors.DisconnectBadRequest.Code, tc.reason)
		})
	}
	t.Run("ErrNotWebSocket", func(t *testing.T) {
		res, err := http.Get("http://" + ts.CompatAddr() + "/?type=kefu&name=A")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got, want := res.StatusCode, http.StatusBadRequest; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
	})
}

func TestMalformedFrames(t *testing.T) {
	ts := startServer(t, Config{})
	agent := onlineAgent(t, ts, "A")
	cust := seat(t, ts, agent, "A", "B")
	// A second conversation that must not notice anything.
	agent2 := onlineAgent(t, ts, "A2")
	cust2 := seat(t, ts, agent2, "A2", "B2")

	cases := map[string]struct {
		frame string
		code  string
	}{
		"ErrNotJSON":     {`hello`, actors.ErrCodeBadFrame},
		"ErrTruncated":   {`{"neiRong":"x`, actors.ErrCodeBadFrame},
		"ErrNoField":     {`{"text":"x"}`, actors.ErrCodeBadFrame},
		"ErrWrongType":   {`{"neiRong":42}`, actors.ErrCodeBadFrame},
		"ErrNull":        {`{"neiRong":null}`, actors.ErrCodeBadFrame},
		"ErrArray":       {`[1,2]`, actors.ErrCodeBadFrame},
		"ErrTwoObjects":  {`{"neiRong":"a"}{"neiRong":"b"}`, actors.ErrCodeBadFrame},
		"ErrEmpty":       {`{"neiRong":""}`, actors.ErrCodeEmptyText},
		"ErrBlank":       {`{"neiRong":"  \n "}`, actors.ErrCodeEmptyText},
		"ErrTooLong":     {`{"neiRong":"` + strings.Repeat("x", 9000) + `"}`, actors.ErrCodeTooLong},
		"ErrInvalidUTF8": {"{\"neiRong\":\"\xff\xfe\"}", actors.ErrCodeBadText},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cust.sendRaw(tc.frame)
			f := cust.next()
			if f.ShuiFaDe != system || !strings.HasPrefix(f.NeiRong, "错误：") || !strings.HasSuffix(f.NeiRong, "("+tc.code+")") {
				t.Fatalf("reply=%+v, want a system error line ending (%s)", f, tc.code)
			}
		})
	}
	t.Run("ErrBinary", func(t *testing.T) {
		if err := cust.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		f := cust.next()
		if f.ShuiFaDe != system || !strings.HasSuffix(f.NeiRong, "("+actors.ErrCodeBinary+")") {
			t.Fatalf("reply=%+v, want a binary-frame error line", f)
		}
	})
	t.Run("ConnectionStillWorks", func(t *testing.T) {
		cust.say("ok")
		cust.expect("B", "ok")
		agent.expect("B", "ok") // and the agent saw none of the bad frames
	})
	t.Run("OtherConversationUnaffected", func(t *testing.T) {
		cust2.say("fine")
		cust2.expect("B2", "fine")
		agent2.expect("B2", "fine")
	})
}

func TestOrigins(t *testing.T) {
	ts := startServer(t, Config{AllowedOrigins: []string{"https://shop.example.com"}})
	_, mainPort, _ := strings.Cut(ts.Addr(), ":")
	cases := map[string]struct {
		origin string
		ok     bool
	}{
		"NoOrigin":     {"", true},
		"PagesPort":    {"http://127.0.0.1:" + mainPort, true},
		"SameHost":     {"http://" + ts.CompatAddr(), true},
		"AllowListed":  {"https://shop.example.com", true},
		"ErrForeign":   {"http://evil.example.com", false},
		"ErrOtherPort": {"http://127.0.0.1:1", false},
		"ErrBadOrigin": {"::::", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			ws, res, err := websocket.DefaultDialer.Dial(ts.compatURL("kefu", "O-"+name), h)
			if tc.ok {
				if err != nil {
					t.Fatalf("dial with origin %q: %v", tc.origin, err)
				}
				ws.Close()
				return
			}
			if err == nil {
				ws.Close()
				t.Fatalf("dial with origin %q succeeded, want refusal", tc.origin)
			}
			if got, want := res.StatusCode, http.StatusForbidden; got != want {
				t.Fatalf("status=%d, want %d", got, want)
			}
		})
	}
}

func TestGracefulShutdown(t *testing.T) {
	ts := startServer(t, Config{})
	agent := onlineAgent(t, ts, "A")
	cust := seat(t, ts, agent, "A", "B")
	ts.stop()
	select {
	case err := <-ts.done:
		if err != nil {
			t.Fatalf("Run=%v, want nil", err)
		}
	case <-time.After(testWait):
		t.Fatal("Run did not return")
	}
	ts.done <- nil // for the cleanup
	for _, c := range []*client{agent, cust} {
		c.expectClosed(actors.DisconnectShutdown.Code, actors.DisconnectShutdown.Reason)
	}
	if _, err := http.Get("http://" + ts.Addr() + "/healthz"); err == nil {
		t.Fatal("main listener still answering after shutdown")
	}
}

func TestDispatcherLossStopsServer(t *testing.T) {
	ts := startServer(t, Config{})
	ts.Root().Stop(ts.Dispatcher(actors.PoolNative))
	select {
	case err := <-ts.done:
		if err == nil || !strings.Contains(err.Error(), "dispatcher stopped") {
			t.Fatalf("Run=%v, want a dispatcher-stopped error", err)
		}
	case <-time.After(testWait):
		t.Fatal("Run kept serving without a dispatcher")
	}
	ts.done <- nil // for the cleanup
}

func TestFrameTooLarge(t *testing.T) {
	ts := startServer(t, Config{})
	agent := onlineAgent(t, ts, "A")
	cust := seat(t, ts, agent, "A", "B")
	agent2 := onlineAgent(t, ts, "A2")
	cust2 := seat(t, ts, agent2, "A2", "B2")

	cust.sendRaw(`{"neiRong":"` + strings.Repeat("x", 70_000) + `"}`)
	cust.expectClosed(websocket.CloseMessageTooBig, "frame too large: limit 65536 bytes")
	agent.expect(system, left("B"))

	cust2.say("unaffected")
	cust2.expect("B2", "unaffected")
	agent2.expect("B2", "unaffected")
}

func TestReservedNames(t *testing.T) {
	ts := startServer(t, Config{})
	for _, name := range []string{"系统", "code"} {
		c := ts.dial(t, "kefu", name)
		c.expectClosed(actors.DisconnectBadRequest.Code, "name is reserved")
	}
	t.Run("KeptAsTyped", func(t *testing.T) {
		agent := onlineAgent(t, ts, "A  B")
		cust := seat(t, ts, agent, "A  B", "B")
		cust.say("hi")
		cust.expect("B", "hi")
		agent.expect("B", "hi")
	})
	t.Run("ErrHeadDoesNotReserve", func(t *testing.T) {
		res, err := http.Head("http://" + ts.Addr() + "/getroom?userName=C")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got, want := res.StatusCode, http.StatusMethodNotAllowed; got != want {
			t.Fatalf("HEAD status=%d, want %d", got, want)
		}
	})
}
