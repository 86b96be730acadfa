// Package server assembles kefu: the actor system, the dispatcher, the
// gateway and the listeners, and takes them down in order. main and the
// end-to-end tests build the server the same way, through New.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/accounts"
	"kefu/actorpool"
	"kefu/actors"
	"kefu/auth"
	"kefu/limit"
	"kefu/metrics"
	"kefu/static"
	"kefu/store"
	"kefu/store/choose"
	"kefu/transport"
)

// Config is the server's settings; main fills it from flags and the
// environment.
type Config struct {
	Addr       string // main listener: pages, /getroom, /compat
	CompatAddr string // the tutorial's WebSocket port; "" for none
	DataDir    string // where the SQLite store lives; created if missing
	// Store names the store: "" or "sqlite" for the SQLite file under
	// DataDir, a postgres:// URL for PostgreSQL (see store/choose).
	Store          string
	ReservationTTL time.Duration // how long an unused /getroom offer holds an agent
	Grace          time.Duration // how long a vanished agent or customer keeps its conversations; zero: none (kefu serve defaults to 30 s)
	AllowedOrigins []string      // extra page origins allowed to open sockets
	// Sockets and NativeSockets bound each compat and native WebSocket;
	// zero fields take the transport's defaults.
	Sockets       transport.Limits
	NativeSockets transport.Limits
	Heartbeat     time.Duration // native application-level ping; zero: the default
	HelloTimeout  time.Duration // how long a native socket may wait before hello; zero: the default
	// Abuse bounds what one client or address may ask: frame rates,
	// sockets and requests per address, logins. Zero fields: the defaults,
	// fit for the internet; tests that open thousands of sockets from one
	// address pass transport.NoAbuseLimits.
	Abuse transport.AbuseLimits
	// MaxTextBytes is the longest chat text (zero: 8192; at most
	// MaxTextBytesCap); MaxCapacity the most conversations an agent may
	// take at once (zero: 50, which is also the most it can be).
	MaxTextBytes int
	MaxCapacity  int
	// HistoryPage bounds the history one frame carries: a conv frame's
	// newest page, a history frame's older one (zero fields: 50 messages,
	// 256 KiB).
	HistoryPage actors.HistoryLimits
	// StoreOff keeps conversations in memory only: every write succeeds at
	// once and nothing survives a restart. For measuring what the store
	// costs, never for production.
	StoreOff bool
	// PlainGoroutines runs actors on Proto.Actor's default dispatcher, a
	// new goroutine each time an idle actor gets a message, instead of a
	// pool of reused ones. For measuring what the pool saves.
	PlainGoroutines bool
	Log             *slog.Logger

	// MetricsAddr is the metrics listener's address: /metrics, /healthz
	// and /readyz, for the monitoring network only; "" for none.
	// MetricsOnMain serves /metrics on the main listener too, which
	// customers reach: only where that listener is private.
	MetricsAddr   string
	MetricsOnMain bool
	// StatsSampleEvery is how often the supervisor's numbers are sampled
	// from the dispatcher, StatsPointEvery how often they become a point of
	// the hour of history. Zero: 2 s and 10 s; tests shorten them.
	StatsSampleEvery time.Duration
	StatsPointEvery  time.Duration
	// Now is the clock of the dispatcher and the monitor: queue waits, the
	// wait estimate, the supervisor's numbers. nil: time.Now. Tests move it
	// ahead to show minutes of waiting without waiting for them.
	Now func() time.Time

	// wrapDirectory, when set, wraps the actors' directory: tests use it
	// to inject faults (a panicking actor) into a real server.
	wrapDirectory func(actors.Directory) actors.Directory
	// wrapConversations, when set, wraps the conversation store the
	// actors write to: tests use it to make the disk "fill up".
	wrapConversations func(store.Conversations) store.Conversations
}

// Defaults for Config.
const (
	DefaultReservationTTL = actors.DefaultReservationTTL
	DefaultGrace          = actors.DefaultGrace
)

// actorThroughput is how many messages an actor handles before its
// goroutine is given to another: Proto.Actor's default.
const actorThroughput = 300

// actorIdle is how long a pooled goroutine waits for another mailbox
// before it exits: long enough to outlast the gaps of a busy server, short
// enough that a burst's goroutines do not linger.
const actorIdle = 5 * time.Second

// MaxTextBytesCap is the largest Config.MaxTextBytes: a text must fit in a
// frame (64 KiB) with room for JSON escaping.
const MaxTextBytesCap = 32 << 10

// storeOpenTimeout bounds opening the store at start: connecting to
// PostgreSQL and migrating. A database that does not answer by then fails
// the start with its error rather than hanging it.
const storeOpenTimeout = 30 * time.Second

