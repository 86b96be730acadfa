package loadtest

import (
	"fmt"
	"time"
)

// fill writes what the run measured into res, once every client has
// stopped (their records are then no longer written).
func fill(res *Result, h *harness, cl *clients, s *sampler, windowAt, windowEnd time.Time) {
	m := h.m
	res.Counts = Counts{
		SocketsPeak: int(m.peak.Load()),
		Connected:   m.everConnected.Load(),
		Queued:      m.queued.Load(),
		Assigned:    m.assigned.Load(),
		Sent:        m.sent.Load(),
		Acked:       m.acked.Load(),
		Delivered:   m.delivered.Load(),
		Reconnects:  m.reconnects.Load(),
	}
	res.Errors = m.errs.snapshot()
	v := verify(cl.streams())
	res.Verify = v.Verify
	if v.mismatched > 0 {
		res.Errors["verify:mismatch"] = v.mismatched
	}
	if v.oneSided > 0 {
		res.Errors["verify:one_sided"] = v.oneSided
	}
	if unassigned := int64(h.cfg.Customers) - m.assigned.Load(); unassigned > 0 {
		res.Errors["never_assigned"] = unassigned
	}
	res.Latency = map[string]Latency{
		"connect":  summary(m.connect.merged(false)),
		"assign":   summary(m.assign.merged(false)),
		"delivery": summary(m.delivery.merged(false)),
		"ack":      summary(m.ack.merged(false)),
	}
	if h.cfg.Protocol == ProtocolCompat {
		res.Latency["roundtrip"] = summary(m.roundTrip.merged(false))
	}
	if secs := windowEnd.Sub(windowAt).Seconds(); !windowAt.IsZero() && secs > 0 {
		res.Rates = Rates{
			SentPerSec:       float64(m.sent.Load()) / secs,
			DeliveredPerSec:  float64(m.delivered.Load()) / secs,
			AckedPerSec:      float64(m.acked.Load()) / secs,
			RoundTripsPerSec: float64(m.roundTrips.Load()) / secs,
		}
	}
	res.Series = s.series
	res.Server_ = s.usage
	for _, n := range s.nodes {
		if n.procErr != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("-server-pid: %v", n.procErr))
		}
		if len(s.nodes) > 1 {
			res.Nodes = append(res.Nodes, n.usage())
		}
	}
	if hwm := procField("/proc/self/status", "VmHWM"); hwm != "" {
		res.Notes = append(res.Notes, "harness peak RSS "+hwm)
	}
	if n := h.stale.Load(); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("agents ended %d conversations left open by an earlier run", n))
	}
	res.Notes = append(res.Notes, fmt.Sprintf("run id %s; at most %d first connections in flight at once; rates count what was delivered while draining too",
		h.run, dialParallel))
}

// streams gathers every conversation record of the run.
func (cl *clients) streams() []*stream {
	var out []*stream
	for _, c := range cl.customers {
		if c.st != nil {
			out = append(out, c.st)
		}
	}
	for _, a := range cl.agents {
		out = append(out, a.streams()...)
	}
	for _, c := range cl.compatCustomers {
		if c.agent != "" {
			out = append(out, c.ownSt, c.agentSt)
		}
	}
	for _, a := range cl.compatAgents {
		out = append(out, a.streams()...)
	}
	return out
}
