package actors

import (
	"cmp"
	"container/heap"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/hours"
	"kefu/store"
)

// TeamChanged tells the native dispatcher a team's configuration as just
// stored: created, edited, its members set, or archived. A version older
// than the one it holds is ignored, so two changes overtaking each other
// do no harm; a lost one is healed by the next restore, which reads the
// same store.
type TeamChanged struct{ Team store.Team }

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
	cfg         store.Team
	hours       hours.Schedule  // cfg.Hours, parsed once
	members     map[string]bool // agent ids; nil when cfg.Everyone
	queue       queue
	inbox       []*inboxEntry // its offline forms, by ticket (dispatcher_inbox.go)
	free        eligible      // its members who can take a customer now
	avgDuration time.Duration
}

// has reports whether agent is a member of t.
func (t *teamRec) has(agent string) bool { return t.cfg.Everyone || t.members[agent] }

// takes reports whether t accepts new customers at now: it is live and
// open by its hours. Customers already waiting at closing time stay and
// are served; an archived team's queue drains.
func (t *teamRec) takes(now time.Time) (ok bool, code string) {
	switch {
	case t.cfg.Archived():
		return false, ErrCodeUnknownTeam
	case !t.hours.Open(now):
		return false, ErrCodeTeamClosed
	}
	return true, ""
}

// teamMember is one agent's place in one team: its index in that team's
// heap. An agent in several teams sits in each team's heap.
type teamMember struct {
	team      *teamRec
	agent     *agentRec
	heapIndex int // in team.free, or -1
}

func (d *dispatcher) newTeam(id string) *teamRec {
	t := &teamRec{id: id, cfg: store.Team{ID: id, Everyone: true, Hours: hours.Spec{AlwaysOpen: true}},
		free: eligible{before: d.Policy}, avgDuration: defaultConvDuration}
	d.teams[id] = t
	return t
}

// setTeams applies the teams read at a restore, archived ones included
// (their queues drain).
func (d *dispatcher) setTeams(teams []store.Team) {
	for _, cfg := range teams {
		d.setTeam(cfg)
	}
}

// teamChanged applies a team's new configuration and serves whoever its
// new members can take. Only the native pool has teams but the general.
func (d *dispatcher) teamChanged(ctx actor.Context, msg *TeamChanged) {
	if !d.Pool.rules().queues {
		return
	}
	if d.setTeam(msg.Team) {
		d.assignWaiting(ctx)
	}
}

// setTeam applies cfg unless the team holds a newer version already, and
// puts every agent in its teams again; it reports whether it applied.
// Hours that do not parse (the API checked them) leave the team always
// open: a customer is never refused for a schedule nobody can read.
func (d *dispatcher) setTeam(cfg store.Team) bool {
	t := d.teams[cfg.ID]
	if t == nil {
		t = d.newTeam(cfg.ID)
	} else if cfg.Version < t.cfg.Version {
		return false
	}
	if cfg.ID == store.GeneralTeamID {
		cfg.Everyone = true // whatever is stored: every agent is in it
	}
	t.cfg = cfg
	sc, err := hours.Parse(cfg.Hours)
	if err != nil {
		d.Log.Error("team hours unreadable; always open", "team", cfg.ID, "err", err)
		sc = hours.Schedule{}
	}
	t.hours = sc
	t.members = nil
	if !cfg.Everyone {
		t.members = make(map[string]bool, len(cfg.Members))
		for _, id := range cfg.Members {
			t.members[id] = true
		}
	}
	for _, a := range d.agents {
		d.join(a)
	}
	if cfg.Archived() {
		d.inboxToGeneral(t)
	}
	return true
}

// inboxToGeneral moves an archived team's forms to the general team's
// inbox, where every agent sees them: no console lists an archived team,
// and its customers, one form each, would wait for nobody.
func (d *dispatcher) inboxToGeneral(t *teamRec) {
	moved := t.inbox
	t.inbox = nil
	for _, e := range moved {
		delete(d.inbox, e.item.Conv)
		delete(d.inboxOf, e.item.Customer.ID)
		e.item.Team = store.GeneralTeamID
		d.addToInbox(nil, e.item) // the tabs learn it at their next inbox frame
	}
}

// teamFor is the team a request names: "" is the general team; nil for
// an id that is no team here.
func (d *dispatcher) teamFor(id string) *teamRec {
	if id == "" {
		return d.general()
	}
	return d.teams[id]
}

// teamOrGeneral is the team a stored record names, or the general team
// when it names none known here (a record from before teams).
func (d *dispatcher) teamOrGeneral(id string) *teamRec {
	if t := d.teams[id]; t != nil {
		return t
	}
	return d.general()
}

// general is the team every agent of the pool is in.
func (d *dispatcher) general() *teamRec { return d.teams[store.GeneralTeamID] }

// join puts agent a in each team it is a member of, and in no other: at
// its first connection and after any team's change. The general team is
// every agent's.
func (d *dispatcher) join(a *agentRec) {
	for _, m := range a.teams {
		if m.heapIndex >= 0 {
			heap.Remove(&m.team.free, m.heapIndex)
		}
	}
	a.teams = a.teams[:0]
	for _, t := range d.teams {
		if t.has(a.ID) {
			a.teams = append(a.teams, &teamMember{team: t, agent: a, heapIndex: -1})
		}
	}
	d.refresh(a)
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

// teamIDs are the ids of a's teams, sorted; none for an agent of a pool
// without a queue (the tutorial's), whose one team is no one's choice.
func (a *agentRec) teamIDs() []string {
	if !a.pool.rules().queues {
		return nil
	}
	out := make([]string, 0, len(a.teams))
	for _, m := range a.teams {
		out = append(out, m.team.id)
	}
	slices.Sort(out)
	return out
}

// teamStats is each live team, and each archived one still draining, as
// a supervisor sees it, in the picker's order; none in a pool without a
// queue (the tutorial's).
func (d *dispatcher) teamStats() []TeamStat {
	if !d.Pool.rules().queues {
		return nil
	}
	now := d.Now()
	byTeam := make(map[*teamRec]*TeamStat, len(d.teams))
	out := make([]TeamStat, 0, len(d.teams))
	for _, t := range d.teams {
		if t.cfg.Archived() && t.queue.len() == 0 {
			continue
		}
		out = append(out, TeamStat{ID: t.id, Name: t.cfg.Name, Open: t.hours.Open(now), Archived: t.cfg.Archived(),
			Queued: t.queue.len(), OldestQueued: t.queue.oldestAsked(), Everyone: t.cfg.Everyone,
			Inbox: len(t.inbox), OldestInbox: t.oldestForm()})
	}
	slices.SortFunc(out, func(x, y TeamStat) int {
		tx, ty := d.teams[x.ID].cfg, d.teams[y.ID].cfg
		return cmp.Or(cmp.Compare(tx.Position, ty.Position), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	for i := range out {
		byTeam[d.teams[out[i].ID]] = &out[i]
	}
	for _, a := range d.agents {
		for _, m := range a.teams {
			s := byTeam[m.team]
			if s == nil {
				continue
			}
			if len(a.conns) > 0 {
				s.AgentsOnline++
			}
			if a.canTake() {
				s.AgentsFree++
			}
			if !s.Everyone {
				s.Members = append(s.Members, a.ID)
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Members)
	}
	return out
}
