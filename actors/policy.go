package actors

import "container/heap"

// Policy orders the agents who can take a customer now: Before(a, b) says a
// should be offered before b. It is the whole routing policy; the dispatcher
// keeps eligible agents in a heap ordered by it, so picking is O(log n) and
// nothing scans every agent.
type Policy func(a, b *agentRec) bool

// LeastLoaded offers the agent with the fewest conversations first; among
// equals, the one whose last assignment is oldest (the longest idle).
func LeastLoaded(a, b *agentRec) bool {
	if la, lb := a.load(), b.load(); la != lb {
		return la < lb
	}
	return a.lastAssigned < b.lastAssigned
}

// RoundRobin ignores load and takes turns: the least recently assigned
// agent first.
func RoundRobin(a, b *agentRec) bool { return a.lastAssigned < b.lastAssigned }

// eligible is a heap of one team's members who can take a customer now,
// ordered by a Policy over their agents. Each membership remembers its
// index, so any agent's change is fixed in place in O(log n) per team.
type eligible struct {
	before  Policy
	members []*teamMember
}

func (e *eligible) Len() int           { return len(e.members) }
func (e *eligible) Less(i, j int) bool { return e.before(e.members[i].agent, e.members[j].agent) }
func (e *eligible) Swap(i, j int) {
	e.members[i], e.members[j] = e.members[j], e.members[i]
	e.members[i].heapIndex, e.members[j].heapIndex = i, j
}
func (e *eligible) Push(x any) {
	m := x.(*teamMember)
	m.heapIndex = len(e.members)
	e.members = append(e.members, m)
}
func (e *eligible) Pop() any {
	last := len(e.members) - 1
	m := e.members[last]
	e.members[last] = nil
	e.members = e.members[:last]
	m.heapIndex = -1
	return m
}

// refresh puts m in or out of the heap, or moves it, after any change to
// its agent's status, load, capacity or presence.
func (e *eligible) refresh(m *teamMember) {
	switch in, can := m.heapIndex >= 0, m.agent.canTake(); {
	case can && !in:
		heap.Push(e, m)
	case can && in:
		heap.Fix(e, m.heapIndex)
	case !can && in:
		heap.Remove(e, m.heapIndex)
	}
}

// best is the agent the policy offers next, or nil.
func (e *eligible) best() *agentRec {
	if len(e.members) == 0 {
		return nil
	}
	return e.members[0].agent
}

// second is the agent the policy would offer after best, or nil: the
// better of the root's children.
func (e *eligible) second() *agentRec {
	switch len(e.members) {
	case 0, 1:
		return nil
	case 2:
		return e.members[1].agent
	}
	if e.before(e.members[2].agent, e.members[1].agent) {
		return e.members[2].agent
	}
	return e.members[1].agent
}
