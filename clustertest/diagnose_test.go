package clustertest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// idInError finds the conversation and customer ids a report names;
// clientInError, the test's client labels ("a6's", "c29:").
var (
	idInError     = regexp.MustCompile(`(cv|cu)_[a-z0-9]+`)
	clientInError = regexp.MustCompile(`\b([ac][0-9]+)(?:'s|:| \()`)
)

// describeStalled says what the store holds of each conversation the
// failed run's errors name, and of each conversation of each customer
// they name: its record, its last stored seq and the events applied to
// it, and the customer's routing events, so that a stall can be told
// apart from a lost end or a conversation that went elsewhere without
// reading every log. Each client the errors name gets its sockets and
// resumes from recs (describeClients).
func describeStalled(t *testing.T, dbURL string, errs []error, recs []*Record) {
	t.Helper()
	describeClients(t, errs, recs)
	var named []string
	for _, err := range errs {
		named = append(named, idInError.FindAllString(err.Error(), -1)...)
	}
	slices.Sort(named)
	named = slices.Compact(named)
	if len(named) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := loadStored(t, ctx, dbURL)
	var b strings.Builder
	var ids []string
	for _, id := range named {
		if !strings.HasPrefix(id, "cu_") {
			ids = append(ids, id)
			continue
		}
		fmt.Fprintf(&b, "%s routing:", id)
		for _, e := range db.Routing {
			if e.Customer == id {
				fmt.Fprintf(&b, " %s %s ticket %d %s %s,", e.At.Format("15:04:05.000"), e.Kind, e.Ticket, e.Conv, e.Agent)
			}
		}
		b.WriteString("\n")
		for _, c := range db.Convs {
			if c.Customer == id {
				ids = append(ids, c.ID)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "%s:", id)
		for _, c := range db.Convs {
			if c.ID == id {
				fmt.Fprintf(&b, " customer %s ticket %d, agent %s, ended %v %s;", c.Customer, c.Ticket, c.Agent, c.Ended, c.EndReason)
			}
		}
		var last uint64
		for _, m := range db.Messages {
			if m.Conv == id {
				last = max(last, m.Seq)
			}
		}
		fmt.Fprintf(&b, " last stored seq %d; events:", last)
		for _, e := range db.ConvEvents {
			if e.Conv == id {
				fmt.Fprintf(&b, " %s %s %s,", e.At.Format("15:04:05.000"), e.Kind, e.Agent)
			}
		}
		b.WriteString("\n")
	}
	t.Logf("stored state of the conversations named above:\n%s", b.String())
}

// describeClients logs, for each client the errors name, every socket it
// made (dialed, welcomed, lost, and where) and every resume, so that a
// slow re-homing shows whether the time went in reconnecting, in waiting
// for a welcome, or after it.
func describeClients(t *testing.T, errs []error, recs []*Record) {
	t.Helper()
	var b strings.Builder
	seen := map[string]bool{}
	stamp := func(at time.Time) string {
		if at.IsZero() {
			return "-"
		}
		return at.Format("15:04:05.000")
	}
	for _, err := range errs {
		for _, m := range clientInError.FindAllStringSubmatch(err.Error(), -1) {
			label := m[1]
			if seen[label] {
				continue
			}
			seen[label] = true
			for _, r := range recs {
				if r.Client != label {
					continue
				}
				fmt.Fprintf(&b, "%s (%s):\n", label, r.Party)
				for _, c := range r.Conns {
					fmt.Fprintf(&b, "  socket to %s dialed %s welcomed %s lost %s\n", c.Server, stamp(c.Dialed), stamp(c.Welcomed), stamp(c.Lost))
				}
				for _, c := range r.Unwelcomed {
					fmt.Fprintf(&b, "  socket to %s dialed %s given up unwelcomed %s\n", c.Server, stamp(c.Dialed), stamp(c.Lost))
				}
				for _, x := range r.Resumes {
					fmt.Fprintf(&b, "  %s dropped %s resumed %s\n", x.Conv, stamp(x.Dropped), stamp(x.Resumed))
				}
			}
		}
	}
	if b.Len() > 0 {
		t.Logf("the clients named above:\n%s", b.String())
	}
}

// TestClientInError: the labels a report names are found, and ids are
// not taken for labels.
func TestClientInError(t *testing.T) {
	msg := "re-homing p99 12s over 15 resumes (slowest 12s: a6's cv_g64q2otjxifuoqj5); c29: cv_x ended failed; cu_c3 routing; a7 (Agent07): context deadline exceeded"
	var got []string
	for _, m := range clientInError.FindAllStringSubmatch(msg, -1) {
		got = append(got, m[1])
	}
	if want := []string{"a6", "c29", "a7"}; !slices.Equal(got, want) {
		t.Fatalf("labels=%v, want %v", got, want)
	}
}
