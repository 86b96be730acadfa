package clustertest

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// The queue's promises, replayed from what the dispatcher stored
// (routing_events) and what the conversations stored (conv_events), with
// the store's event kinds (store/event_kinds.go).
const (
	kindQueued      = "queued"
	kindLeftQueue   = "left_queue"
	kindAssigned    = "assigned"
	kindTransferred = "transferred"
	kindRequeued    = "requeued"
	kindEnded       = "ended"
)

// checkCapacity: no agent ever held more conversations than its capacity.
// Each conversation's conv_events give who served it from when to when;
// at equal times a slot freed counts before one taken, as the dispatcher
// frees before it serves the queue.
func checkCapacity(db *Stored) []error {
	type step struct {
		at    time.Time
		delta int
		conv  string
	}
	steps := map[string][]step{} // agent → its slots taken and freed
	events := map[string][]ConvEvent{}
	var order []string
	for _, e := range db.ConvEvents {
		if _, seen := events[e.Conv]; !seen {
			order = append(order, e.Conv)
		}
		events[e.Conv] = append(events[e.Conv], e)
	}
	for _, conv := range order {
		cur := ""
		for _, e := range events[conv] {
			if cur != "" {
				steps[cur] = append(steps[cur], step{e.At, -1, conv})
				cur = ""
			}
			if e.Kind == kindAssigned || e.Kind == kindTransferred {
				cur = e.Agent
				steps[cur] = append(steps[cur], step{e.At, +1, conv})
			}
		}
	}
	var errs []error
	for agent, ss := range steps {
		slices.SortStableFunc(ss, func(a, b step) int {
			return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.delta, b.delta))
		})
		capacity, held := db.Capacity[agent], 0
		for _, s := range ss {
			held += s.delta
			if held > capacity {
				errs = append(errs, fmt.Errorf("agent %s held %d conversations at %s (taking %s), capacity %d", agent, held, s.at.Format(time.StampMilli), s.conv, capacity))
				break
			}
		}
	}
	return errs
}

// waiter is a customer in the replayed queue.
type waiter struct {
	customer string
	ticket   uint64
	requeued bool // sent back: ahead of every first-time waiter
}

// before says whether w is served before v: requeued conversations first,
// each class in ticket (arrival) order.
func (w waiter) before(v waiter) bool {
	if w.requeued != v.requeued {
		return w.requeued
	}
	return w.ticket < v.ticket
}

// checkFIFO: nobody was served while a customer due before them waited
// connected. The queue is replayed from routing_events in the order
// applied; a customer away (its connection dropped, within its grace) is
// passed over by design, so only one the client's log shows connected
// from presence before the assignment to presence after it counts.
func checkFIFO(recs []*Record, db *Stored, presence time.Duration, outages []Outage) []error {
	conns := map[string][]Conn{}
	for _, r := range recs {
		if r.Role == "customer" {
			conns[r.Party] = append(conns[r.Party], r.Conns...)
		}
	}
	connected := func(customer string, at time.Time) bool {
		for _, c := range conns[customer] {
			lost := lostAt(c, outages)
			if !c.Welcomed.After(at.Add(-presence)) && (lost.IsZero() || !lost.Before(at.Add(presence))) {
				return true
			}
		}
		return false
	}
	waiting := map[string]waiter{}
	var errs []error
	for _, e := range db.Routing {
		switch e.Kind {
		case kindQueued:
			waiting[e.Customer] = waiter{customer: e.Customer, ticket: e.Ticket}
		case kindRequeued:
			waiting[e.Customer] = waiter{customer: e.Customer, ticket: e.Ticket, requeued: true}
		case kindLeftQueue, kindEnded:
			delete(waiting, e.Customer)
		case kindAssigned:
			served, ok := waiting[e.Customer]
			if !ok {
				served = waiter{customer: e.Customer, ticket: e.Ticket} // served on arrival
			}
			delete(waiting, e.Customer)
			for _, w := range waiting {
				if w.before(served) && connected(w.customer, e.At) {
					errs = append(errs, fmt.Errorf("at %s %s (ticket %d) was served while %s (ticket %d, requeued %v) waited connected ahead of it",
						e.At.Format(time.StampMilli), e.Customer, e.Ticket, w.customer, w.ticket, w.requeued))
				}
			}
		}
	}
	return errs
}

// lostAt is when connection c stopped counting: when its client saw it
// drop, or when its node stopped serving, whichever came first (zero:
// never).
func lostAt(c Conn, outages []Outage) time.Time {
	lost := c.Lost
	for _, o := range outages {
		if o.Server != c.Server || (!o.To.IsZero() && o.To.Before(c.Welcomed)) {
			continue
		}
		from := later(o.From, c.Welcomed)
		if lost.IsZero() || from.Before(lost) {
			lost = from
		}
	}
	return lost
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
