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

// idInError finds the conversation and customer ids a report names.
var idInError = regexp.MustCompile(`(cv|cu)_[a-z0-9]+`)

// describeStalled says what the store holds of each conversation the
// failed run's errors name, and of each conversation of each customer
// they name: its record, its last stored seq and the events applied to
// it, and the customer's routing events, so that a stall can be told
// apart from a lost end or a conversation that went elsewhere without
// reading every log.
func describeStalled(t *testing.T, dbURL string, errs []error) {
	t.Helper()
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
