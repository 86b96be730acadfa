package actors

import "github.com/asynkron/protoactor-go/actor"

// connPIDs remembers the addresses of the last two connections a
// conversation acknowledged messages to: nearly always its customer's and
// its agent's. Directory.PID builds a new PID at every call (its name, the
// PID and its process cache: three allocations), and every message costs
// an ack. A remembered PID is as good as a fresh one: protoactor resolves
// it again once the actor behind it has stopped, so an ack to a closed
// connection still goes to dead letters, and one to a connection that a
// new actor took over under the same name reaches the new actor.
type connPIDs struct {
	conn [2]ConnID
	pid  [2]*actor.PID
	next int // the slot the next new connection takes
}

// get returns conn's address, looking it up in dir if not remembered.
func (p *connPIDs) get(dir Directory, conn ConnID) *actor.PID {
	for i := range p.conn {
		if p.pid[i] != nil && p.conn[i] == conn {
			return p.pid[i]
		}
	}
	pid := dir.PID(KindConn, string(conn))
	p.conn[p.next], p.pid[p.next] = conn, pid
	p.next = 1 - p.next
	return pid
}