// shutdownGrace bounds each step of a graceful stop.
const shutdownGrace = 5 * time.Second

// startBudget bounds each step of preparing the store at start (the first
// account's hash, the restore's reads). Longer than a stop's: nothing is
// waiting on a start yet, and hashing at bcrypt's default cost on a loaded
// machine took over 5 s.
const startBudget = 30 * time.Second

// readHeaderTimeout bounds a request's headers; idleTimeout how long a
// kept-alive connection may wait for its next request.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// Server is one running kefu.
type Server struct {
	cfg        Config
	store      store.Store
	system     *actor.ActorSystem
	pool       *actorpool.Dispatcher // nil with PlainGoroutines
	dispatcher *actor.PID
	writer     *actor.PID
	monitor    *actor.PID
	metrics    *metrics.Metrics
	gateway    *transport.Gateway
	http       *http.Server
	compat     *http.Server // nil when CompatAddr is ""
	metricsSrv *http.Server // nil when MetricsAddr is ""
	ln         net.Listener
	compatLn   net.Listener
	metricsLn  net.Listener

	// down names the dispatcher or the store writer if one stops on its
	// own. Nothing can be routed or stored without them, so Run fails
	// rather than serve a zombie.
	down chan string
}

// New binds the listeners and starts the actors; Run serves.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.ReservationTTL <= 0 {
		cfg.ReservationTTL = DefaultReservationTTL
	}
	if cfg.Grace < 0 {
		cfg.Grace = 0
	}
	if cfg.MaxTextBytes < 0 || cfg.MaxTextBytes > MaxTextBytesCap {
		return nil, fmt.Errorf("text limit %d bytes: want 1 to %d, the most a frame holds", cfg.MaxTextBytes, MaxTextBytesCap)
	}
	if choose.IsSQLite(cfg.Store) {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("cannot create data directory: %w", err)
		}
	}
	s := &Server{cfg: cfg}
	var err error
	openCtx, cancel := context.WithTimeout(context.Background(), storeOpenTimeout)
	s.store, err = choose.Open(openCtx, cfg.Store, cfg.DataDir)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("cannot open store: %w", err)
	}
	signer, err := s.prepareStore()
	if err != nil {
		s.store.Close()
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		s.store.Close()
		return nil, fmt.Errorf("cannot listen on -addr: %w", err)
	}
	if cfg.CompatAddr != "" {
		if s.compatLn, err = net.Listen("tcp", cfg.CompatAddr); err != nil {
			s.ln.Close()
			s.store.Close()
			return nil, fmt.Errorf("cannot listen on -compat-addr: %w", err)
		}
	}
	if cfg.MetricsAddr != "" {
		if s.metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			s.closeListeners()
			s.store.Close()
			return nil, fmt.Errorf("cannot listen on -metrics-addr: %w", err)
		}
	}
	s.metrics = metrics.New()
	if wal, ok := s.store.(interface{ WALBytes() int64 }); ok {
		s.metrics.ObserveWAL(wal.WALBytes)
	}

	s.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		// The library logs every dead letter and lifecycle step at Info;
		// only its warnings belong in our log.
		return slog.New(minLevel{Handler: cfg.Log.Handler(), min: slog.LevelWarn}).With("lib", "protoactor")
	}))
	local := actors.NewLocalDirectory(s.system)
	if !cfg.PlainGoroutines {
		s.pool = actorpool.New(actorThroughput, actorIdle)
		local.UseDispatcher(s.pool)
		s.metrics.ObservePool(s.pool.Goroutines)
	}
	var dir actors.Directory = local
	if cfg.wrapDirectory != nil {
		dir = cfg.wrapDirectory(local)
	}
	var convStore store.Conversations = s.store
	if cfg.StoreOff {
		convStore = store.Discard{}
	}
	if cfg.wrapConversations != nil {
		convStore = cfg.wrapConversations(convStore)
	}
	s.writer, err = dir.Spawn(actors.KindStore, actors.StoreWriterID, actors.NewStoreWriterProps(actors.StoreWriterConfig{
		Store: convStore, Log: cfg.Log, Observe: s.metrics.Commit,
	}))
	if err != nil {
		s.abandon()
		return nil, fmt.Errorf("cannot start store writer: %w", err)
	}
	// The dispatcher keeps the limits on customers, as it owns the queue;
	// the gateway keeps the rest.
	abuse := cfg.Abuse.WithDefaults()
	s.dispatcher, err = dir.Spawn(actors.KindDispatcher, actors.DispatcherID, actors.NewDispatcherProps(actors.DispatcherConfig{
		Dir:              dir,
		Store:            convStore,
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
		TrackedCustomers: abuse.TrackedKeys,
	}))
	if err != nil {
		s.abandon()
		return nil, fmt.Errorf("cannot start dispatcher: %w", err)
	}
	s.monitor, err = dir.Spawn(actors.KindMonitor, actors.MonitorID, actors.NewMonitorProps(actors.MonitorConfig{
		Dir:         dir,
		SampleEvery: cfg.StatsSampleEvery,
		PointEvery:  cfg.StatsPointEvery,
		Messages:    s.metrics.MessagesReceived,
		Log:         cfg.Log,
		Now:         cfg.Now,
	}))
	if err != nil {
		s.abandon()
		return nil, fmt.Errorf("cannot start monitor: %w", err)
	}
	if _, err := dir.Spawn(actors.KindSessions, actors.SessionsID, actors.NewSessionsProps(dir)); err != nil {
		s.abandon()
		return nil, fmt.Errorf("cannot start sessions: %w", err)
	}
	if err := s.restore(convStore); err != nil {
		s.abandon()
		return nil, err
	}
	s.down = make(chan string, 1)
	s.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch msg := ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(s.dispatcher)
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

	_, pagesPort, _ := net.SplitHostPort(s.ln.Addr().String())
	s.gateway = transport.NewGateway(transport.Config{
		Dir:           dir,
		Root:          s.system.Root,
		Log:           cfg.Log,
		Limits:        cfg.Sockets,
		NativeLimits:  cfg.NativeSockets,
		Identity:      &transport.Identity{Store: s.store, Signer: signer, MaxCapacity: cfg.MaxCapacity},
		Heartbeat:     cfg.Heartbeat,
		HelloTimeout:  cfg.HelloTimeout,
		Origins:       transport.OriginPolicy{Allowed: cfg.AllowedOrigins},
		CompatOrigins: transport.OriginPolicy{Allowed: cfg.AllowedOrigins, PagesPort: pagesPort},
		Abuse:         cfg.Abuse,
		MaxTextBytes:  cfg.MaxTextBytes,
		MaxCapacity:   cfg.MaxCapacity,
		HistoryPage:   cfg.HistoryPage,
		Metrics:       s.metrics,
		MetricsOnMain: cfg.MetricsOnMain,
	})
	// The customers' listeners hold each address, and everyone together,
	// to a number of connections; the metrics listener is for the
	// monitoring network only.
	s.ln = s.gateway.LimitConns(s.ln)
	s.http = newHTTPServer(s.gateway.Routes(static.FS), cfg.Log, s.gateway.ConnState)
	if s.compatLn != nil {
		s.compatLn = s.gateway.LimitConns(s.compatLn)
		s.compat = newHTTPServer(s.gateway.CompatRoutes(), cfg.Log, s.gateway.ConnState)
	}
	if s.metricsLn != nil {
		s.metricsSrv = newHTTPServer(s.gateway.MetricsRoutes(), cfg.Log, nil)
	}
	return s, nil
}

