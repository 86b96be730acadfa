package loadtest

import "context"

// node is the sampler's view of one server of the run: its process from
// /proc when given its pid, and its /metrics when it serves them at the
// URL the run drives (kefu serve -metrics-on-main). The sampler's
// goroutine owns it; the per-second reading runs in a goroutine of its
// own, which the sampler waits for.
type node struct {
	base string
	pid  int // 0: not sampled from /proc

	proc              *ServerUsage // nil: no pid, or unreadable at the start
	cpuStart, cpuLast float64
	procErr           error // the first reading that failed

	metrics     *serverMetrics // nil: no /metrics there
	first, last metricsReading
	peakConns   int64
}

// nodeReading is one second of one node: what could be read.
type nodeReading struct {
	procOK     bool
	rssMiB     float64
	cpuPct     float64 // of one core, over the last second
	metricsOK  bool
	goroutines int64
}

// newNode takes the node's first readings, from which the run's usage is
// counted.
func newNode(base string, pid int) *node {
	n := &node{base: base, pid: pid}
	if pid != 0 {
		if u, err := readProc(pid); err != nil {
			n.procErr = err
		} else {
			n.proc = &ServerUsage{PeakRSSMiB: u.RSSMiB}
			n.cpuStart, n.cpuLast = u.CPUSeconds, u.CPUSeconds
		}
	}
	n.metrics = newServerMetrics(base)
	r, err := n.metrics.read(context.Background())
	if err != nil {
		n.metrics = nil
	}
	n.first, n.last = r, r
	return n
}

// take reads the node once, a second after the last reading.
func (n *node) take(ctx context.Context) nodeReading {
	var r nodeReading
	if n.proc != nil {
		if u, err := readProc(n.pid); err == nil {
			r.procOK, r.rssMiB = true, u.RSSMiB
			r.cpuPct = 100 * (u.CPUSeconds - n.cpuLast) / sampleEvery.Seconds()
			n.cpuLast = u.CPUSeconds
			n.proc.PeakRSSMiB = max(n.proc.PeakRSSMiB, u.RSSMiB)
			n.proc.CPUSeconds = u.CPUSeconds - n.cpuStart
		} else if n.procErr == nil {
			n.procErr = err // the server exited?
		}
	}
	if n.metrics != nil {
		if m, err := n.metrics.read(ctx); err == nil {
			r.metricsOK, r.goroutines = true, m.Goroutines
			n.last, n.peakConns = m, max(n.peakConns, m.Connections)
		}
	}
	return r
}

// finalMetrics reads the node's counters once more at the end of the
// run, so that its message counts include the drain's last second.
func (n *node) finalMetrics(ctx context.Context) {
	if n.metrics == nil {
		return
	}
	if m, err := n.metrics.read(ctx); err == nil {
		n.last = m
	}
}

// usage is what the run saw of the node.
func (n *node) usage() NodeUsage {
	u := NodeUsage{Server: n.base, PID: n.pid, Usage: n.proc}
	if n.metrics != nil {
		u.Metrics = &NodeMetrics{
			PeakConnections:   n.peakConns,
			MessagesReceived:  n.last.Received - n.first.Received,
			MessagesDelivered: n.last.Delivered - n.first.Delivered,
		}
	}
	return u
}
