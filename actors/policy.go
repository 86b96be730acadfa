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

// eligible is a heap of agents that can take a customer now, ordered by a
// Policy. Each agentRec remembers its index, so any agent's change is fixed
// in place in O(log n).
type eligible struct {
	before Policy
	agents []*agentRec
}

func (e *eligible) Len() int           { return len(e.agents) }
func (e *eligible) Less(i, j int) bool { return e.before(e.agents[i], e.agents[j]) }
func (e *eligible) Swap(i, j int) {
	e.agents[i], e.agents[j] = e.agents[j], e.agents[i]
	e.agents[i].heapIndex, e.agents[j].heapIndex = i, j
}
func (e *eligible) Push(x any) {
	a := x.(*agentRec)
	a.heapIndex = len(e.agents)
	e.agents = append(e.agents, a)
}
func (e *eligible) Pop() any {
	last := len(e.agents) - 1
	a := e.agents[last]
	e.agents[last] = nil
	e.agents = e.agents[:last]
	a.heapIndex = -1
	return a
}

// refresh puts a in or out of the heap, or moves it, after any change to
// its status, load, capacity or presence.
func (e *eligible) refresh(a *agentRec) {
	switch in := a.heapIndex >= 0; {
	case a.canTake() && !in:
		heap.Push(e, a)
	case a.canTake() && in:
		heap.Fix(e, a.heapIndex)
	case !a.canTake() && in:
		heap.Remove(e, a.heapIndex)
	}
}

// best is the agent the policy offers next, or nil.
func (e *eligible) best() *agentRec {
	if len(e.agents) == 0 {
		return nil
	}
	return e.agents[0]
}

// second is the agent the policy would offer after best, or nil: the
// better of the root's children.
func (e *eligible) second() *agentRec {
	switch len(e.agents) {
	case 0, 1:
		return nil
	case 2:
		return e.agents[1]
	}
	if e.before(e.agents[2], e.agents[1]) {
		return e.agents[2]
	}
	return e.agents[1]
}
