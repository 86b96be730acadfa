package clustertest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The checker's own tests: a clean run passes, and each planted fault (a
// stored row lost or changed, a client's log corrupted, a slot or a queue
// place broken) is caught by the check that owns it.

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// run is a small clean run: agent ag1 (capacity 1) serves cu1 in cv1, then
// cu2, who queued meanwhile, in cv2; ag2 (capacity 1) is idle. Each side
// sends two messages in cv1 and one in cv2.
type run struct {
	recs []*Record
	db   *Stored
}

func cleanRun() run {
	c1 := &Record{Client: "c1", Role: "customer", Party: "cu1",
		Sent: []Sent{{"cv1", "k-c1-1", "c1-1"}, {"cv1", "k-c1-2", "c1-2"}},
		Acks: []Ack{{"cv1", "k-c1-1", 1}, {"cv1", "k-c1-2", 3}},
		Received: []Received{
			{"cv1", 1, "cu1", "c1-1"}, {"cv1", 2, "ag1", "a1-1"}, {"cv1", 3, "cu1", "c1-2"}, {"cv1", 4, "ag1", "a1-2"},
		},
		Ends:    []End{{"cv1", "customer_ended"}},
		Conns:   []Conn{{Welcomed: at(-10), Lost: at(2)}, {Welcomed: at(3)}},
		Resumes: []Resume{{"cv1", at(2), at(3)}},
	}
	c2 := &Record{Client: "c2", Role: "customer", Party: "cu2",
		Sent:     []Sent{{"cv2", "k-c2-1", "c2-1"}},
		Acks:     []Ack{{"cv2", "k-c2-1", 1}},
		Received: []Received{{"cv2", 1, "cu2", "c2-1"}, {"cv2", 2, "ag1", "a1-3"}},
		Ends:     []End{{"cv2", "customer_ended"}},
		Conns:    []Conn{{Welcomed: at(-10)}},
	}
	a1 := &Record{Client: "a1", Role: "agent", Party: "ag1",
		Sent: []Sent{{"cv1", "k-a1-1", "a1-1"}, {"cv1", "k-a1-2", "a1-2"}, {"cv2", "k-a1-3", "a1-3"}},
		Acks: []Ack{{"cv1", "k-a1-1", 2}, {"cv1", "k-a1-2", 4}, {"cv2", "k-a1-3", 2}},
		Received: []Received{
			{"cv1", 1, "cu1", "c1-1"}, {"cv1", 2, "ag1", "a1-1"}, {"cv1", 3, "cu1", "c1-2"}, {"cv1", 4, "ag1", "a1-2"},
			{"cv2", 1, "cu2", "c2-1"}, {"cv2", 2, "ag1", "a1-3"},
		},
		Ends:  []End{{"cv1", "customer_ended"}, {"cv2", "customer_ended"}},
		Conns: []Conn{{Welcomed: at(-10)}},
	}
	db := &Stored{
		Messages: []StoredMsg{
			{"cv1", 1, "cu1", "k-c1-1", "c1-1", 1}, {"cv1", 2, "ag1", "k-a1-1", "a1-1", 1},
			{"cv1", 3, "cu1", "k-c1-2", "c1-2", 2}, {"cv1", 4, "ag1", "k-a1-2", "a1-2", 2},
			{"cv2", 1, "cu2", "k-c2-1", "c2-1", 1}, {"cv2", 2, "ag1", "k-a1-3", "a1-3", 1},
		},
		Convs: []StoredConv{
			{ID: "cv1", Customer: "cu1", Agent: "ag1", Ticket: 1, Ended: true, EndReason: "customer_ended"},
			{ID: "cv2", Customer: "cu2", Agent: "ag1", Ticket: 2, Ended: true, EndReason: "customer_ended"},
		},
		ConvEvents: []ConvEvent{
			{"cv1", kindAssigned, "ag1", at(0)}, {"cv1", kindEnded, "ag1", at(5)},
			{"cv2", kindAssigned, "ag1", at(5)}, {"cv2", kindEnded, "ag1", at(9)},
		},
		Routing: []RoutingEvent{
			{kindAssigned, "cu1", "ag1", "cv1", 1, at(0)},
			{kindQueued, "cu2", "", "", 2, at(1)},
			{kindEnded, "cu1", "ag1", "cv1", 1, at(5)},
			{kindAssigned, "cu2", "ag1", "cv2", 2, at(5)},
			{kindEnded, "cu2", "ag1", "cv2", 2, at(9)},
		},
		HasEpoch: true,
		Capacity: map[string]int{"ag1": 1, "ag2": 1},
	}
	return run{recs: []*Record{c1, c2, a1}, db: db}
}

