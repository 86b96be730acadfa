package actors

import (
	"log/slog"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
)

// Messages the monitor receives.
type (
	// GetSupervision asks for the supervisor's view. Answered with
	// *Supervision (monitor_report.go), whose history holds only the
	// points after Since (all of them when zero), none with NoHistory: on
	// a cluster the answer crosses nodes at every poll, and an hour of
	// points with every team's share in each is large.
	GetSupervision struct {
		Since     time.Time
		NoHistory bool
	}

	// monitorTick is the monitor's own timer: time to sample.
	monitorTick struct{}
)

// MonitorID is the id of the one monitor: on a cluster, the grain's
// identity (kind KindMonitor).
const MonitorID = "main"

// MonitorConfig is everything the monitor starts with. On a cluster it is
// a grain's (kind KindMonitor), spawned from these props on whichever node
// owns it: nothing here may be one node's own.
type MonitorConfig struct {
	Dir Directory
	// SampleEvery is how often the dispatcher is asked for a snapshot: how
	// fresh the supervisor's numbers are. PointEvery is how often the
	// samples become one point of history, and Keep how much history is
	// kept. Zero: the defaults below.
	SampleEvery time.Duration
	PointEvery  time.Duration
	Keep        time.Duration
	Log         *slog.Logger     // nil: slog.Default
	Now         func() time.Time // nil: time.Now
}

// Defaults for MonitorConfig.
const (
	DefaultSampleEvery = 2 * time.Second // the page polls as often
	DefaultPointEvery  = 10 * time.Second
	DefaultKeep        = time.Hour
	// ttaWindowPoints is how many points the headline time-to-assignment
	// percentiles cover: 5 minutes at the default PointEvery.
	ttaWindowPoints = 30
	// maxTrackedWait caps a recorded wait: anything longer counts as this.
	maxTrackedWait = time.Hour
)

// monitor keeps what the supervisor's view shows: the latest snapshot of
// the dispatchers' state (sampled, never shared; each pool's answer, summed
// as one), a ring of history points, the messages clients sent (each
// node's reporter sends its count, monitor_nodes.go), and the time
// customers waited for an agent, from the routing events the dispatchers
// send it. Everything comes to it as messages, so that it can live on any
// node of a cluster. It holds no routing state of its own and decides
// nothing; the dispatcher answers its requests like anyone's.
type monitor struct {
	MonitorConfig
	timers  *scheduler.TimerScheduler
	stop    scheduler.CancelFunc
	latest  *Snapshot // the pools' answers summed; nil until the first round is in
	sampled time.Time // when latest arrived
	// pools are each pool's latest answer, and answered which of them
	// have answered since the last tick: a sample is taken once every
	// pool's answer of a round is in, so the counts are of one moment.
	pools    [poolEnd]*Snapshot
	answered [poolEnd]bool
	// nodes is each reporting node's latest sample, and messages the sum
	// of their differences: the cluster's messages since the monitor
	// started (monitor_nodes.go).
	nodes    map[string]nodeCount
	messages uint64

	ring    ring[SupervisionPoint]
	point   interval            // the point being gathered
	recent  ring[messageSample] // the last PointEvery of samples, for messages per second
	waits   *hdrhistogram.WindowedHistogram
	waitMax int64 // maxTrackedWait in the histogram's unit
}

// interval is what happens between two history points.
type interval struct {
	start       time.Time
	messages    uint64 // monitor.messages at start
	assignments int
	arrivals    int
}

type messageSample struct {
	at    time.Time
	count uint64
}

// NewMonitorProps returns the props of the monitor.
func NewMonitorProps(cfg MonitorConfig) *actor.Props {
	if cfg.SampleEvery <= 0 {
		cfg.SampleEvery = DefaultSampleEvery
	}
	if cfg.PointEvery < cfg.SampleEvery {
		cfg.PointEvery = max(DefaultPointEvery, cfg.SampleEvery)
	}
	if cfg.Keep < cfg.PointEvery {
		cfg.Keep = max(DefaultKeep, cfg.PointEvery)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	// Stopped, not restarted, when it panics: on a cluster the placement
	// actor's supervisor would restart it with a second timer.
	return actor.PropsFromProducer(func() actor.Actor {
		samples := int(cfg.PointEvery/cfg.SampleEvery) + 1
		return &monitor{
			MonitorConfig: cfg,
			nodes:         map[string]nodeCount{},
			ring:          newRing[SupervisionPoint](int(cfg.Keep / cfg.PointEvery)),
			recent:        newRing[messageSample](samples),
			// Milliseconds, two significant digits: about 16 KiB a section.
			waits:   hdrhistogram.NewWindowed(ttaWindowPoints, 1, maxTrackedWait.Milliseconds(), 2),
			waitMax: maxTrackedWait.Milliseconds(),
		}
	}, actor.WithReceiverMiddleware(stopOnPanic(cfg.Log)))
}

// Receive handles one message; state changes only here.
func (m *monitor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		m.started(ctx)
	case *monitorTick:
		m.dropSilent()
		m.answered = [poolEnd]bool{}
		for _, p := range Pools() {
			ctx.Request(m.Dir.PID(KindDispatcher, DispatcherID(p)), &GetSnapshot{})
		}
		// The next tick, armed by each one rather than SendRepeatedly,
		// whose stop races its timer (see connection.armBeat).
		m.stop = m.timers.SendOnce(m.SampleEvery, ctx.Self(), &monitorTick{})
	case *Snapshot:
		if m.answer(msg) {
			m.sample(m.merged())
		}
	case *RoutingEvent:
		m.routed(msg)
	case *NodeSample:
		m.heard(msg)
	case *GetSupervision:
		ctx.Respond(m.report(msg))
	case *actor.Stopping:
		if m.stop != nil {
			m.stop()
		}
	}
}

