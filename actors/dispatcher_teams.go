package actors

import (
	"time"

	"kefu/store"
)

// teamRec is one team's routing state, owned by the dispatcher: its strict
// FIFO queue, its members who can take a customer now, and its wait
// estimate. Teams live inside the one dispatcher of their pool rather than
// in a dispatcher each, because an agent in two teams has one capacity:
// one actor keeps capacity and order single-writer facts
// (docs/teams-plan.md §1). Every pool has the general team, which every
// agent of the pool is in; with no other team, routing is as it was
// before teams.
type teamRec struct {
	id          string
	queue       queue
	free        eligible // its members who can take a customer now
	avgDuration time.Duration
}

// teamMember is one agent's place in one team: its index in that team's
// heap. An agent in several teams sits in each team's heap.
type teamMember struct {
	team      *teamRec
	agent     *agentRec
	heapIndex int // in team.free, or -1
}

func (d *dispatcher) newTeam(id string) *teamRec {
	t := &teamRec{id: id, free: eligible{before: d.Policy}, avgDuration: defaultConvDuration}
	d.teams[id] = t
	return t
}

// general is the team every agent of the pool is in.
func (d *dispatcher) general() *teamRec { return d.teams[store.GeneralTeamID] }

// join puts agent a in its teams: for now the general team only.
func (d *dispatcher) join(a *agentRec) {
	a.teams = []*teamMember{{team: d.general(), agent: a, heapIndex: -1}}
}

// refresh puts a in or out of each of its teams' heaps, or moves it there,
// after any change to its status, load, capacity or presence.
func (d *dispatcher) refresh(a *agentRec) {
	for _, m := range a.teams {
		m.team.free.refresh(m)
	}
}

// queued counts the customers waiting in every team's queue.
func (d *dispatcher) queued() int {
	n := 0
	for _, t := range d.teams {
		n += t.queue.len()
	}
	return n
}

// freeAgents counts the agents who can take a customer now, each once
// however many teams it is in.
func (d *dispatcher) freeAgents() int {
	n := 0
	for _, a := range d.agents {
		if a.canTake() {
			n++
		}
	}
	return n
}

// oldestAsked is when the customer who has waited longest, in any team's
// queue, first asked; zero when nobody waits.
func (d *dispatcher) oldestAsked() time.Time {
	var oldest time.Time
	for _, t := range d.teams {
		if o := t.queue.oldestAsked(); !o.IsZero() && (oldest.IsZero() || o.Before(oldest)) {
			oldest = o
		}
	}
	return oldest
}
