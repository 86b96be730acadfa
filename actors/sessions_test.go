package actors

import (
	"slices"
	"testing"
)

func TestSessions(t *testing.T) {
	r := NewSessions()
	r.add("ag_1", "c1", Session{ID: "t1", Generation: 0})
	r.add("ag_1", "c2", Session{ID: "t1", Generation: 0})
	r.add("ag_1", "c3", Session{ID: "t2", Generation: 1})
	r.add("ag_2", "c4", Session{ID: "t1", Generation: 0}) // another account: never matched
	byToken := func(s Session) bool { return s.ID == "t1" }
	if got := r.Conns("ag_1", byToken); !slices.Equal(slices.Sorted(slices.Values(got)), []ConnID{"c1", "c2"}) {
		t.Fatalf("Conns by token=%v, want c1 c2", got)
	}
	if got := r.Conns("ag_1", func(s Session) bool { return s.Generation < 1 }); len(got) != 2 {
		t.Fatalf("Conns by generation=%v, want c1 c2", got)
	}
	r.remove("ag_1", "c1")
	r.remove("ag_1", "nosuch")
	if got := r.Conns("ag_1", byToken); !slices.Equal(got, []ConnID{"c2"}) {
		t.Fatalf("Conns after remove=%v, want c2", got)
	}
	r.remove("ag_1", "c2")
	r.remove("ag_1", "c3")
	if _, left := r.byAgent["ag_1"]; left {
		t.Fatal("an agent with no connections is still held")
	}
	var none *Sessions // a connection with no registry
	none.add("ag_1", "c1", Session{})
	none.remove("ag_1", "c1")
	if got := none.Conns("ag_1", byToken); got != nil {
		t.Fatalf("nil registry Conns=%v", got)
	}
}
