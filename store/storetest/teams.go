package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"kefu/hours"
	"kefu/store"
)

// testTeams: the general team exists from the start; a team keeps what it
// was given (hours whole, members sorted); names are unique among live
// teams in any letter case; a change needs the version it was read at;
// members are agents, and leave with their account; an archived team
// frees its name; the general team cannot be archived or given members.
func testTeams(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	bea := mustCreate(t, st, "bea", store.RoleAgent)
	al := mustCreate(t, st, "al", store.RoleAgent)

	teams, err := st.ListTeams(ctx, false)
	if err != nil || len(teams) != 1 || teams[0].ID != store.GeneralTeamID || !teams[0].Everyone || !teams[0].Hours.AlwaysOpen {
		t.Fatalf("a new store's teams: %+v, %v; want only the general team, of everyone, always open", teams, err)
	}

	spec := hours.Spec{TimeZone: "Asia/Shanghai", Closed: []string{"2027-01-01"}}
	spec.Week[time.Monday] = []hours.Span{{Opens: 540, Closes: 1080}}
	sales, err := st.CreateTeam(ctx, store.Team{Name: " 销售 Sales ", Description: "订单与报价", Visible: true, Position: -1,
		Hours: spec, Members: []string{bea.ID, al.ID, bea.ID}})
	if err != nil {
		t.Fatalf("CreateTeam: %v", err)
	}
	if sales.Name != "销售 Sales" || sales.Version != 1 || !reflect.DeepEqual(sales.Members, sortedIDs(al.ID, bea.ID)) {
		t.Fatalf("created: %+v", sales)
	}
	got, err := st.Team(ctx, sales.ID)
	if err != nil {
		t.Fatalf("Team: %v", err)
	}
	if got.Name != sales.Name || got.Description != sales.Description || !got.Visible || got.Position != -1 ||
		!reflect.DeepEqual(got.Hours, spec) || !reflect.DeepEqual(got.Members, sales.Members) || !got.CreatedAt.Equal(sales.CreatedAt) {
		t.Fatalf("read back %+v, want %+v", got, sales)
	}

	for _, bad := range []store.Team{
		{Name: "销售 SALES"}, // taken, in another case
		{Name: "x", Hours: hours.Spec{TimeZone: "Mars/Olympus"}},
		{Name: "y", Members: []string{"ag_nobody"}},
		{Name: ""},
	} {
		_, err := st.CreateTeam(ctx, bad)
		if !errors.Is(err, store.ErrNameTaken) && !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("CreateTeam(%+v): %v, want refused", bad, err)
		}
	}
	if teams, _ := st.ListTeams(ctx, false); len(teams) != 2 || teams[0].ID != sales.ID {
		t.Fatalf("teams after refusals: %+v; want sales (position -1) then general", teams)
	}

	sales.Name, sales.Visible = "Sales", false
	updated, err := st.UpdateTeam(ctx, sales)
	if err != nil || updated.Version != 2 || updated.Name != "Sales" || updated.Visible {
		t.Fatalf("UpdateTeam: %+v, %v", updated, err)
	}
	if _, err := st.UpdateTeam(ctx, sales); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an update at a stale version: %v, want ErrConflict", err)
	}
	if _, err := st.SetTeamMembers(ctx, sales.ID, []string{bea.ID}, 1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("members set at a stale version: %v, want ErrConflict", err)
	}
	members, err := st.SetTeamMembers(ctx, sales.ID, []string{bea.ID}, 2)
	if err != nil || members.Version != 3 || !reflect.DeepEqual(members.Members, []string{bea.ID}) {
		t.Fatalf("SetTeamMembers: %+v, %v", members, err)
	}
	if _, err := st.SetTeamMembers(ctx, store.GeneralTeamID, []string{bea.ID}, 1); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("members of the general team: %v, want ErrInvalid", err)
	}

	if err := st.RemoveAgent(ctx, "bea"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Team(ctx, sales.ID); len(got.Members) != 0 {
		t.Fatalf("members after the agent was removed: %v, want none", got.Members)
	}

	if err := st.ArchiveTeam(ctx, store.GeneralTeamID); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("archive the general team: %v, want ErrInvalid", err)
	}
	if err := st.ArchiveTeam(ctx, sales.ID); err != nil {
		t.Fatalf("ArchiveTeam: %v", err)
	}
	if err := st.ArchiveTeam(ctx, sales.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("archive twice: %v, want ErrNotFound", err)
	}
	if _, err := st.UpdateTeam(ctx, members); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update an archived team: %v, want ErrNotFound", err)
	}
	if got, err := st.Team(ctx, sales.ID); err != nil || !got.Archived() {
		t.Fatalf("an archived team reads %+v, %v", got, err)
	}
	if teams, _ := st.ListTeams(ctx, false); len(teams) != 1 {
		t.Fatalf("live teams after the archive: %+v", teams)
	}
	if teams, _ := st.ListTeams(ctx, true); len(teams) != 2 {
		t.Fatalf("all teams after the archive: %+v", teams)
	}
	if _, err := st.CreateTeam(ctx, store.Team{Name: "SALES"}); err != nil {
		t.Fatalf("an archived team's name again: %v", err)
	}
	if _, err := st.Team(ctx, "tm_nothing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Team of an unknown id: %v, want ErrNotFound", err)
	}
}

func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
