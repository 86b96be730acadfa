package server

// This file holds the actors' side of a start: the actor system and the
// goroutines its mailboxes run on, the long-lived actors, and the watch that
// stops the server if a vital one stops.

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actorpool"
	"kefu/actors"
	"kefu/metrics"
	"kefu/nodes"
	"kefu/store"
	"kefu/transport"
)

// actorThroughput is how many messages an actor handles before its
// goroutine is given to another: Proto.Actor's default.
const actorThroughput = 300

// actorIdle is how long a pooled goroutine waits for another mailbox
// before it exits: long enough to outlast the gaps of a busy server, short
// enough that a burst's goroutines do not linger.
const actorIdle = 5 * time.Second

// newMetrics returns the server's registry, watching st's write-ahead log
// when it has one.
func newMetrics(st store.Store) *metrics.Metrics {
	m := metrics.New()
	if wal, ok := st.(interface{ WALBytes() int64 }); ok {
		m.ObserveWAL(wal.WALBytes)
	}
	return m
}

// startActorSystem starts the actor system, on the pool of reused
// goroutines unless PlainGoroutines, and returns the directory the actors
// are found through (wrapped by a test's faults). The conversations and
// agents it activates share the node's values (actors.Kinds): convs is
// where conversations read themselves back from.
func (s *Server) startActorSystem(convs store.Conversations) actors.Directory {
	s.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		// The library logs every dead letter and lifecycle step at Info;
		// only its warnings belong in our log.
		return slog.New(minLevel{Handler: s.cfg.Log.Handler(), min: slog.LevelWarn}).With("lib", "protoactor")
	}))
	local := actors.NewLocalDirectory(s.system)
	if !s.cfg.PlainGoroutines {
		s.pool = actorpool.New(actorThroughput, actorIdle)
		local.UseDispatcher(s.pool)
		s.metrics.ObservePool(s.pool.Goroutines)
	}
	var dir actors.Directory = local
	if s.cfg.Cluster.Enabled() {
		dir = s.newClusterNode(local)
	}
	if s.cfg.wrapDirectory != nil {
		dir = s.cfg.wrapDirectory(dir)
	}
	s.kinds = &actors.Kinds{Dir: dir, Store: convs, Log: s.cfg.Log, Now: s.cfg.Now, EncodeMsg: transport.EncodeMessage}
	if s.clustered() {
		s.kinds.Claim, s.kinds.Epoch = s.claim, s.epoch
		s.kinds.Identity = nodes.GrainIdentity
	}
	local.UseKinds(s.kinds)
	return dir
}

// spawnActors starts the actors that live as long as the server: the store
// writer, a dispatcher per pool, the monitor (a grain on a cluster) and
// its reporter, and the sessions. convs is
// what the writer stores to.
func (s *Server) spawnActors(dir actors.Directory, convs store.Conversations) error {
	cfg := s.cfg
	var err error
	s.writer, err = dir.Spawn(actors.KindStore, actors.StoreWriterID, actors.NewStoreWriterProps(actors.StoreWriterConfig{
		Store: convs, Log: cfg.Log, Observe: s.metrics.Commit, Fenced: s.metrics.StoreFenced, Node: s.system.ID,
		Linger: cfg.CommitLinger, MailQueued: s.mailQueued(),
	}))
	if err != nil {
		return fmt.Errorf("cannot start store writer: %w", err)
	}
	s.dispatchers = map[actors.Pool]*actor.PID{}
	for _, pool := range actors.Pools() {
		if s.clustered() {
			// A grain: activated by its first message, wherever the
			// cluster places it.
			s.dispatchers[pool] = dir.PID(actors.KindDispatcher, actors.DispatcherID(pool))
			continue
		}
		if s.dispatchers[pool], err = dir.Spawn(actors.KindDispatcher, actors.DispatcherID(pool), actors.NewDispatcherProps(s.dispatcherConfig(dir, pool))); err != nil {
			return fmt.Errorf("cannot start the %s dispatcher: %w", pool, err)
		}
	}
	if err := s.startMonitor(dir); err != nil {
		return err
	}
	if _, err := dir.Spawn(actors.KindSessions, actors.SessionsID, actors.NewSessionsProps(dir)); err != nil {
		return fmt.Errorf("cannot start sessions: %w", err)
	}
	return nil
}

