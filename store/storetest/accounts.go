package storetest

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"kefu/store"
)

// agentID is the documented id form: "ag_" and 16 lower-case base32 characters.
var agentID = regexp.MustCompile(`^ag_[a-z2-7]{16}$`)

func testCreateAgent(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		before := time.Now().Truncate(time.Millisecond)
		a, err := st.CreateAgent(ctx, "  Alice  ", []byte("h"), store.RoleSupervisor, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !agentID.MatchString(a.ID) {
			t.Fatalf("ID=%q, want ag_ and 16 base32 characters", a.ID)
		}
		if got, want := a.Name, "Alice"; got != want {
			t.Fatalf("Name=%q, want %q (trimmed)", got, want)
		}
		if got, want := a.Role, store.RoleSupervisor; got != want {
			t.Fatalf("Role=%q, want %q", got, want)
		}
		if got, want := a.Capacity, 7; got != want {
			t.Fatalf("Capacity=%d, want %d", got, want)
		}
		if a.CreatedAt.Before(before) || a.CreatedAt.After(time.Now()) || a.CreatedAt.Location() != time.UTC {
			t.Fatalf("CreatedAt=%v, want UTC between %v and now", a.CreatedAt, before)
		}
		b := mustCreate(t, st, "Bob", store.RoleAgent)
		if a.ID == b.ID {
			t.Fatalf("two agents share id %q", a.ID)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		st := open(t)
		mustCreate(t, st, "Ärger", store.RoleAgent)
		for _, name := range []string{"Ärger", "ärger", "ÄRGER", " ärger "} {
			_, err := st.CreateAgent(ctx, name, []byte("h"), store.RoleAgent, 3)
			if !errors.Is(err, store.ErrNameTaken) {
				t.Fatalf("CreateAgent(%q) err=%v, want ErrNameTaken", name, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		st := open(t)
		for _, tc := range []struct {
			name     string
			hash     []byte
			role     store.Role
			capacity int
		}{
			{"", []byte("h"), store.RoleAgent, 3},
			{"   ", []byte("h"), store.RoleAgent, 3},
			{strings.Repeat("x", store.MaxNameLen+1), []byte("h"), store.RoleAgent, 3},
			{"bad\nname", []byte("h"), store.RoleAgent, 3},
			{"ok", nil, store.RoleAgent, 3},
			{"ok", []byte("h"), "admin", 3},
			{"ok", []byte("h"), store.RoleAgent, store.MinCapacity - 1},
			{"ok", []byte("h"), store.RoleAgent, store.MaxCapacity + 1},
		} {
			_, err := st.CreateAgent(ctx, tc.name, tc.hash, tc.role, tc.capacity)
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("CreateAgent(%q, %q, %q, %d) err=%v, want ErrInvalid", tc.name, tc.hash, tc.role, tc.capacity, err)
			}
		}
		if n, _ := st.CountAgents(ctx); n != 0 {
			t.Fatalf("CountAgents=%d after invalid creates, want 0", n)
		}
	})
}

func testAgentByName(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		want := mustCreate(t, st, "Carol", store.RoleAgent)
		got, hash, err := st.AgentByName(ctx, " CAROL ")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("AgentByName=%+v, want %+v", got, want)
		}
		if got, want := string(hash), "hash-of-Carol"; got != want {
			t.Fatalf("hash=%q, want %q", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		mustCreate(t, st, "Carol", store.RoleAgent)
		if _, _, err := st.AgentByName(ctx, "Caro"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", err)
		}
	})
}

func testAgentByID(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		want := mustCreate(t, st, "Dave", store.RoleSupervisor)
		got, err := st.AgentByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("AgentByID=%+v, want %+v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		mustCreate(t, st, "Dave", store.RoleAgent)
		// The id is never the name.
		for _, id := range []string{"ag_aaaaaaaaaaaaaaaa", "Dave", ""} {
			if _, err := st.AgentByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("AgentByID(%q) err=%v, want ErrNotFound", id, err)
			}
		}
	})
}

func testListAgents(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		for _, name := range []string{"zed", "Bob", "amy"} {
			mustCreate(t, st, name, store.RoleAgent)
		}
		agents, err := st.ListAgents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range agents {
			names = append(names, a.Name)
		}
		if got, want := strings.Join(names, ","), "amy,Bob,zed"; got != want {
			t.Fatalf("names=%s, want %s (by name, ignoring case)", got, want)
		}
	})
	t.Run("OKEmpty", func(t *testing.T) {
		agents, err := open(t).ListAgents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(agents), 0; got != want {
			t.Fatalf("len=%d, want %d", got, want)
		}
	})
}

func testRemoveAgent(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		a := mustCreate(t, st, "Erin", store.RoleAgent)
		keep := mustCreate(t, st, "Frank", store.RoleAgent)
		if err := st.RemoveAgent(ctx, "ERIN"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AgentByID(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AgentByID after remove err=%v, want ErrNotFound", err)
		}
		if _, err := st.AgentByID(ctx, keep.ID); err != nil {
			t.Fatalf("other agent: %v", err)
		}
		// The name is free again, and the new account gets a new id.
		b := mustCreate(t, st, "Erin", store.RoleAgent)
		if b.ID == a.ID {
			t.Fatalf("re-created agent reuses id %q", a.ID)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := open(t).RemoveAgent(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", err)
		}
	})
}

func testSetPassword(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		mustCreate(t, st, "Gina", store.RoleAgent)
		if err := st.SetPassword(ctx, "gina", []byte("new-hash")); err != nil {
			t.Fatal(err)
		}
		_, hash, err := st.AgentByName(ctx, "Gina")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(hash), "new-hash"; got != want {
			t.Fatalf("hash=%q, want %q", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := open(t).SetPassword(ctx, "nobody", []byte("h")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		st := open(t)
		mustCreate(t, st, "Gina", store.RoleAgent)
		if err := st.SetPassword(ctx, "Gina", nil); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("err=%v, want ErrInvalid", err)
		}
	})
}

func testSetCapacity(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		a := mustCreate(t, st, "Hank", store.RoleAgent)
		for _, c := range []int{store.MaxCapacity, store.MinCapacity, 5} {
			if err := st.SetCapacity(ctx, a.ID, c); err != nil {
				t.Fatal(err)
			}
			got, err := st.AgentByID(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := got.Capacity, c; got != want {
				t.Fatalf("Capacity=%d, want %d", got, want)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := open(t).SetCapacity(ctx, "ag_aaaaaaaaaaaaaaaa", 3); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		st := open(t)
		a := mustCreate(t, st, "Hank", store.RoleAgent)
		for _, c := range []int{0, -1, store.MaxCapacity + 1} {
			if err := st.SetCapacity(ctx, a.ID, c); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("SetCapacity(%d) err=%v, want ErrInvalid", c, err)
			}
		}
	})
}

func testCountAgents(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		for i, name := range []string{"a1", "a2", "a3"} {
			if got, err := st.CountAgents(ctx); err != nil || got != i {
				t.Fatalf("CountAgents=%d, %v, want %d", got, err, i)
			}
			mustCreate(t, st, name, store.RoleAgent)
		}
		if err := st.RemoveAgent(ctx, "a2"); err != nil {
			t.Fatal(err)
		}
		if got, err := st.CountAgents(ctx); err != nil || got != 2 {
			t.Fatalf("CountAgents=%d, %v, want 2", got, err)
		}
	})
}
