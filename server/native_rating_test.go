package server

import (
	"context"
	"testing"
)

// TestNativeRating: a customer rates its conversation, while it is open and
// after it has ended, from the same socket and after coming back; nobody
// else can, and a refused rating changes nothing.
func TestNativeRating(t *testing.T) {
	ts := startServer(t, Config{})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)
	// The ack says the message is stored, and the conversation's record
	// with it: a rating needs the record.
	cust.post(conv, "my order is late", "")
	cust.expectMsg(conv, 1, cust.me, "my order is late")
	agent.expectMsg(conv, 1, cust.me, "my order is late")

	stored := func(t *testing.T, want int) {
		t.Helper()
		rec, err := ts.Store().Conversation(context.Background(), conv)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Rating; got != want {
			t.Fatalf("stored rating=%d, want %d", got, want)
		}
	}
	rate := func(t *testing.T, c *nclient, rating int) {
		t.Helper()
		c.send(obj{"type": "rate", "conv": conv, "rating": rating})
		r := c.expect("rated")
		if r.Conv != conv || r.Rating != rating {
			t.Fatalf("got %s, want rated %s %d", r.raw, conv, rating)
		}
		stored(t, rating)
	}

	t.Run("OKWhileOpen", func(t *testing.T) { rate(t, cust, 2) })
	t.Run("ErrAgent", func(t *testing.T) {
		agent.send(obj{"type": "rate", "conv": conv, "rating": 5})
		agent.expectError("forbidden")
		stored(t, 2)
	})
	t.Run("ErrOtherCustomer", func(t *testing.T) {
		other := ts.customerOnline(t, "Eve")
		other.send(obj{"type": "rate", "conv": conv, "rating": 1})
		other.expectError("unknown_conversation")
		other.send(obj{"type": "rate", "conv": "cv_nosuch", "rating": 1})
		other.expectError("unknown_conversation")
		stored(t, 2)
	})
	t.Run("ErrBadValue", func(t *testing.T) {
		cust.send(obj{"type": "rate", "conv": conv, "rating": 9})
		cust.expectError("bad_value")
		cust.send(obj{"type": "rate", "conv": conv})
		cust.expectError("missing_field")
		stored(t, 2)
	})
	// The end record the conversation writes keeps the rating.
	t.Run("OKAfterEnd", func(t *testing.T) {
		cust.send(obj{"type": "end", "conv": conv})
		cust.expect("ended")
		agent.expect("ended")
		stored(t, 2)
		rate(t, cust, 4)
		rec, err := ts.Store().Conversation(context.Background(), conv)
		if err != nil || rec.EndedAt.IsZero() || rec.EndReason != "customer_ended" {
			t.Fatalf("record=%+v, %v: want it ended by the customer still", rec, err)
		}
	})
	// A page reloaded on its "rate this chat" view has only its token and
	// the conversation's id.
	t.Run("OKAfterComingBack", func(t *testing.T) {
		back, _ := ts.customerResume(t, cust.token)
		rate(t, back, 5)
	})
}
