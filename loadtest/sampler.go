package loadtest

import (
	"context"
	"sync"
	"time"
)

// sampleEvery is the Series' resolution and the progress line's refresh.
const sampleEvery = time.Second

// sampler takes one Sample a second, from the run's start to its end, and
// shows each on the progress line. Its goroutine alone owns these fields
// until done is read.
type sampler struct {
	h     *harness
	prog  progress
	phase func() (name string, since time.Time) // the run's phase and when the window opened

	series                  []Sample
	lastSent, lastDelivered int64
	nodes                   []*node      // one per server, in -server's order
	usage                   *ServerUsage // the nodes' sum; nil when no pid could be read
}

// run samples until quit closes, then hands its series over on done.
func (s *sampler) run(quit <-chan struct{}, done chan<- *sampler) {
	defer func() { done <- s }()
	pids := s.h.cfg.pids()
	for i, base := range s.h.servers {
		pid := 0
		if i < len(pids) {
			pid = pids[i]
		}
		n := newNode(base, pid)
		s.nodes = append(s.nodes, n)
		if n.proc != nil {
			if s.usage == nil {
				s.usage = &ServerUsage{}
			}
			s.usage.PeakRSSMiB += n.proc.PeakRSSMiB
		}
	}
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-quit:
			s.eachNode(func(ctx context.Context, _ int, n *node) { n.finalMetrics(ctx) })
			s.prog.finish()
			return
		case now := <-t.C:
			s.take(now)
		}
	}
}

// eachNode runs do for every node at once, so that one slow server does
// not hold up the others' readings, and waits for all of them.
func (s *sampler) eachNode(do func(ctx context.Context, i int, n *node)) {
	ctx, cancel := context.WithTimeout(context.Background(), sampleEvery/2)
	defer cancel()
	var wg sync.WaitGroup
	for i, n := range s.nodes {
		wg.Go(func() { do(ctx, i, n) })
	}
	wg.Wait()
}

func (s *sampler) take(now time.Time) {
	m := s.h.m
	sent, delivered := m.sent.Load(), m.delivered.Load()
	p := Sample{
		T:               now.Sub(s.h.started).Seconds(),
		Connected:       m.connected.Load(),
		Queued:          m.waiting.Load(),
		Assigned:        m.assigned.Load(),
		SentPerSec:      float64(sent-s.lastSent) / sampleEvery.Seconds(),
		DeliveredPerSec: float64(delivered-s.lastDelivered) / sampleEvery.Seconds(),
		Errors:          m.errs.total.Load(),
	}
	s.lastSent, s.lastDelivered = sent, delivered
	if w := m.window.merged(true); w.TotalCount() > 0 {
		p.DeliveryP99Ms = float64(w.ValueAtQuantile(99)) / 1000
	}
	readings := make([]nodeReading, len(s.nodes))
	s.eachNode(func(ctx context.Context, i int, n *node) { readings[i] = n.take(ctx) })
	s.addNodes(&p, readings)
	s.series = append(s.series, p)
	phase, since := s.phase()
	s.prog.update(p, phase, since)
}

// addNodes sums the nodes' readings into the sample and the run's usage:
// a cluster is measured as one server, and each node on its own in
// Result.Nodes.
func (s *sampler) addNodes(p *Sample, readings []nodeReading) {
	var rss float64
	procOK := false
	for _, r := range readings {
		if r.procOK {
			procOK = true
			rss += r.rssMiB
			p.ServerCPUPct += r.cpuPct
		}
		if r.metricsOK {
			p.ServerGoroutines += r.goroutines
		}
	}
	if s.usage == nil {
		return
	}
	if procOK {
		p.ServerRSSMiB = rss
		s.usage.PeakRSSMiB = max(s.usage.PeakRSSMiB, rss)
	}
	s.usage.CPUSeconds = 0
	for _, n := range s.nodes {
		if n.proc != nil {
			s.usage.CPUSeconds += n.proc.CPUSeconds
		}
	}
}
