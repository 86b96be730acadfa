package loadtest

import (
	"context"
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
	usage                   *ServerUsage
	cpuStart, cpuLast       float64
	procErr                 error
	metrics                 *serverMetrics // nil when the server has no /metrics
}

// run samples until quit closes, then hands its series over on done.
func (s *sampler) run(quit <-chan struct{}, done chan<- *sampler) {
	defer func() { done <- s }()
	if pid := s.h.cfg.ServerPID; pid != 0 {
		if u, err := readProc(pid); err != nil {
			s.procErr = err
		} else {
			s.usage = &ServerUsage{PeakRSSMiB: u.RSSMiB}
			s.cpuStart, s.cpuLast = u.CPUSeconds, u.CPUSeconds
		}
	}
	s.metrics = newServerMetrics(s.h.cfg.Server)
	if _, err := s.metrics.goroutines(context.Background()); err != nil {
		s.metrics = nil
	}
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-quit:
			s.prog.finish()
			return
		case now := <-t.C:
			s.take(now)
		}
	}
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
	if s.usage != nil {
		if u, err := readProc(s.h.cfg.ServerPID); err == nil {
			p.ServerRSSMiB = u.RSSMiB
			p.ServerCPUPct = 100 * (u.CPUSeconds - s.cpuLast) / sampleEvery.Seconds()
			s.cpuLast = u.CPUSeconds
			s.usage.PeakRSSMiB = max(s.usage.PeakRSSMiB, u.RSSMiB)
			s.usage.CPUSeconds = u.CPUSeconds - s.cpuStart
		} else if s.procErr == nil {
			s.procErr = err // the server exited?
		}
	}
	if s.metrics != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sampleEvery/2)
		if n, err := s.metrics.goroutines(ctx); err == nil {
			p.ServerGoroutines = n
		}
		cancel()
	}
	s.series = append(s.series, p)
	phase, since := s.phase()
	s.prog.update(p, phase, since)
}
