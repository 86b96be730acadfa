package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
)

// Messages the node reporter sends and receives.
type (
	// NodeSample is one node's count of chat messages so far, sent to the
	// monitor every SampleEvery by that node's reporter: the monitor may
	// live on another node (a grain on a cluster), and messages per second
	// are the whole cluster's, summed from each node's differences
	// (monitor_nodes.go).
	NodeSample struct {
		Node     string // the node's actor system id: new at every start
		Messages uint64 // cumulative since the node started
	}

	// reportTick is the reporter's own timer: time to send a sample.
	reportTick struct{}
)

// KindNodeReporter is the node reporter's kind: one per node, never a
// grain, found by its id NodeReporterID.
const (
	KindNodeReporter Kind = "reporter"
	NodeReporterID        = "main"
)

// NodeReporterConfig is everything a node's reporter starts with.
type NodeReporterConfig struct {
	Dir Directory // where the monitor is found
	// Node names this node in its samples: its actor system's id, which is
	// new at each start, so a restarted node is a new one to the monitor
	// and its count from zero is no step backwards.
	Node string
	// Every is how often a sample is sent: the monitor's SampleEvery.
	// Zero: DefaultSampleEvery.
	Every time.Duration
	// Messages returns how many chat messages clients have sent to this
	// node so far (metrics.Metrics.MessagesReceived).
	Messages func() uint64
}

// nodeReporter sends its node's message count to the monitor, wherever
// the monitor lives. It holds nothing but its timer: a sample lost on the
// way (remote delivery is at-most-once) is made good by the next one,
// since each carries the running total.
type nodeReporter struct {
	NodeReporterConfig
	timers *scheduler.TimerScheduler
	stop   scheduler.CancelFunc
}

// NewNodeReporterProps returns the props of a node's reporter.
func NewNodeReporterProps(cfg NodeReporterConfig) *actor.Props {
	if cfg.Every <= 0 {
		cfg.Every = DefaultSampleEvery
	}
	return actor.PropsFromProducer(func() actor.Actor { return &nodeReporter{NodeReporterConfig: cfg} })
}

// Receive handles one message; state changes only here.
func (r *nodeReporter) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		r.timers = scheduler.NewTimerScheduler(ctx.ActorSystem().Root)
		ctx.Send(ctx.Self(), &reportTick{}) // the first sample at once: the monitor's baseline
	case *reportTick:
		// PID does not block: on a cluster it is the grain's stable
		// address, which resolves on its own goroutine.
		ctx.Send(r.Dir.PID(KindMonitor, MonitorID), &NodeSample{Node: r.Node, Messages: r.Messages()})
		// Armed by each tick rather than SendRepeatedly, whose stop races
		// its timer (see connection.armBeat).
		r.stop = r.timers.SendOnce(r.Every, ctx.Self(), &reportTick{})
	case *actor.Stopping:
		if r.stop != nil {
			r.stop()
		}
	}
}