func (r run) client(label string) *Record {
	for _, rec := range r.recs {
		if rec.Client == label {
			return rec
		}
	}
	panic("no client " + label)
}

func TestChecks(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r := cleanRun()
		report := Check(r.recs, r.db, DefaultLimits)
		if len(report.Problems) > 0 {
			t.Fatalf("a clean run has problems: %v", report.Problems)
		}
		if got, want := report.Resumes, 1; got != want {
			t.Errorf("resumes=%d, want %d", got, want)
		}
		if got, want := report.ResumeP99, time.Second; got != want {
			t.Errorf("p99=%v, want %v", got, want)
		}
	})
	t.Run("OKAwayCustomerPassedOver", func(t *testing.T) {
		// cu3 arrives after cu2 and is served first, but cu2 was away then:
		// the dispatcher passes over an away customer by design.
		r := cleanRun()
		r.client("c2").Conns = []Conn{{Welcomed: at(4.5)}}
		servedAhead(r)
		if p := Check(r.recs, r.db, DefaultLimits).Problems; len(p) > 0 {
			t.Fatalf("problems: %v", p)
		}
	})

	for _, tc := range []struct {
		name  string
		plant func(r run)
		want  string // in one of the problems
	}{
		{"ErrAckedNotStored", func(r run) { r.db.Messages = slices.Delete(r.db.Messages, 3, 4) }, "cv1/4, which is not stored"},
		{"ErrAckedOtherText", func(r run) { r.db.Messages[2].Text = "c1-x" }, `acknowledged at cv1/3, which holds "k-c1-2" ("c1-x")`},
		{"ErrAckOfNothingSent", func(r run) { r.client("c1").Sent = r.client("c1").Sent[:1] }, "for nothing it sent"},
		{"ErrSeqGap", func(r run) { r.db.Messages[5].Seq = 3 }, "cv2: stored seq 3 where 2 was due"},
		{"ErrClientIDTwice", func(r run) {
			r.db.Messages = append(r.db.Messages, StoredMsg{"cv1", 5, "cu1", "k-c1-1", "c1-1", 2})
		}, `cu1's client id "k-c1-1" stored twice, at seq 1 and 5`},
		{"ErrReceivedTwice", func(r run) {
			c := r.client("c1")
			c.Received = slices.Insert(c.Received, 2, c.Received[1])
		}, "c1: got cv1/2 after seq 2: a duplicate or a reordering"},
		{"ErrReceivedGap", func(r run) {
			a := r.client("a1")
			a.Received = slices.Delete(a.Received, 2, 3)
		}, "a1: got cv1/4 after seq 2: a gap"},
		{"ErrReceivedOtherText", func(r run) { r.client("a1").Received[4].Text = "c2-x" }, `a1: got cv2/1 "c2-x" from cu2, stored "c2-1"`},
		{"ErrEndedIncomplete", func(r run) {
			c := r.client("c2")
			c.Received = c.Received[:1]
		}, "c2: cv2 ended (customer_ended) after seq 1 of 2 stored"},
		{"ErrEndedFailed", func(r run) { r.client("c2").Ends[0].Reason = failed }, "c2: cv2 ended failed"},
		{"ErrStoredFailed", func(r run) { r.db.Convs[1].EndReason = failed }, "cv2 stored as ended failed"},
		{"ErrOverCapacity", func(r run) {
			r.db.ConvEvents = append(r.db.ConvEvents, ConvEvent{"cv3", kindAssigned, "ag1", at(2)}, ConvEvent{"cv3", kindEnded, "ag1", at(3)})
		}, "agent ag1 held 2 conversations"},
		{"ErrServedAhead", servedAhead, "cu3 (ticket 3) was served while cu2 (ticket 2, requeued false) waited connected"},
		{"ErrServedAheadOfRequeued", func(r run) {
			// cu1's conversation went back to the queue at 4 s instead of
			// ending: cu2, a first-time waiter, must not be served before it.
			r.db.Routing[2] = RoutingEvent{kindRequeued, "cu1", "ag1", "cv1", 1, at(4)}
		}, "cu2 (ticket 2) was served while cu1 (ticket 1, requeued true)"},
		{"ErrEpochDips", func(r run) { r.db.Messages[3].Epoch = 1; r.db.Messages[2].Epoch = 3 }, "cv1: seq 4 stored under epoch 1 after seq 3 under 3"},
		{"ErrResumeSlow", func(r run) {
			c := r.client("c1")
			c.Resumes = append(c.Resumes, Resume{"cv1", at(10), at(21)})
		}, "re-homing p99 11s over 2 resumes"},
		{"ErrResumeNever", func(r run) {
			c := r.client("c2")
			c.Resumes = append(c.Resumes, Resume{Conv: "cv2", Dropped: at(6)})
		}, "c2: cv2 dropped at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cleanRun()
			tc.plant(r)
			problems := Check(r.recs, r.db, DefaultLimits).Problems
			for _, p := range problems {
				if strings.Contains(p.Error(), tc.want) {
					return
				}
			}
			t.Fatalf("planted fault not caught: want a problem with %q, got %v", tc.want, problems)
		})
	}

	t.Run("OKNoEpochColumn", func(t *testing.T) {
		// Before the fencing slice messages.epoch does not exist: the
		// loader reads 0 for every row and the check has nothing to say.
		r := cleanRun()
		r.db.HasEpoch = false
		r.db.Messages[3].Epoch, r.db.Messages[2].Epoch = 1, 3
		if p := Check(r.recs, r.db, DefaultLimits).Problems; len(p) > 0 {
			t.Fatalf("problems: %v", p)
		}
	})
}

