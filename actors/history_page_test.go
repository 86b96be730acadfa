package actors

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/quick"
)

// TestQuotedLen: the estimate is never below what encoding/json writes,
// and exact for ordinary text.
func TestQuotedLen(t *testing.T) {
	for _, s := range []string{"", "hello", "你好", "<b>&amp;</b>", "a\"b\\c", "\n\r\t\b\f", "\x00\x01\x1f\x7f",
		"\u2028\u2029", "\xff\xfe", "e\u0301", strings.Repeat("\x01", 100)} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, min := quotedLen(s), len(b)-2; got < min {
			t.Errorf("quotedLen(%q)=%d, below the %d bytes encoding/json writes", s, got, min)
		}
	}
	for _, s := range []string{"hello", "你好", "a\"b\\c\n"} {
		b, _ := json.Marshal(s)
		if got, want := quotedLen(s), len(b)-2; got != want {
			t.Errorf("quotedLen(%q)=%d, want %d", s, got, want)
		}
	}
	bound := func(s string) bool {
		b, err := json.Marshal(s)
		return err == nil && quotedLen(s) >= len(b)-2
	}
	if err := quick.Check(bound, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// TestHistoryLimitsNewest: a page is the newest messages within both
// bounds, and never empty while there are messages.
func TestHistoryLimitsNewest(t *testing.T) {
	msgs := make([]ConvMessage, 10)
	for i := range msgs {
		msgs[i] = ConvMessage{Conv: "cv_x", Seq: uint64(i + 1), From: Party{ID: "cu_x", Name: "Bob"}, Text: strings.Repeat("a", 100)}
	}
	one := msgs[0].WireSize()
	for _, tc := range []struct {
		limits HistoryLimits
		count  int
		want   int // the newest want messages
	}{
		{HistoryLimits{Messages: 50, Bytes: 1 << 20}, 50, 10},
		{HistoryLimits{Messages: 4, Bytes: 1 << 20}, 4, 4},
		{HistoryLimits{Messages: 50, Bytes: 3 * one}, 50, 3},
		{HistoryLimits{Messages: 50, Bytes: 3*one - 1}, 50, 2},
		{HistoryLimits{Messages: 50, Bytes: 1}, 50, 1}, // one goes whatever its size
		{HistoryLimits{Messages: 50, Bytes: 1 << 20}, 2, 2},
	} {
		t.Run(fmt.Sprintf("%+v/%d", tc.limits, tc.count), func(t *testing.T) {
			got := tc.limits.newest(msgs, tc.count)
			if len(got) != tc.want || got[len(got)-1].Seq != 10 {
				t.Fatalf("page of %d ending at %d, want the newest %d", len(got), got[len(got)-1].Seq, tc.want)
			}
		})
	}
	if got := DefaultHistoryLimits().newest(nil, 50); len(got) != 0 {
		t.Fatalf("page of nothing=%v, want empty", got)
	}
}
