package loadtest

import (
	"context"
	"os"
	"slices"
	"time"
)

// Cost is what a delivered message cost the server (and the harness),
// issue 17's measure. CPU comes from /proc (-server-pid), so the bare
// relay is measured too; allocations, the GC and the live heap come from
// the server's /metrics (kefu only). Zero: not measured.
type Cost struct {
	// CPUPerDeliveredUs is the servers' CPU between the window's opening
	// and its close over the messages delivered in between, in µs: what
	// the steady chat costs, without the logins and hellos of the ramp.
	CPUPerDeliveredUs float64 `json:"cpuPerDeliveredUs"`
	// CPUPerDeliveredRunUs is the whole run's CPU over every delivery,
	// ramp-up and drain included.
	CPUPerDeliveredRunUs float64 `json:"cpuPerDeliveredRunUs"`
	// CPUPerDeliveredSteadyUs is the median over the window's seconds of
	// that second's CPU over its deliveries: robust to a slow second.
	CPUPerDeliveredSteadyUs float64 `json:"cpuPerDeliveredSteadyUs"`
	// CPUPerRoundTripUs is, on the compat protocol, the window's CPU over
	// the round trips it completed (a customer's line and its answer).
	CPUPerRoundTripUs float64 `json:"cpuPerRoundTripUs,omitempty"`
	// HarnessCPUPerDeliveredUs is the harness's own CPU in the window per
	// delivery: on one machine the two share the cores.
	HarnessCPUPerDeliveredUs float64 `json:"harnessCpuPerDeliveredUs"`
	// GCCPUPerDeliveredUs, AllocBytesPerDelivered, AllocsPerDelivered: the
	// window's GC CPU and allocations over its deliveries.
	GCCPUPerDeliveredUs    float64 `json:"gcCpuPerDeliveredUs,omitempty"`
	AllocBytesPerDelivered float64 `json:"allocBytesPerDelivered,omitempty"`
	AllocsPerDelivered     float64 `json:"allocsPerDelivered,omitempty"`
	// LiveHeapMiB is the heap the server's last GC before the window's
	// close found live; LiveHeapPerSocketKiB divides it by the peak
	// sockets, PeakRSSPerSocketKiB the peak RSS.
	LiveHeapMiB          float64 `json:"liveHeapMiB,omitempty"`
	LiveHeapPerSocketKiB float64 `json:"liveHeapPerSocketKiB,omitempty"`
	PeakRSSPerSocketKiB  float64 `json:"peakRssPerSocketKiB,omitempty"`
}

// costMark is what the run had used at one instant: the servers' CPU and
// allocation counters, the harness's CPU and the deliveries so far.
type costMark struct {
	serverCPU   float64 // seconds, summed over the servers given by pid
	serverCPUOK bool    // every pid read
	harnessCPU  float64
	delivered   int64
	roundTrips  int64
	metrics     metricsReading // summed over the servers serving /metrics
	metricsOK   bool           // at least one served them
}

// mark takes a costMark now: at the window's opening and at its close.
func (h *harness) mark() costMark {
	m := costMark{delivered: h.m.delivered.Load(), roundTrips: h.m.roundTrips.Load()}
	if u, err := readProc(os.Getpid()); err == nil {
		m.harnessCPU = u.CPUSeconds
	}
	pids := h.cfg.pids()
	m.serverCPUOK = len(pids) > 0
	for _, pid := range pids {
		u, err := readProc(pid)
		if err != nil {
			m.serverCPUOK = false
			continue
		}
		m.serverCPU += u.CPUSeconds
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, base := range h.servers {
		if r, err := newServerMetrics(base).read(ctx); err == nil {
			m.metrics, m.metricsOK = m.metrics.add(r), true
		}
	}
	return m
}

// costOf works out the run's Cost from the marks at the window's opening
// and close and what the run counted; from and to are the window's bounds
// in seconds since the run's start (Sample.T). Nil when the window saw no
// delivery.
func costOf(res *Result, open, closed costMark, from, to float64) *Cost {
	delivered := float64(closed.delivered - open.delivered)
	if delivered <= 0 {
		return nil
	}
	c := &Cost{HarnessCPUPerDeliveredUs: 1e6 * (closed.harnessCPU - open.harnessCPU) / delivered}
	if open.serverCPUOK && closed.serverCPUOK {
		cpu := closed.serverCPU - open.serverCPU
		c.CPUPerDeliveredUs = 1e6 * cpu / delivered
		if rt := closed.roundTrips - open.roundTrips; rt > 0 {
			c.CPUPerRoundTripUs = 1e6 * cpu / float64(rt)
		}
	}
	if s := res.Server_; s != nil && res.Counts.Delivered > 0 {
		c.CPUPerDeliveredRunUs = 1e6 * s.CPUSeconds / float64(res.Counts.Delivered)
	}
	c.CPUPerDeliveredSteadyUs = steadyCPU(res.Series, from, to)
	if open.metricsOK && closed.metricsOK {
		c.GCCPUPerDeliveredUs = 1e6 * (closed.metrics.GCCPU - open.metrics.GCCPU) / delivered
		c.AllocBytesPerDelivered = float64(closed.metrics.AllocBytes-open.metrics.AllocBytes) / delivered
		c.AllocsPerDelivered = float64(closed.metrics.Mallocs-open.metrics.Mallocs) / delivered
		c.LiveHeapMiB = float64(closed.metrics.HeapLive) / (1 << 20)
	}
	if sockets := float64(res.Counts.SocketsPeak); sockets > 0 {
		c.LiveHeapPerSocketKiB = 1024 * c.LiveHeapMiB / sockets
		if s := res.Server_; s != nil {
			c.PeakRSSPerSocketKiB = 1024 * s.PeakRSSMiB / sockets
		}
	}
	return c
}

// steadyCPU is the median, over the seconds of series within [from, to]
// that delivered anything, of that second's server CPU per delivery, in µs.
func steadyCPU(series []Sample, from, to float64) float64 {
	var per []float64
	for _, s := range series {
		if s.T > from && s.T <= to && s.DeliveredPerSec > 0 && s.ServerCPUPct > 0 {
			per = append(per, 1e4*s.ServerCPUPct/s.DeliveredPerSec)
		}
	}
	if len(per) == 0 {
		return 0
	}
	slices.Sort(per)
	return per[len(per)/2]
}
