package actors

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"kefu/hours"
	"kefu/internal/ids"
	"kefu/store"
)

// Routing by team (issue 18, docs/teams-plan.md §1): a team's queue is
// served only by its members; an agent in several teams is given the
// oldest customer any of them has.

// setTeam tells the dispatcher a team of members (agent names) and waits
// until it routes by it.
func (f *fixture) setTeam(id string, version int64, members ...string) {
	f.t.Helper()
	cfg := store.Team{ID: id, Name: id, Version: version, Hours: hours.Spec{AlwaysOpen: true}}
	for _, m := range members {
		cfg.Members = append(cfg.Members, ids.Agent+m)
	}
	f.send(f.dispatcher, &TeamChanged{Team: cfg})
	f.stats() // answered after the change: one mailbox
}

// request asks for an agent of team for customer c, without waiting: an
// answer comes only on a refusal.
func (f *fixture) request(c Party, team string) {
	f.t.Helper()
	f.send(f.dispatcher, &RequestAgent{Customer: c.ID, Team: team})
}

func TestTeamQueueOnlyItsAgents(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_one", 1, "alice")
	f.setTeam("tm_two", 1, "bea")
	alice, _ := f.agent("alice", 2)

	c1, p1 := f.customer("c1")
	f.request(c1, "tm_two")
	if ev := f.event(RoutingQueued); ev.Team != "tm_two" {
		t.Fatalf("queued in team %q, want tm_two", ev.Team)
	}
	// Alice is free, but not in tm_two: no estimate, nobody serves it.
	if q := waitFor[*Queued](t, p1, nil); q.Position != 1 || q.ETA >= 0 {
		t.Fatalf("told position %d eta %v, want 1 and none (no member online)", q.Position, q.ETA)
	}
	snap := f.ask(&GetSnapshot{}).(*Snapshot)
	byID := map[string]TeamStat{}
	for _, ts := range snap.Teams {
		byID[ts.ID] = ts
	}
	if two := byID["tm_two"]; two.Queued != 1 || two.AgentsOnline != 0 || two.OldestQueued.IsZero() {
		t.Fatalf("tm_two=%+v, want one queued, nobody online", two)
	}
	if one := byID["tm_one"]; one.AgentsOnline != 1 || one.AgentsFree != 1 || !slices.Equal(one.Members, []string{alice.ID}) {
		t.Fatalf("tm_one=%+v, want alice online and free", one)
	}
	if gen := byID[store.GeneralTeamID]; !gen.Everyone || gen.AgentsOnline != 1 || gen.Members != nil {
		t.Fatalf("general=%+v, want everyone's, alice online", gen)
	}
	if got := snap.Agents[0].Teams; !slices.Equal(got, []string{"tm_general", "tm_one"}) {
		t.Fatalf("alice's teams=%v", got)
	}
	c2, _ := f.customer("c2")
	f.request(c2, "tm_one")
	if ev := f.event(RoutingAssigned); ev.Agent != alice.ID || ev.Customer != c2.ID || ev.Team != "tm_one" {
		t.Fatalf("assigned %s to %s in %q, want c2 to alice in tm_one", ev.Customer, ev.Agent, ev.Team)
	}
	bea, _ := f.agent("bea", 1)
	if ev := f.event(RoutingAssigned); ev.Agent != bea.ID || ev.Customer != c1.ID {
		t.Fatalf("assigned %s to %s, want c1 to bea", ev.Customer, ev.Agent)
	}
	if got := waitFor[*ConvOpened](t, p1, nil).Customer.ID; got != c1.ID {
		t.Fatalf("c1's connection opened %s's conversation", got)
	}
}

func TestUnknownAndArchivedTeamRefused(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	c, _ := f.customer("c")
	if fe, ok := f.ask(&RequestAgent{Customer: c.ID, Team: "tm_nosuch"}).(*FrameError); !ok || fe.Code != ErrCodeUnknownTeam {
		t.Fatalf("request to no team answered %#v, want %s", fe, ErrCodeUnknownTeam)
	}
	f.setTeam("tm_old", 1)
	archived := store.Team{ID: "tm_old", Name: "old", Version: 2, ArchivedAt: time.Now(), Hours: hours.Spec{AlwaysOpen: true}}
	f.send(f.dispatcher, &TeamChanged{Team: archived})
	if fe, ok := f.ask(&RequestAgent{Customer: c.ID, Team: "tm_old"}).(*FrameError); !ok || fe.Code != ErrCodeUnknownTeam {
		t.Fatalf("request to an archived team answered %#v, want %s", fe, ErrCodeUnknownTeam)
	}
	// An older version arriving late changes nothing.
	f.setTeam("tm_old", 1)
	if fe, ok := f.ask(&RequestAgent{Customer: c.ID, Team: "tm_old"}).(*FrameError); !ok || fe.Code != ErrCodeUnknownTeam {
		t.Fatalf("a late older version revived the archived team: %#v", fe)
	}
}

