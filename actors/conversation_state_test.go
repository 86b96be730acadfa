package actors

import "testing"

// TestConvStateTransitions lists every legal change of a conversation's
// state; every other pair must be refused.
func TestConvStateTransitions(t *testing.T) {
	legal := map[[2]convState]bool{
		{convStarting, convQueued}:   true, // restored without an agent
		{convStarting, convAssigned}: true, // started with one
		{convQueued, convAssigned}:   true, // Reassign out of the queue
		{convQueued, convEnding}:     true, // the end decided while it waits
		{convAssigned, convQueued}:   true, // Unassign
		{convAssigned, convEnding}:   true, // the end decided
		{convEnding, convEnded}:      true, // its last writes done
		{convQueued, convEnded}:      true, // withdrawn
		{convAssigned, convEnded}:    true, // withdrawn
	}
	all := []convState{convStarting, convQueued, convAssigned, convEnding, convEnded}
	for _, from := range all {
		for _, to := range all {
			t.Run(from.String()+"→"+to.String(), func(t *testing.T) {
				if got, want := from.canBecome(to), legal[[2]convState{from, to}]; got != want {
					t.Fatalf("%v.canBecome(%v)=%v, want %v", from, to, got, want)
				}
			})
		}
	}
}

// TestConvStateEndDecided checks which states take no new messages.
func TestConvStateEndDecided(t *testing.T) {
	for s, want := range map[convState]bool{
		convStarting: false, convQueued: false, convAssigned: false, convEnding: true, convEnded: true,
	} {
		if got := s.endDecided(); got != want {
			t.Errorf("%v.endDecided()=%v, want %v", s, got, want)
		}
	}
}
