package transport

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"kefu/actors"
)

// TestProtocolDocLimits keeps docs/protocol.md's "Limits" table true: it
// once said 64 frames wait for a slow client while the code said 256
// (issue #12, item 9). Each row the code defines is rebuilt from the
// defaults and must stand in the document as it is.
func TestProtocolDocLimits(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	a, s, h := DefaultAbuseLimits(), DefaultNativeLimits(), actors.DefaultHistoryLimits()
	perMinute := float64(a.ConvStarts.Limit) * 60
	rows := []string{
		fmt.Sprintf("| A frame | %d KiB (close 1009) |", s.MaxFrameBytes>>10),
		fmt.Sprintf("| Frames a connection sends | %v a second, %d at once (`rate_limited`; close 1008 past %d refusals) |", float64(a.Frames.Limit), a.Frames.Burst, a.FrameRefusals),
		fmt.Sprintf("| A message's `text` | %d bytes of UTF-8 (`text_too_long`) |", DefaultMaxTextBytes),
		fmt.Sprintf("| A transfer's `note` | %d bytes of UTF-8 (`bad_value`) |", actors.MaxHandoffNote),
		fmt.Sprintf("| Customers waiting or chatting from one address | %d (`too_many_customers`) |", a.CustomersPerIP),
		fmt.Sprintf("| Conversations one customer starts (`request`) | %v a minute, %d at once (`rate_limited`) |", perMinute, a.ConvStarts.Burst),
		fmt.Sprintf("| Offline forms from one address (`leave`) | %v an hour, %d at once (`rate_limited`) |", math.Round(float64(a.Forms.Limit)*3600), a.Forms.Burst),
		fmt.Sprintf("| History in one `conv` or `history` frame | %d messages, %d KiB of them as JSON", h.Messages, h.Bytes>>10),
		fmt.Sprintf("| Time to send `hello` | %d s (close 4002) |", int(DefaultHelloTimeout.Seconds())),
		fmt.Sprintf("| Bytes waiting for a slow client | %d MiB, or none taken for %d s (close 4008) |", s.SendQueueBytes>>20, int(s.SlowAfter.Seconds())),
	}
	for _, row := range rows {
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/protocol.md has no row starting %q: the table and the code disagree", row)
		}
	}
}