func (m *monitor) started(ctx actor.Context) {
	now := m.Now()
	m.point = interval{start: now, messages: m.messages}
	m.recent.push(messageSample{at: now, count: m.messages})
	m.timers = scheduler.NewTimerScheduler(ctx.ActorSystem().Root)
	ctx.Send(ctx.Self(), &monitorTick{}) // the first sample at once
}

// routed counts arrivals and records how long each assigned native
// customer waited. The dispatchers send only these two kinds
// (monitorNeeds).
func (m *monitor) routed(ev *RoutingEvent) {
	switch {
	case ev.Kind == RoutingQueued:
		m.point.arrivals++
	case ev.Kind == RoutingAssigned && ev.Pool.rules().queues: // a wait only where customers queue
		m.point.assignments++
		ms := min(max(ev.Waited.Milliseconds(), 1), m.waitMax)
		_ = m.waits.Current.RecordValue(ms) // within range by construction
	}
}

// answer keeps one pool's snapshot and says whether every pool has
// answered this round.
func (m *monitor) answer(s *Snapshot) bool {
	if s.Pool <= 0 || s.Pool >= poolEnd {
		return false
	}
	m.pools[s.Pool], m.answered[s.Pool] = s, true
	for _, p := range Pools() {
		if !m.answered[p] {
			return false
		}
	}
	return true
}

// merged is every pool's latest snapshot as one: the counts summed, the
// agents together in the supervisor's order, as one dispatcher answered
// before each pool had its own.
func (m *monitor) merged() *Snapshot {
	out := &Snapshot{}
	for _, p := range Pools() {
		s := m.pools[p]
		out.Stats.Add(&s.Stats)
		out.Agents = append(out.Agents, s.Agents...)
		out.Teams = append(out.Teams, s.Teams...)
	}
	sortAgentStats(out.Agents)
	return out
}

// sample keeps the dispatchers' answer, and closes the point when its
// interval is over.
func (m *monitor) sample(s *Snapshot) {
	now := m.Now()
	m.latest, m.sampled = s, now
	m.recent.push(messageSample{at: now, count: m.messages})
	if now.Sub(m.point.start) < m.PointEvery-m.SampleEvery/2 {
		return
	}
	count := m.messages
	p := m.current(now)
	p.MessagesPerSecond = perSecond(count-m.point.messages, now.Sub(m.point.start))
	p.Assignments, p.Arrivals = m.point.assignments, m.point.arrivals
	p.TimeToAssignment = percentiles(m.waits.Current)
	m.ring.push(p)
	m.waits.Rotate()
	m.point = interval{start: now, messages: count}
}

// current is the latest snapshot as a point, at now.
func (m *monitor) current(now time.Time) SupervisionPoint {
	p := SupervisionPoint{At: now}
	if m.latest == nil {
		return p
	}
	s := m.latest.Stats
	p.Queued, p.AgentsOnline, p.AgentsFree, p.Serving = s.Queued, s.AgentsOnline, s.FreeAgents, s.Serving
	if !s.OldestQueued.IsZero() {
		p.OldestWait = max(now.Sub(s.OldestQueued), 0)
	}
	p.Teams = make([]TeamPoint, 0, len(m.latest.Teams))
	for _, t := range m.latest.Teams {
		tp := TeamPoint{ID: t.ID, Queued: t.Queued, AgentsOnline: t.AgentsOnline, AgentsFree: t.AgentsFree, Inbox: t.Inbox}
		if !t.OldestQueued.IsZero() {
			tp.OldestWait = max(now.Sub(t.OldestQueued), 0)
		}
		p.Teams = append(p.Teams, tp)
	}
	return p
}

func perSecond(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
