// Package poll is the tests' wait for a condition that no message or
// channel announces (a store's contents, another process's view): it
// checks on a ticker until the condition holds or a deadline passes.
package poll

import (
	"testing"
	"time"
)

// every is how often a condition is checked.
const every = 5 * time.Millisecond

// Until checks cond every few milliseconds until it holds, and fails tb
// naming what after wait.
func Until(tb testing.TB, wait time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			tb.Fatalf("never: %s (waited %v)", what, wait)
		case <-tick.C:
		}
	}
}