// servedAhead plants cu3, who queued after cu2 and was given ag2 at 3 s
// while cu2 still waited.
func servedAhead(r run) {
	r.db.Routing = slices.Insert(r.db.Routing, 2,
		RoutingEvent{kindQueued, "cu3", "", "", 3, at(1.5)},
		RoutingEvent{kindAssigned, "cu3", "ag2", "cv3", 3, at(3)})
}

// A customer whose node was paused counts as away from the pause on, even
// though its client's socket looked open until much later.
func TestFIFOOutage(t *testing.T) {
	at := func(s float64) time.Time { return time.Unix(1000, 0).Add(time.Duration(s * float64(time.Second))) }
	conns := []Conn{{Welcomed: at(0), Lost: at(20), Server: "n1"}}
	if got := lostAt(conns[0], nil); !got.Equal(at(20)) {
		t.Fatalf("no outage: lost at %v, want the client's %v", got, at(20))
	}
	if got := lostAt(conns[0], []Outage{{Server: "n1", From: at(5)}}); !got.Equal(at(5)) {
		t.Fatalf("paused at 5: lost at %v, want %v", got, at(5))
	}
	if got := lostAt(conns[0], []Outage{{Server: "n2", From: at(5)}}); !got.Equal(at(20)) {
		t.Fatalf("another node's outage: lost at %v, want %v", got, at(20))
	}
}
