package actors

// The conversations a connection has seen end. On a cluster, word of a
// conversation can come after its end: a rejoin's list made before the
// dispatcher heard of the end, an agent actor's Resync from a conversation
// that moved as it ended, the answer to a probe that crossed the end. Taken
// as news, any of these opened the ended conversation again, and the client
// was given its whole history a second time (the rolling restart's agents
// got seq 1 after seq 10). So an end is final for the connection: a later
// word of that conversation opens nothing. Transfers and requeues are not
// ends: the same conversation may come back to the same client.

// maxEnded bounds how many ended conversations a connection remembers; the
// oldest are forgotten first. A late word comes within seconds of the end,
// and an agent's tab ends far fewer than this in that time.
const maxEnded = 256

// endedConvs remembers the last maxEnded conversations a connection saw end.
type endedConvs struct {
	ids   map[ConvID]struct{}
	order []ConvID
}

func (e *endedConvs) add(id ConvID) {
	if e.ids == nil {
		e.ids = map[ConvID]struct{}{}
	}
	if _, seen := e.ids[id]; seen {
		return
	}
	if len(e.order) == maxEnded {
		delete(e.ids, e.order[0])
		e.order = e.order[1:]
	}
	e.ids[id] = struct{}{}
	e.order = append(e.order, id)
}

func (e *endedConvs) has(id ConvID) bool {
	_, ok := e.ids[id]
	return ok
}

// endsFor reports whether a conversation closed for reason is over for
// this connection for good.
func endsFor(reason string) bool {
	return reason != ReasonTransferred && reason != ReasonRequeued
}
