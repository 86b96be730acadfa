package actors

// movingDir is a node's directory that says actors move, as a cluster's
// does: a test stops an activated actor (a conversation, an agent) without
// its goodbye, as a dead node or a rebalance would, and checks that its
// watchers repair instead of giving up. Locally the actor comes back when
// it is activated again under the same id.
type movingDir struct{ Directory }

func (movingDir) Moves() bool { return true }

// move stops the actor (kind, id) abruptly, as its node dying would.
func (f *fixture) move(kind Kind, id string) {
	f.t.Helper()
	f.system.Root.Stop(f.dir.PID(kind, id))
}