// newHTTPServer bounds a request's headers and an idle connection; the
// handler bounds the body (transport.AbuseLimits.BodyTimeout). There is no
// ReadTimeout: it would cancel the context of a handler still running at
// its deadline.
func newHTTPServer(h http.Handler, log *slog.Logger, connState func(net.Conn, http.ConnState)) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ConnState:         connState,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Addr is the main listener's address, with the port it really got.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// CompatAddr is the compat listener's address, or "" when it is off.
func (s *Server) CompatAddr() string {
	if s.compatLn == nil {
		return ""
	}
	return s.compatLn.Addr().String()
}

// MetricsAddr is the metrics listener's address, or "" when it is off.
func (s *Server) MetricsAddr() string {
	if s.metricsLn == nil {
		return ""
	}
	return s.metricsLn.Addr().String()
}

// Run serves until ctx ends or a listener fails, then shuts down: listeners
// first, then every client is told to go (close 1001), then the actors.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 3)
	serve := func(srv *http.Server, ln net.Listener) {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}
	go serve(s.http, s.ln)
	if s.compat != nil {
		go serve(s.compat, s.compatLn)
	}
	if s.metricsSrv != nil {
		go serve(s.metricsSrv, s.metricsLn)
	}
	s.cfg.Log.Info("kefu serving", "addr", s.Addr(), "compat_addr", s.CompatAddr(), "store", choose.Describe(s.cfg.Store, s.cfg.DataDir), "metrics_addr", s.MetricsAddr())

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("listener failed: %w", err)
	case who := <-s.down:
		err = fmt.Errorf("%s stopped unexpectedly", who)
	}
	return errors.Join(err, s.shutdown())
}

