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

// convInError finds the conversation ids a stalled client's report names.
var convInError = regexp.MustCompile(`cv_[a-z0-9]+`)

// describeStalled says what the store holds of each conversation the
// failed run's errors name: its record, its last stored seq and the
// events applied to it, so that a stall can be told apart from a lost
// end or a conversation that went elsewhere without reading every log.
func describeStalled(t *testing.T, dbURL string, errs []error) {
	t.Helper()
	var ids []string
	for _, err := range errs {
		ids = append(ids, convInError.FindAllString(err.Error(), -1)...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := loadStored(t, ctx, dbURL)
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%s:", id)
		for _, c := range db.Convs {
			if c.ID == id {
				fmt.Fprintf(&b, " customer %s, agent %s, ended %v %s;", c.Customer, c.Agent, c.Ended, c.EndReason)
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
