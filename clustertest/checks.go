package clustertest

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Limits are the bounds the checks hold a run to.
type Limits struct {
	// ResumeP99 bounds the 99th percentile of Resume.Took: re-homing a
	// conversation after a drop (issue 16: under 10 s).
	ResumeP99 time.Duration
	// Presence is how long before and after an assignment a customer must
	// have been connected for the FIFO check to count it as waiting there:
	// the dispatcher admits a connection before the client reads its
	// welcome, and learns of a drop after the client does.
	Presence time.Duration
	// Outages are the nodes that stopped serving during the run: a
	// customer connected to one counts as away from the outage's start.
	Outages []Outage
}

// DefaultLimits are the issue's.
var DefaultLimits = Limits{ResumeP99: 10 * time.Second, Presence: time.Second}

// Report is what Check found.
type Report struct {
	Problems  []error
	Resumes   int
	ResumeP99 time.Duration
}

// Check runs every check on the clients' records and the database.
func Check(recs []*Record, db *Stored, lim Limits) Report {
	var r Report
	for _, check := range []func() []error{
		func() []error { return checkAcksStored(recs, db) },
		func() []error { return checkSeqs(db) },
		func() []error { return checkClientIDs(db) },
		func() []error { return checkReceived(recs, db) },
		func() []error { return checkNotFailed(recs, db) },
		func() []error { return checkCapacity(db) },
		func() []error { return checkFIFO(recs, db, lim.Presence, lim.Outages) },
		func() []error { return checkEpochs(db) },
	} {
		r.Problems = append(r.Problems, check()...)
	}
	var errs []error
	r.Resumes, r.ResumeP99, errs = checkResumes(recs, lim.ResumeP99)
	r.Problems = append(r.Problems, errs...)
	return r
}

// msgKey names a stored message.
type msgKey struct {
	conv string
	seq  uint64
}

func byKey(db *Stored) map[msgKey]StoredMsg {
	m := make(map[msgKey]StoredMsg, len(db.Messages))
	for _, s := range db.Messages {
		m[msgKey{s.Conv, s.Seq}] = s
	}
	return m
}

// checkAcksStored: every acknowledged message is stored at the seq its ack
// gave, with the text and client id sent, from the client that sent it.
func checkAcksStored(recs []*Record, db *Stored) []error {
	stored := byKey(db)
	var errs []error
	for _, r := range recs {
		sent := make(map[string]Sent, len(r.Sent))
		for _, s := range r.Sent {
			sent[s.CID] = s
		}
		for _, a := range r.Acks {
			s, ok := sent[a.CID]
			m, there := stored[msgKey{a.Conv, a.Seq}]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: ack of %q at %s/%d for nothing it sent", r.Client, a.CID, a.Conv, a.Seq))
			case s.Conv != a.Conv:
				errs = append(errs, fmt.Errorf("%s: %q sent to %s, acknowledged in %s", r.Client, a.CID, s.Conv, a.Conv))
			case !there:
				errs = append(errs, fmt.Errorf("%s: %q acknowledged at %s/%d, which is not stored", r.Client, a.CID, a.Conv, a.Seq))
			case m.CID != a.CID || m.Text != s.Text || m.Sender != r.Party:
				errs = append(errs, fmt.Errorf("%s: %q (%q) acknowledged at %s/%d, which holds %q (%q) from %s", r.Client, a.CID, s.Text, a.Conv, a.Seq, m.CID, m.Text, m.Sender))
			}
		}
	}
	return errs
}