func (s *Server) shutdown() error {
	s.cfg.Log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var errs []error
	// A request still running at the deadline (a login hashing its
	// password on a loaded machine) is cut off, not waited for: the
	// client retries against the next server, and the stop stays clean.
	for _, l := range []struct {
		name string
		srv  *http.Server
	}{{"main listener", s.http}, {"compat listener", s.compat}, {"metrics listener", s.metricsSrv}} {
		if l.srv == nil {
			continue
		}
		if err := l.srv.Shutdown(ctx); err != nil {
			s.cfg.Log.Warn("requests cut off at shutdown", "listener", l.name, "err", err)
			l.srv.Close()
		}
	}
	if err := s.gateway.Shutdown(ctx); err != nil {
		// Only a client that stopped reading can hold its socket past the
		// grace; its write deadline releases it. Not a failed shutdown.
		s.cfg.Log.Warn("some sockets still closing at exit", "err", err)
	}
	// The monitor first: it asks the dispatcher, and its timer would
	// outlive the actor system.
	if err := s.system.Root.PoisonFuture(s.monitor).Wait(); err != nil {
		errs = append(errs, fmt.Errorf("stopping monitor: %w", err))
	}
	if err := s.system.Root.PoisonFuture(s.dispatcher).Wait(); err != nil {
		errs = append(errs, fmt.Errorf("stopping dispatcher: %w", err))
	}
	// Last: what the conversations asked to store before the sockets
	// closed is committed before the store closes.
	if err := s.system.Root.PoisonFuture(s.writer).Wait(); err != nil {
		errs = append(errs, fmt.Errorf("stopping store writer: %w", err))
	}
	s.system.Shutdown()
	s.releasePool()
	if err := s.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing store: %w", err))
	}
	s.cfg.Log.Info("stopped")
	return errors.Join(errs...)
}

func (s *Server) closeListeners() {
	s.ln.Close()
	if s.compatLn != nil {
		s.compatLn.Close()
	}
	if s.metricsLn != nil {
		s.metricsLn.Close()
	}
}

// prepareStore makes sure someone can log in (a first supervisor on an
// empty store, its password in the log) and returns the token signer.
func (s *Server) prepareStore() (*auth.Signer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	if err := accounts.EnsureFirstAgent(ctx, s.store, s.cfg.Log); err != nil {
		return nil, fmt.Errorf("cannot create the first account: %w", err)
	}
	key, err := s.store.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot read the token key: %w", err)
	}
	return auth.NewSigner(key, nil), nil
}

// restore hands the conversations open at the last stop, and the customers
// who were waiting without one, back to the dispatcher. The tutorial's have
// no way to resume (no tokens), so they are closed instead (its customers
// never queue).
//
// Waiters are looked for only as far back as a customer's resume token
// lives: one who queued before that cannot come back as the same customer,
// and an old database must not bring back customers whose leaving was never
// stored (a crash lost the event).
func (s *Server) restore(convs store.Conversations) error {
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	open, err := convs.OpenConversations(ctx)
	if err != nil {
		return fmt.Errorf("cannot read open conversations: %w", err)
	}
	now := time.Now()
	native, ended := actors.SplitRestorable(open, now)
	if ended.Len() > 0 {
		if err := convs.Apply(ctx, &ended); err != nil {
			return fmt.Errorf("cannot close the tutorial's open conversations: %w", err)
		}
	}
	ticket, err := convs.MaxTicket(ctx)
	if err != nil {
		return fmt.Errorf("cannot read the last ticket: %w", err)
	}
	waiting, err := convs.WaitingCustomers(ctx, now.Add(-transport.CustomerTokenTTL))
	if err != nil {
		return fmt.Errorf("cannot read the waiting customers: %w", err)
	}
	s.system.Root.Send(s.dispatcher, &actors.Restore{Convs: native, Waiting: waiting, Ticket: ticket})
	return nil
}

// Store returns the server's store, for tests that provision accounts.
func (s *Server) Store() store.Store { return s.store }

// Offences counts, by kind, the limits clients have crossed since the
// server started: what a /metrics endpoint would read.
func (s *Server) Offences() *limit.Counters { return s.gateway.Offences() }

// Dispatcher returns the dispatcher's address, for tests that inspect the
// routing state.
func (s *Server) Dispatcher() *actor.PID { return s.dispatcher }

// Root returns the actor system's root context, for tests.
func (s *Server) Root() *actor.RootContext { return s.system.Root }

// abandon undoes a New that failed after the actors started.
func (s *Server) abandon() {
	if s.monitor != nil {
		_ = s.system.Root.PoisonFuture(s.monitor).Wait() // its timer outlives the system
	}
	s.closeListeners()
	s.system.Shutdown()
	s.releasePool()
	s.store.Close()
}

func (s *Server) releasePool() {
	if s.pool != nil {
		s.pool.Release()
	}
}