// monitorConfig is the monitor's settings: the same on every node, since
// on a cluster they are its grain kind's, whichever node it lives on.
func (s *Server) monitorConfig(dir actors.Directory) actors.MonitorConfig {
	return actors.MonitorConfig{
		Dir:         dir,
		SampleEvery: s.cfg.StatsSampleEvery,
		PointEvery:  s.cfg.StatsPointEvery,
		Log:         s.cfg.Log,
		Now:         s.cfg.Now,
	}
}

// startMonitor starts the node's reporter, which sends the monitor this
// node's message count, and on a single node the monitor itself. On a
// cluster the monitor is a grain (joinCluster registers its kind): the
// reporters' first samples activate it, wherever the cluster places it.
func (s *Server) startMonitor(dir actors.Directory) error {
	var err error
	if !s.clustered() {
		if s.monitor, err = dir.Spawn(actors.KindMonitor, actors.MonitorID, actors.NewMonitorProps(s.monitorConfig(dir))); err != nil {
			return fmt.Errorf("cannot start monitor: %w", err)
		}
	}
	s.reporter, err = dir.Spawn(actors.KindNodeReporter, actors.NodeReporterID, actors.NewNodeReporterProps(actors.NodeReporterConfig{
		Dir:      dir,
		Node:     s.system.ID,
		Every:    s.cfg.StatsSampleEvery,
		Messages: s.metrics.MessagesReceived,
	}))
	if err != nil {
		return fmt.Errorf("cannot start the node reporter: %w", err)
	}
	return nil
}

// stopMonitor stops this node's reporter and, on a single node, the
// monitor: their timers would outlive the actor system. A cluster's
// monitor is a grain, which moves with the leave.
func (s *Server) stopMonitor() (errs []error) {
	for _, pid := range []*actor.PID{s.reporter, s.monitor} {
		if pid == nil {
			continue
		}
		if err := s.system.Root.PoisonFuture(pid).Wait(); err != nil {
			errs = append(errs, fmt.Errorf("stopping %s: %w", pid.Id, err))
		}
	}
	return errs
}

// dispatcherConfig is pool's dispatcher's settings (on a cluster, pool is
// 0 and the grain takes its own from its identity). The dispatchers keep
// the limits on customers, as they own the queue; the gateway keeps the
// rest.
func (s *Server) dispatcherConfig(dir actors.Directory, pool actors.Pool) actors.DispatcherConfig {
	cfg := s.cfg
	abuse := cfg.Abuse.WithDefaults()
	return actors.DispatcherConfig{
		Pool:             pool,
		Dir:              dir,
		ReservationTTL:   cfg.ReservationTTL,
		ReservationCap:   cfg.Abuse.RoomsPerIP,
		AgentGrace:       cfg.Grace,
		CustomerGrace:    cfg.Grace,
		HistoryPage:      cfg.HistoryPage,
		Log:              cfg.Log,
		Now:              cfg.Now,
		Metrics:          s.metrics,
		CustomersPerAddr: max(abuse.CustomersPerIP, 0),
		ConvStarts:       abuse.ConvStarts,
		Forms:            abuse.Forms,
		TrackedCustomers: abuse.TrackedKeys,
		InboxMax:         cfg.InboxMax,
	}
}

// watchVitals watches the dispatchers and the store writer: if either stops
// on its own, its name goes to s.down and Run stops the server.
func (s *Server) watchVitals() {
	s.down = make(chan string, 1)
	s.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch msg := ctx.Message().(type) {
		case *actor.Started:
			for _, pid := range s.dispatchers {
				if !s.clustered() { // a grain that stops has moved
					ctx.Watch(pid)
				}
			}
			ctx.Watch(s.writer)
		case *actor.Terminated:
			who := "dispatcher"
			if msg.Who.Equal(s.writer) {
				who = "store writer"
			}
			select {
			case s.down <- who:
			default: // one is enough to stop
			}
		}
	}))
}