// perConv groups the stored messages by conversation, in seq order.
func perConv(db *Stored) map[string][]StoredMsg {
	out := map[string][]StoredMsg{}
	for _, m := range db.Messages {
		out[m.Conv] = append(out[m.Conv], m)
	}
	for _, ms := range out {
		slices.SortFunc(ms, func(a, b StoredMsg) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	return out
}

// checkSeqs: each conversation's seqs are 1..max, no gap, none twice.
func checkSeqs(db *Stored) []error {
	var errs []error
	for conv, ms := range perConv(db) {
		for i, m := range ms {
			if want := uint64(i + 1); m.Seq != want {
				errs = append(errs, fmt.Errorf("%s: stored seq %d where %d was due: a gap or a seq twice", conv, m.Seq, want))
				break
			}
		}
	}
	return errs
}

// checkClientIDs: no (conv, sender, client id) is stored twice.
func checkClientIDs(db *Stored) []error {
	type key struct{ conv, sender, cid string }
	first := map[key]uint64{}
	var errs []error
	for _, m := range db.Messages {
		k := key{m.Conv, m.Sender, m.CID}
		if seq, twice := first[k]; twice {
			errs = append(errs, fmt.Errorf("%s: %s's client id %q stored twice, at seq %d and %d", m.Conv, m.Sender, m.CID, seq, m.Seq))
			continue
		}
		first[k] = m.Seq
	}
	return errs
}

// completeEnds are the reasons after which a client must have had the
// whole conversation: each comes after its last message.
var completeEnds = map[string]bool{"customer_ended": true, "agent_ended": true, "customer_left": true, "gone": true}

// checkReceived: each client saw each of its conversations' messages once,
// in order from seq 1, as stored, across all its connections; and the whole
// conversation when it ended for it.
func checkReceived(recs []*Record, db *Stored) []error {
	stored := byKey(db)
	convs := perConv(db)
	var errs []error
	for _, r := range recs {
		last := map[string]uint64{}
		bad := map[string]bool{} // one report per conversation
		for _, m := range r.Received {
			if bad[m.Conv] {
				continue
			}
			if want := last[m.Conv] + 1; m.Seq != want {
				what := "a gap"
				if m.Seq < want {
					what = "a duplicate or a reordering"
				}
				errs = append(errs, fmt.Errorf("%s: got %s/%d after seq %d: %s", r.Client, m.Conv, m.Seq, last[m.Conv], what))
				bad[m.Conv] = true
				continue
			}
			last[m.Conv] = m.Seq
			s, ok := stored[msgKey{m.Conv, m.Seq}]
			if !ok || s.Text != m.Text || s.Sender != m.From {
				errs = append(errs, fmt.Errorf("%s: got %s/%d %q from %s, stored %q from %s (stored: %v)", r.Client, m.Conv, m.Seq, m.Text, m.From, s.Text, s.Sender, ok))
				bad[m.Conv] = true
			}
		}
		for _, e := range r.Ends {
			if bad[e.Conv] || !completeEnds[e.Reason] {
				continue
			}
			if got, want := last[e.Conv], uint64(len(convs[e.Conv])); got != want {
				errs = append(errs, fmt.Errorf("%s: %s ended (%s) after seq %d of %d stored", r.Client, e.Conv, e.Reason, got, want))
			}
		}
	}
	return errs
}

// failed is the end of a conversation stopped by a server fault.
const failed = "failed"

// checkNotFailed: no conversation ended failed, as a client heard it or as
// stored.
func checkNotFailed(recs []*Record, db *Stored) []error {
	var errs []error
	for _, r := range recs {
		for _, e := range r.Ends {
			if e.Reason == failed {
				errs = append(errs, fmt.Errorf("%s: %s ended %s", r.Client, e.Conv, failed))
			}
		}
	}
	for _, c := range db.Convs {
		if c.Ended && c.EndReason == failed {
			errs = append(errs, fmt.Errorf("%s stored as ended %s", c.ID, failed))
		}
	}
	return errs
}

// checkEpochs: along seq, a conversation's messages.epoch never decreases:
// a write by a stale owner after the new one's would dip. Without the
// column (before the fencing slice) there is nothing to check.
func checkEpochs(db *Stored) []error {
	if !db.HasEpoch {
		return nil
	}
	var errs []error
	for conv, ms := range perConv(db) {
		for i := 1; i < len(ms); i++ {
			if ms[i].Epoch < ms[i-1].Epoch {
				errs = append(errs, fmt.Errorf("%s: seq %d stored under epoch %d after seq %d under %d: a stale owner's write", conv, ms[i].Seq, ms[i].Epoch, ms[i-1].Seq, ms[i-1].Epoch))
				break
			}
		}
	}
	return errs
}

// checkResumes: the 99th percentile of the time a conversation was away
// after a drop stays under limit, and every drop came back.
func checkResumes(recs []*Record, limit time.Duration) (int, time.Duration, []error) {
	var took []time.Duration
	var errs []error
	slowest, longest := "", time.Duration(0)
	for _, r := range recs {
		for _, x := range r.Resumes {
			if x.Resumed.IsZero() {
				errs = append(errs, fmt.Errorf("%s: %s dropped at %s never came back", r.Client, x.Conv, x.Dropped.Format(time.StampMilli)))
				continue
			}
			if x.Took() >= longest {
				longest = x.Took()
				slowest = fmt.Sprintf("%s's %s, dropped at %s", r.Client, x.Conv, x.Dropped.Format(time.StampMilli))
			}
			took = append(took, x.Took())
		}
	}
	if len(took) == 0 {
		return 0, 0, errs
	}
	slices.Sort(took)
	p99 := took[(len(took)*99+99)/100-1]
	if p99 >= limit {
		errs = append(errs, fmt.Errorf("re-homing p99 %v over %d resumes, want under %v (slowest %v: %s)", p99, len(took), limit, took[len(took)-1], slowest))
	}
	return len(took), p99, errs
}
