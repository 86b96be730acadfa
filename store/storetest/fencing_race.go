package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"kefu/store"
)

// raceRounds is how many times testClaimRacesCommits races a claim
// against an old owner's commits; each round lets the old owner commit a
// different number of times first, so that the claim lands between
// commits and in the middle of one.
const raceRounds = 12

// testClaimRacesCommits: an old owner commits as fast as it can while a
// new owner claims the conversation, reads it and writes the next seq,
// as a re-activated conversation does. Whatever the timing, the old
// owner's commits either landed before the claim returned (the new owner
// reads them) or are refused: none lands after, which would take the new
// owner's seq (ErrInvalid on its write) or follow it under the older
// epoch (a dip in the epochs along seq).
func testClaimRacesCommits(t *testing.T, open Opener) {
	st := open(t)
	mustRenew(t, st, "old", longTTL)
	mustRenew(t, st, "new", longTTL)
	for round := range raceRounds {
		raceClaim(t, st, fmt.Sprint("race", round), round%4)
		if t.Failed() {
			return
		}
	}
}

// raceClaim is one round of testClaimRacesCommits on conversation conv:
// the claim comes once the old owner has committed `before` times.
func raceClaim(t *testing.T, st store.Store, conv string, before int) {
	ctx := context.Background()
	e1 := mustClaim(t, st, conv, "old")
	mustApply(t, st, fencedBatch(conv, true, 1, "old", e1))

	ready := make(chan struct{})    // the old owner committed `before` times
	newWrote := make(chan struct{}) // the new owner's write is done
	acked := make(chan []uint64, 1) // the seqs the old owner saw committed
	go func() { acked <- oldOwner(t, st, conv, e1, before, ready, newWrote) }()

	<-ready
	e2, err := st.Claim(ctx, conv, "new")
	if err != nil {
		close(newWrote)
		<-acked
		t.Fatalf("%s: claim: %v", conv, err)
	}
	m := uint64(len(mustMessages(t, st, conv, 0, 0)))
	err = st.Apply(ctx, fencedBatch(conv, false, m+1, "new", e2))
	close(newWrote)
	ok := <-acked
	if err != nil {
		t.Fatalf("%s: the new owner's write of seq %d: %v (an old owner's commit took it after the claim)", conv, m+1, err)
	}
	want := make([]int64, m+1)
	for i := range want {
		want[i] = e1
	}
	want[m] = e2
	checkEpochs(t, st, conv, want...)
	if len(ok) > 0 && ok[len(ok)-1] > m {
		t.Fatalf("%s: the old owner was told seq %d committed, past the %d the new owner read", conv, ok[len(ok)-1], m)
	}
}

// oldOwner commits conv's messages from seq 2 on under epoch until it has
// been refused and newWrote is closed; it closes ready after `before`
// commits (or its first refusal) and returns the seqs it was told were
// committed. It runs in its own goroutine, so it reports with t.Errorf.
func oldOwner(t *testing.T, st store.Store, conv string, epoch int64, before int, ready chan<- struct{}, newWrote <-chan struct{}) []uint64 {
	ctx := context.Background()
	var ok []uint64
	signal := func() {
		if ready != nil {
			close(ready)
			ready = nil
		}
	}
	defer signal()
	for seq := uint64(2); ; {
		if len(ok) == before {
			signal()
		}
		err := st.Apply(ctx, fencedBatch(conv, false, seq, "old", epoch))
		switch {
		case err == nil:
			ok = append(ok, seq)
			seq++
		case errors.Is(err, store.ErrFenced):
			signal()
			select {
			case <-newWrote:
				return ok
			default:
			}
		default:
			t.Errorf("%s: old owner's seq %d: %v", conv, seq, err)
			return ok
		}
		if len(ok) > 1000 {
			t.Errorf("%s: old owner never refused", conv)
			return ok
		}
	}
}
