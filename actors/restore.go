package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// restore brings back conversations that were open before a restart. Their
// customers and agents are all away now, as if their connections had just
// dropped: each gets the grace period to come back. A conversation whose
// agent does not return goes back to the head of the queue; one whose
// customer does not return ends.
func (d *dispatcher) restore(ctx actor.Context, convs []store.Conversation) {
	for _, rc := range convs {
		d.ticket = max(d.ticket, rc.Ticket)
		cust := d.customers[rc.CustomerID]
		if cust == nil {
			cust = &customerRec{Party: Party{Role: RoleCustomer, ID: rc.CustomerID, Name: rc.CustomerName}, pool: PoolNative}
			d.customers[cust.ID] = cust
		}
		c := &convRec{id: ConvID(rc.ID), customer: cust, ticket: rc.Ticket, started: rc.StartedAt}
		d.convs[c.id] = c
		cust.conv = c
		if rc.AgentID == "" {
			c.wait = &waiting{customer: cust, conv: c, ticket: c.ticket, since: d.Now()}
			cust.wait = c.wait
			d.queue.pushBack(c.wait)
			cust.graceGen = d.nextGen()
			d.after(ctx, d.CustomerGrace, &customerGraceExpired{Customer: cust.ID, Gen: cust.graceGen})
			d.spawnConv(ctx, c, nil, true)
			continue
		}
		a := d.agents[rc.AgentID]
		if a == nil {
			var err error
			a, err = d.newAgent(ctx, &AgentConnect{Agent: Party{Role: RoleAgent, ID: rc.AgentID, Name: rc.AgentName}, Pool: PoolNative})
			if err != nil {
				d.Log.Error("cannot restore agent", "agent", rc.AgentID, "err", err)
				continue
			}
			a.graceGen = d.nextGen()
			d.after(ctx, d.AgentGrace, &agentGraceExpired{Agent: a.ID, Gen: a.graceGen})
		}
		d.seat(c, a)
		d.spawnConv(ctx, c, a, true)
	}
	d.Log.Info("conversations restored", "count", len(convs), "queued", d.queue.len())
}
