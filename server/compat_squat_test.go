package server

import (
	"fmt"
	"testing"
	"time"

	"kefu/actors"
	"kefu/limit"
	"kefu/transport"
)

// Two client addresses, as a trusted proxy names them.
const (
	squatterAddr = "203.0.113.7"
	customerAddr = "198.51.100.1"
)

// roomLimits are the default reservation cap behind a trusted proxy, with
// every other limit off.
func roomLimits() transport.AbuseLimits {
	return only(func(l *transport.AbuseLimits) {
		l.RoomsPerIP, l.TrustProxy = transport.DefaultAbuseLimits().RoomsPerIP, true
	})
}

// TestGetRoomSquatting is issue 12, item 4: one address asking /getroom
// for squat0, squat1 and squat2 every 20 s kept all three tutorial agents
// reserved for minutes, and every real customer got {"room":false}.
func TestGetRoomSquatting(t *testing.T) {
	capPerIP := transport.DefaultAbuseLimits().RoomsPerIP
	t.Run("ErrOverCap", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: roomLimits()})
		agents := map[string]*client{}
		for _, name := range []string{"A0", "A1", "A2"} {
			agents[name] = onlineAgent(t, ts, name)
		}
		held := map[string]roomReply{}
		for round := range 3 { // asking again, as the squatter did
			for i := range 3 {
				name := fmt.Sprintf("squat%d", i)
				r := ts.getRoomFrom(t, name, squatterAddr)
				if first, ok := held[name]; ok && r != first {
					t.Fatalf("round %d: %s got %+v, want its first room %+v", round, name, r, first)
				}
				if r.Room {
					held[name] = r
				}
			}
		}
		if got, want := len(held), capPerIP; got != want {
			t.Fatalf("rooms held from one address=%d, want the cap %d", got, want)
		}
		if got, want := ts.Offences().Get(limit.Reservations), uint64(3*(3-capPerIP)); got != want {
			t.Fatalf("reservations_per_ip offences=%d, want %d", got, want)
		}
		// A customer from elsewhere gets a room, and chats in it.
		r := ts.getRoomFrom(t, "real", customerAddr)
		if !r.Room {
			t.Fatalf("real customer's getroom=%+v, want a room", r)
		}
		seat(t, ts, agents[r.KefuName], r.KefuName, "real")
	})
	t.Run("UsedRoomFreesTheCap", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: roomLimits()})
		a0, a1 := onlineAgent(t, ts, "A0"), onlineAgent(t, ts, "A1")
		agents := map[string]*client{"A0": a0, "A1": a1}
		for _, name := range []string{"B1", "B2"} {
			// One person after another behind the same address: each
			// uses their room before the next asks.
			r := ts.getRoomFrom(t, name, squatterAddr)
			if !r.Room {
				t.Fatalf("getroom %s=%+v, want a room", name, r)
			}
			cust := ts.dial(t, "yonghu", name)
			cust.expect(system, greeting(r.KefuName))
			agents[r.KefuName].expect(system, joined(name))
		}
	})
	t.Run("AgentLeftFreesTheCap", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: roomLimits()})
		a0 := onlineAgent(t, ts, "A0")
		if r := ts.getRoomFrom(t, "B1", squatterAddr); !r.Room {
			t.Fatalf("getroom=%+v, want a room", r)
		}
		a0.ws.Close()
		ts.waitStats(t, "agent and reservation gone", func(s actors.Stats) bool { return s == actors.Stats{} })
		a1 := onlineAgent(t, ts, "A1")
		seatFrom(t, ts, a1, "A1", "B2", squatterAddr)
	})
	t.Run("AskingAgainDoesNotExtend", func(t *testing.T) {
		// The squatter asks for its room far more often than the
		// reservation lasts, and a customer from elsewhere asks in
		// between. Were each ask to restart the reservation, it would
		// never lapse and the customer would never get the agent.
		ts := startServer(t, Config{ReservationTTL: 300 * time.Millisecond, Abuse: roomLimits()})
		agent := onlineAgent(t, ts, "A")
		if r := ts.getRoomFrom(t, "squat0", squatterAddr); !r.Room {
			t.Fatalf("squatter's getroom=%+v, want a room", r)
		}
		deadline := time.After(testWait)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for got := false; !got; {
			for range 3 {
				if got = ts.getRoomFrom(t, "real", customerAddr).Room; got {
					break
				}
			}
			if got {
				break
			}
			if r := ts.getRoomFrom(t, "squat0", squatterAddr); !r.Room {
				t.Fatalf("squatter's getroom=%+v while it holds nothing, want a room", r)
			}
			select {
			case <-deadline:
				t.Fatal("the customer never got the agent: asking again kept the squatter's reservation alive")
			case <-tick.C:
			}
		}
		cust := ts.dial(t, "yonghu", "real")
		cust.expect(system, greeting("A"))
		agent.expect(system, joined("real"))
	})
}

// seatFrom is seat with /getroom asked from addr.
func seatFrom(t *testing.T, ts *testServer, agent *client, agentName, customer, addr string) *client {
	t.Helper()
	if got, want := ts.getRoomFrom(t, customer, addr), (roomReply{Room: true, KefuName: agentName}); got != want {
		t.Fatalf("getroom=%+v, want %+v", got, want)
	}
	c := ts.dial(t, "yonghu", customer)
	c.expect(system, greeting(agentName))
	agent.expect(system, joined(customer))
	return c
}
