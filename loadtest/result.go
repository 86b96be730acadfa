// Package loadtest is `kefu loadtest`: simulated customers and agents that
// drive a running server over real sockets, measure it, verify that every
// message arrived exactly once and in order, and report.
package loadtest

import (
	"strconv"
	"time"
)

// Result is everything one run measured. The live progress line, the final
// table, --json and --html are all renderings of it.
type Result struct {
	Scenario string    `json:"scenario"` // "S1".."S5", or "custom"
	Protocol string    `json:"protocol"` // "native" or "compat"
	Server   string    `json:"server"`   // base URL driven, or several, comma-separated
	Started  time.Time `json:"started"`
	Duration Duration  `json:"duration"` // the measured window, ramp-up excluded
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`

	Counts  Counts             `json:"counts"`
	Errors  map[string]int64   `json:"errors"` // by kind: "dial", "login", "closed", "timeout", "refused", "error_frame:<code>", ...
	Verify  Verify             `json:"verify"`
	Latency map[string]Latency `json:"latency"` // "connect", "assign", "delivery", "ack"
	Rates   Rates              `json:"rates"`
	Series  []Sample           `json:"series"`                // one per second of the run, ramp-up included
	Server_ *ServerUsage       `json:"serverUsage,omitempty"` // with several servers, their sum
	Nodes   []NodeUsage        `json:"nodes,omitempty"`       // each server, when there are several
	Cost    *Cost              `json:"cost,omitempty"`        // per delivered message, over the window
	Targets []Target           `json:"targets,omitempty"`     // the scenario's targets, met or not
	Notes   []string           `json:"notes,omitempty"`       // anything the reader must know (fd limit raised, ...)
	_       struct{}           `json:"-"`
}

// Duration marshals as seconds with a fraction.
type Duration time.Duration

// MarshalJSON writes seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(time.Duration(d).Seconds(), 'f', -1, 64)), nil
}

// UnmarshalJSON reads seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	*d = Duration(f * float64(time.Second))
	return err
}

// Machine describes where the harness ran.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpuModel"`
	MemoryGiB int    `json:"memoryGiB"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	Hostname  string `json:"hostname"`
	FDLimit   uint64 `json:"fdLimit"`
}

// Settings are the effective knobs of the run.
type Settings struct {
	Agents       int      `json:"agents"`
	Capacity     int      `json:"capacity"`
	Customers    int      `json:"customers"`
	ArrivalOver  Duration `json:"arrivalOver"`  // 0: all at once
	MessageEvery Duration `json:"messageEvery"` // 0: closed loop, next when acknowledged
	Messages     int      `json:"messages"`     // per customer; 0: until the run ends
	ThinkTime    Duration `json:"thinkTime"`    // agent's delay before answering
	Churn        float64  `json:"churn"`        // fraction of clients that drop and resume
	ChurnEvery   Duration `json:"churnEvery"`
	RunFor       Duration `json:"runFor"`
	StoreOff     bool     `json:"storeOff"` // as reported by the scenario, for S2
}

// Counts are totals over the run.
type Counts struct {
	SocketsPeak int   `json:"socketsPeak"`
	Connected   int64 `json:"connected"`
	Queued      int64 `json:"queued"`
	Assigned    int64 `json:"assigned"`
	Sent        int64 `json:"sent"`
	Acked       int64 `json:"acked"`
	Delivered   int64 `json:"delivered"`
	Reconnects  int64 `json:"reconnects"`
}

// Verify is the delivery check over every conversation: all must be 0.
type Verify struct {
	Conversations int   `json:"conversations"`
	Lost          int64 `json:"lost"`
	Duplicated    int64 `json:"duplicated"`
	OutOfOrder    int64 `json:"outOfOrder"`
}

// OK says nothing was lost, duplicated or reordered.
func (v Verify) OK() bool { return v.Lost == 0 && v.Duplicated == 0 && v.OutOfOrder == 0 }

// Latency summarises one HdrHistogram, in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
	// Distribution is the percentile curve (HdrHistogram's
	// CumulativeDistribution), for plotting.
	Distribution []Point `json:"distribution"`
}

// Point is one point of a percentile curve.
type Point struct {
	Percentile float64 `json:"percentile"`
	Ms         float64 `json:"ms"`
}

// Rates are averages over the measured window.
type Rates struct {
	SentPerSec      float64 `json:"sentPerSec"`
	DeliveredPerSec float64 `json:"deliveredPerSec"`
	AckedPerSec     float64 `json:"ackedPerSec"`
	// RoundTripsPerSec is, on the compat protocol, the customers' lines
	// answered by their agent a second.
	RoundTripsPerSec float64 `json:"roundTripsPerSec,omitempty"`
}

// Sample is one second of the run.
type Sample struct {
	T               float64 `json:"t"` // seconds since start
	Connected       int64   `json:"connected"`
	Queued          int64   `json:"queued"` // customers waiting now
	Assigned        int64   `json:"assigned"`
	SentPerSec      float64 `json:"sentPerSec"`
	DeliveredPerSec float64 `json:"deliveredPerSec"`
	DeliveryP99Ms   float64 `json:"deliveryP99Ms"` // of this second's deliveries
	Errors          int64   `json:"errors"`
	ServerRSSMiB    float64 `json:"serverRssMiB,omitempty"`
	// ServerCPUPct is the server's CPU use in this second, in percent of
	// one core (200 is two cores busy).
	ServerCPUPct float64 `json:"serverCpuPct,omitempty"`
	// ServerGoroutines is from the server's /metrics, when it has one.
	ServerGoroutines int64 `json:"serverGoroutines,omitempty"`
}

// ServerUsage is what the harness saw of the server process, when it was
// given its pid (same machine).
type ServerUsage struct {
	PeakRSSMiB float64 `json:"peakRssMiB"`
	CPUSeconds float64 `json:"cpuSeconds"`
}

// NodeUsage is one server of a run that drove several (a cluster's
// nodes), in -server's order.
type NodeUsage struct {
	Server  string       `json:"server"`
	PID     int          `json:"pid,omitempty"`
	Usage   *ServerUsage `json:"usage,omitempty"`   // from /proc, given its pid
	Metrics *NodeMetrics `json:"metrics,omitempty"` // from its /metrics, when it serves them at Server
}

// NodeMetrics is what a node's /metrics said over the run.
type NodeMetrics struct {
	PeakConnections   int64 `json:"peakConnections"`   // kefu_connections, sampled each second
	MessagesReceived  int64 `json:"messagesReceived"`  // kefu_messages_received_total's growth
	MessagesDelivered int64 `json:"messagesDelivered"` // kefu_messages_delivered_total's growth
}

// Target is one of a scenario's targets and whether the run met it.
type Target struct {
	Name  string `json:"name"`  // "p99 delivery ≤ 100 ms"
	Value string `json:"value"` // what was measured
	Met   bool   `json:"met"`
}
