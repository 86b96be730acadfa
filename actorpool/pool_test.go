package actorpool

import (
	"sync"
	"testing"
	"time"
)

// pollUntil polls cond until it holds or the deadline passes.
func pollUntil(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		<-tick.C
	}
}

// TestPoolRunsEverything: every mailbox scheduled runs, from many
// goroutines at once.
func TestPoolRunsEverything(t *testing.T) {
	d := New(10, time.Second)
	defer d.Release()
	const n = 10_000
	var wg sync.WaitGroup
	wg.Add(n)
	for range 8 {
		go func() {
			for range n / 8 {
				d.Schedule(wg.Done)
			}
		}()
	}
	wg.Wait()
}

// TestPoolShrinksUnderSteadyLoad: after a burst has started many
// goroutines, a steady trickle of work keeps only what it needs and the
// rest exit. Handed work oldest-idle first, every goroutine kept getting
// some within its idle time and the pool never shrank while load went on.
func TestPoolShrinksUnderSteadyLoad(t *testing.T) {
	const idle = 50 * time.Millisecond
	d := New(10, idle)
	defer d.Release()

	// The burst: 200 mailboxes that block until released, each on a
	// goroutine of its own.
	const burst = 200
	hold := make(chan struct{})
	var started sync.WaitGroup
	started.Add(burst)
	for range burst {
		d.Schedule(func() { started.Done(); <-hold })
	}
	started.Wait()
	if got := d.Goroutines(); got != burst {
		t.Fatalf("%d goroutines for %d blocked mailboxes", got, burst)
	}
	close(hold)

	// Steady load, one short mailbox at a time, far more often than the
	// idle time: a few goroutines suffice.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(idle / 50)
		defer tick.Stop()
		ran := make(chan struct{})
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				d.Schedule(func() { ran <- struct{}{} })
				<-ran
			}
		}
	}()
	pollUntil(t, "pool back to a few goroutines under steady load", 40*idle, func() bool { return d.Goroutines() <= 3 })
	close(stop)
	<-done
}

// TestPoolRelease: Release ends the idle goroutines, and a mailbox
// scheduled after it still runs.
func TestPoolRelease(t *testing.T) {
	d := New(10, time.Hour)
	var wg sync.WaitGroup
	hold := make(chan struct{})
	wg.Add(20)
	for range 20 {
		d.Schedule(func() { wg.Done(); <-hold })
	}
	wg.Wait()
	close(hold)
	d.Release()
	pollUntil(t, "idle goroutines gone after Release", 5*time.Second, func() bool { return d.Goroutines() == 0 })
	ran := make(chan struct{})
	d.Schedule(func() { close(ran) })
	<-ran
	pollUntil(t, "the late mailbox's goroutine gone", 5*time.Second, func() bool { return d.Goroutines() == 0 })
}