func TestClosedTeamRefused(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	closed := store.Team{ID: "tm_night", Name: "night", Version: 1, Hours: hours.Spec{TimeZone: "UTC"}} // no spans: never open
	f.send(f.dispatcher, &TeamChanged{Team: closed})
	c, _ := f.customer("c")
	if fe, ok := f.ask(&RequestAgent{Customer: c.ID, Team: "tm_night"}).(*FrameError); !ok || fe.Code != ErrCodeTeamClosed {
		t.Fatalf("request to a closed team answered %#v, want %s", fe, ErrCodeTeamClosed)
	}
}

// TestTwoTeamsOldestFirst: one agent in X and Y, capacity 1, takes the
// customers of both in arrival order, whichever team each asked for.
func TestTwoTeamsOldestFirst(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "x")
	f.setTeam("tm_y", 1, "x")
	x, xp := f.agent("x", 1)
	teams := []string{"tm_x", "tm_y", "tm_y", "tm_x", "tm_y", "tm_x", "tm_x", "tm_y"}
	for i, team := range teams {
		c, _ := f.customer(fmt.Sprintf("c%d", i))
		f.request(c, team)
	}
	var last uint64
	for range teams {
		ev := f.event(RoutingAssigned)
		if ev.Agent != x.ID {
			t.Fatalf("assigned to %s, want x", ev.Agent)
		}
		if ev.Ticket <= last {
			t.Fatalf("ticket %d (%s) after ticket %d: not the oldest first", ev.Ticket, ev.Team, last)
		}
		last = ev.Ticket
		f.end(ev.Conv, x, xp)
	}
}

// TestSentBackFirstAcrossTeams: a conversation sent back to Y's queue is
// served before a customer of X who asked earlier, as within one queue.
func TestSentBackFirstAcrossTeams(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "x")
	f.setTeam("tm_y", 1, "x", "y")
	y, _ := f.agent("y", 1)
	cx, _ := f.customer("cx")
	f.request(cx, "tm_x") // ticket 1: waits, no member of tm_x online
	f.event(RoutingQueued)
	cy, _ := f.customer("cy")
	f.request(cy, "tm_y") // ticket 2: y takes it
	conv := f.event(RoutingAssigned).Conv
	// y steps away and hands cy back to tm_y's queue; then x, in both
	// teams, comes online.
	f.send(f.dispatcher, &SetAgentStatus{Agent: y.ID, Status: StatusAway})
	f.send(f.dispatcher, &TransferConv{Conv: conv, By: y.ID})
	f.event(RoutingRequeued)
	x, _ := f.agent("x", 1)
	ev := f.event(RoutingAssigned)
	if ev.Customer != cy.ID || ev.Agent != x.ID {
		t.Fatalf("assigned %s to %s first, want the conversation sent back (cy) to x, before %s", ev.Customer, ev.Agent, cx.ID)
	}
	if ev.Ticket <= 1 {
		t.Fatalf("cy's ticket %d, want it later than cx's", ev.Ticket)
	}
}

