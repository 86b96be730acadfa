package nodes

import (
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
)

// membership is this node's view of the live members and of who owns which
// grain, taken from the cluster's topology events and swapped whole on each.
//
// It replaces two things of the library's: MemberList.Members reads its set
// without the list's lock, and disthash's Manager.Get reads its rendezvous
// table while topology events replace it (both are data races under -race).
// The owner is computed exactly as disthash's placement actor computes it
// (a cluster.Rendezvous over the topology's members), so both agree.
type membership struct {
	view atomic.Pointer[topologyView]
}

type topologyView struct {
	live map[string]string // member address → its member id (a restarted node at the same address has a new one)
	rdv  *cluster.Rendezvous
}

func watchMembership(system *actor.ActorSystem) *membership {
	m := &membership{}
	m.view.Store(&topologyView{live: map[string]string{}, rdv: cluster.NewRendezvous()})
	system.EventStream.Subscribe(func(ev any) {
		t, ok := ev.(*cluster.ClusterTopology)
		if !ok {
			return
		}
		v := &topologyView{live: make(map[string]string, len(t.Members)), rdv: cluster.NewRendezvous()}
		for _, mem := range t.Members {
			v.live[mem.Address()] = mem.Id
		}
		v.rdv.UpdateMembers(t.Members)
		m.view.Store(v)
	})
	return m
}

// Alive reports whether addr is a member now.
func (m *membership) Alive(addr string) bool { return m.view.Load().live[addr] != "" }

// memberAt is the id of the member at addr now, or "".
func (m *membership) memberAt(addr string) string { return m.view.Load().live[addr] }

// Addresses lists the members now.
func (m *membership) Addresses() []string {
	live := m.view.Load().live
	out := make([]string, 0, len(live))
	for a := range live {
		out = append(out, a)
	}
	return out
}

// owner is the address of the member that activates (kind, id), or "".
func (m *membership) owner(kind, id string) string {
	return m.view.Load().rdv.GetByClusterIdentity(cluster.NewClusterIdentity(id, kind))
}

// activator resolves grains as disthash does: ask the owner's placement
// actor for the activation, which it spawns if there is none. The wait is
// kefu's own, shorter than the library's fixed 5 s: a slow answer is asked
// again, and the placement actor answers a repeat with the same activation.
type activator struct {
	system  *actor.ActorSystem
	members *membership
	timeout time.Duration
}

// Get implements Resolver.
func (a *activator) Get(id, kind string) *actor.PID {
	owner := a.members.owner(kind, id)
	if owner == "" {
		return nil
	}
	req := &cluster.ActivationRequest{ClusterIdentity: cluster.NewClusterIdentity(id, kind)}
	placement := actor.NewPID(owner, disthash.PartitionActivatorActorName)
	res, err := a.system.Root.RequestFuture(placement, req, a.timeout).Result()
	if err != nil {
		return nil
	}
	if r, ok := res.(*cluster.ActivationResponse); ok && r.Pid != nil {
		return r.Pid
	}
	return nil
}
