package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/transport"
)

// TestStuckClientSlowsNobody: a native customer that stops reading is
// flooded by its agent until its bounded queue fills and it is cut off
// (4008); meanwhile other conversations keep their round trips. None of
// theirs may take as long as the stuck socket's write deadline: had
// anything waited on the stuck client, it would.
func TestStuckClientSlowsNobody(t *testing.T) {
	limits := transport.DefaultNativeLimits()
	limits.SendQueueBytes = 64 << 10 // eight of the 8 KB lines below
	limits.WriteWait = 3 * time.Second
	ts := startServer(t, Config{NativeSockets: limits}) // no grace: a cut-off customer has left

	flooder := ts.agentOnline(t, ts.addAgent(t, "Flooder", 1))
	stuck := ts.customerOnline(t, "Stuck") // reads nothing after its conversation starts
	stuckConv := assign(t, flooder, stuck)

	type pair struct {
		agent, cust *nclient
		conv        string
	}
	pairs := make([]pair, 5)
	for i := range pairs {
		a := ts.agentOnline(t, ts.addAgent(t, fmt.Sprint("Other", i), 1))
		c := ts.customerOnline(t, fmt.Sprint("Busy", i))
		pairs[i] = pair{agent: a, cust: c, conv: assign(t, a, c)}
	}

	line := strings.Repeat("满", 2700) // about 8 KB of UTF-8
	var rtts []time.Duration
	seq := uint64(0)
	for i := 0; ; i++ {
		if i == 4000 {
			t.Fatal("the stuck customer was never cut off")
		}
		flooder.post(stuckConv, line, "")
		if ended := floodAnswer(t, flooder); ended {
			break
		}
		// One round trip in every other conversation.
		seq += 2
		for _, p := range pairs {
			start := time.Now()
			p.cust.post(p.conv, "ping", "")
			p.agent.expectMsg(p.conv, seq-1, p.cust.me, "ping")
			p.agent.post(p.conv, "pong", "")
			p.cust.expectMsg(p.conv, seq-1, p.cust.me, "ping")
			p.cust.expectMsg(p.conv, seq, p.agent.me, "pong")
			p.agent.expectMsg(p.conv, seq, p.agent.me, "pong")
			rtts = append(rtts, time.Since(start))
		}
	}
	if len(rtts) == 0 {
		t.Fatal("no round trips ran while the customer was stuck")
	}
	slices.Sort(rtts)
	worst := rtts[len(rtts)-1]
	t.Logf("%d round trips while one client was stuck: median %v, worst %v", len(rtts), rtts[len(rtts)/2], worst)
	if worst >= limits.WriteWait {
		t.Fatalf("a round trip took %v, as long as the stuck write's deadline: it waited on the stuck client", worst)
	}
}

// floodAnswer reads the flooder's frames for its last message: its echo
// and ack, or the end of the conversation when the stuck customer was cut
// off (reason customer_left, since there is no grace). A line that
// crossed the end is refused conversation_ended, and the end follows.
func floodAnswer(t *testing.T, agent *nclient) (ended bool) {
	t.Helper()
	for got := 0; got < 2; got++ {
		switch f := agent.next(); f.Type {
		case "error":
			if f.Code != "conversation_ended" {
				t.Fatalf("flooder got %s", f.raw)
			}
			got-- // not an answer to count: the end is on its way
		case "ack", "msg":
		case "ended":
			if f.Reason != "customer_left" {
				t.Fatalf("conversation ended with %s, want customer_left", f.raw)
			}
			return true
		default:
			t.Fatalf("flooder got %s", f.raw)
		}
	}
	return false
}