// TestTeamsUnderConcurrency is TestQueueUnderConcurrency with four teams:
// 100 agents in one to four teams each, 1000 customers asking for random
// teams from goroutines. Capacity holds over all teams, each team's
// queue is served in ticket order, only by its members, and the fairness
// rule holds: when an agent is given a customer, no customer waiting in
// any of its teams arrived earlier.
func TestTeamsUnderConcurrency(t *testing.T) {
	const agents, capacity, customers = 100, 3, 1000
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	teamIDs := []string{"tm_a", "tm_b", "tm_c", "tm_d"}
	rng := rand.New(rand.NewPCG(18, 4))
	memberOf := map[string][]string{} // agent id → teams
	names := map[string][]string{}    // team → agent names
	for i := range agents {
		name := fmt.Sprintf("a%03d", i)
		for _, k := range rng.Perm(len(teamIDs))[:1+i%len(teamIDs)] {
			names[teamIDs[k]] = append(names[teamIDs[k]], name)
			memberOf[ids.Agent+name] = append(memberOf[ids.Agent+name], teamIDs[k])
		}
	}
	for _, team := range teamIDs {
		f.setTeam(team, 1, names[team]...)
	}
	parties := map[string]Party{}
	conns := map[string]*probe{}
	for i := range agents {
		a, p := f.agent(fmt.Sprintf("a%03d", i), capacity)
		parties[a.ID], conns[a.ID] = a, p
	}
	var wg sync.WaitGroup
	for i := range customers {
		c, _ := f.customer(fmt.Sprintf("c%04d", i))
		team := teamIDs[rng.IntN(len(teamIDs))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.request(c, team)
		}()
	}
	wg.Wait()

	waiting := map[string][]uint64{} // team → tickets queued, not yet assigned
	lastTicket := map[string]uint64{}
	load := map[string]int{}
	assigned, ended := 0, 0
	for ended < customers {
		ev := f.event(RoutingQueued, RoutingAssigned, RoutingEnded)
		switch ev.Kind {
		case RoutingQueued:
			waiting[ev.Team] = append(waiting[ev.Team], ev.Ticket)
		case RoutingAssigned:
			assigned++
			if !slices.Contains(memberOf[ev.Agent], ev.Team) {
				t.Fatalf("%s's customer given to %s, a member of %v only", ev.Team, ev.Agent, memberOf[ev.Agent])
			}
			if ev.Ticket <= lastTicket[ev.Team] {
				t.Fatalf("%s: ticket %d assigned after ticket %d", ev.Team, ev.Ticket, lastTicket[ev.Team])
			}
			lastTicket[ev.Team] = ev.Ticket
			waiting[ev.Team] = slices.DeleteFunc(waiting[ev.Team], func(k uint64) bool { return k == ev.Ticket })
			for _, team := range memberOf[ev.Agent] {
				if len(waiting[team]) > 0 && slices.Min(waiting[team]) < ev.Ticket {
					t.Fatalf("%s given ticket %d of %s while ticket %d waited in its team %s", ev.Agent, ev.Ticket, ev.Team, slices.Min(waiting[team]), team)
				}
			}
			if load[ev.Agent]++; load[ev.Agent] > capacity {
				t.Fatalf("agent %s has %d conversations, capacity %d", ev.Agent, load[ev.Agent], capacity)
			}
			f.end(ev.Conv, parties[ev.Agent], conns[ev.Agent])
		case RoutingEnded:
			ended++
			load[ev.Agent]--
		}
	}
	if assigned != customers {
		t.Fatalf("assigned=%d, want %d", assigned, customers)
	}
	f.waitStats("every team's queue drained", func(s Stats) bool { return s.Queued == 0 && s.Conversations == 0 })
}

// TestTransferToTeam: an agent hands a conversation to another team's
// queue, whose member takes it; a closed or unknown team is refused and
// the conversation stays.
func TestTransferToTeam(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "x")
	f.setTeam("tm_y", 1, "y")
	f.send(f.dispatcher, &TeamChanged{Team: store.Team{ID: "tm_shut", Name: "shut", Version: 1, Hours: hours.Spec{TimeZone: "UTC"}}})
	x, _ := f.agent("x", 1)
	c, cp := f.customer("c")
	f.request(c, "tm_x")
	conv := f.event(RoutingAssigned).Conv

	if fe, ok := f.ask(&TransferConv{Conv: conv, By: x.ID, To: "tm_shut"}).(*FrameError); !ok || fe.Code != ErrCodeTeamClosed {
		t.Fatalf("transfer to a closed team answered %#v, want %s", fe, ErrCodeTeamClosed)
	}
	if fe, ok := f.ask(&TransferConv{Conv: conv, By: x.ID, To: "tm_nosuch"}).(*FrameError); !ok || fe.Code != ErrCodeUnknownTeam {
		t.Fatalf("transfer to no team answered %#v, want %s", fe, ErrCodeUnknownTeam)
	}
	f.send(f.dispatcher, &TransferConv{Conv: conv, By: x.ID, To: "tm_y", Note: "billing"})
	if ev := f.event(RoutingRequeued); ev.Team != "tm_y" {
		t.Fatalf("requeued into %q, want tm_y", ev.Team)
	}
	waitFor[*Requeued](t, cp, nil)
	y, _ := f.agent("y", 1)
	if ev := f.event(RoutingAssigned); ev.Agent != y.ID || ev.Conv != conv || ev.Team != "tm_y" {
		t.Fatalf("assigned %s to %s in %q, want the conversation to y in tm_y", ev.Conv, ev.Agent, ev.Team)
	}
}
