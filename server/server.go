// Package server assembles kefu: the actor system, the dispatcher, the
// gateway and the listeners, and takes them down in order. main and the
// end-to-end tests build the server the same way, through New.
//
// The files follow a server's life: this one holds Config, Server and the
// steps of New; server_store.go opens and prepares the store and restores
// what it held; server_actors.go starts the actors; server_http.go binds
// the listeners and builds the HTTP side; server_shutdown.go stops it all.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actorpool"
	"kefu/actors"
	"kefu/auth"
	"kefu/kicks"
	"kefu/limit"
	"kefu/mailer"
	"kefu/metrics"
	"kefu/nodes"
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
	// Grace is the reconnect grace: how long a vanished agent or customer
	// keeps its conversations (and a customer its queue place). Zero:
	// none (kefu serve defaults to 30 s).
	Grace          time.Duration
	AllowedOrigins []string // extra page origins allowed to open sockets
	// Sockets and NativeSockets bound each compat and native WebSocket;
	// zero fields take the transport's defaults.
	Sockets       transport.Limits
	NativeSockets transport.Limits
	Heartbeat     time.Duration // native application-level ping; zero: the default
	HelloTimeout  time.Duration // how long a native socket may wait before hello; zero: the default
	// Abuse bounds what one client or address may ask: frame rates,
	// sockets and requests per address, logins. Zero fields: the defaults,
	// fit for the internet; tests that open thousands of sockets from one
	// address pass transport.NoAbuseLimits().
	Abuse transport.AbuseLimits
	// MaxTextBytes is the longest chat text (zero: 8192; at most
	// MaxTextBytesCap); MaxCapacity the most conversations an agent may
	// take at once (zero: 50, which is also the most it can be).
	MaxTextBytes int
	MaxCapacity  int
	// MaxTeams bounds the live teams (zero: transport.DefaultMaxTeams).
	MaxTeams int
	// MaxCanned bounds one scope's saved replies (zero:
	// transport.DefaultMaxCanned).
	MaxCanned int
	// InboxMax bounds each team's inbox of offline forms (zero:
	// actors.DefaultInboxMax).
	InboxMax int
	// FormTokenTTL is how long a customer's token from its offline form
	// lasts (zero: transport.DefaultFormTokenTTL).
	FormTokenTTL time.Duration
	// Uploads are the attachment settings (server_uploads.go).
	Uploads UploadsConfig
	// Mail is where the answers to offline forms are mailed from; the
	// zero value sends none (server_mail.go).
	Mail MailConfig
	// HistoryPage bounds the history one frame carries: a conv frame's
	// newest page, a history frame's older one (zero fields: 50 messages,
	// 256 KiB).
	HistoryPage actors.HistoryLimits
	// Passwords hashes the passwords the server sets: the first
	// supervisor's, and accounts created over the API. Zero: bcrypt's
	// default cost; load tests and test suites lower it.
	Passwords auth.Hasher
	// StoreOff keeps conversations in memory only: every write succeeds at
	// once and nothing survives a restart. For measuring what the store
	// costs, never for production.
	StoreOff bool
	// CommitLinger is how long a group commit waits from its first write
	// for more to join (actors.StoreWriterConfig.Linger); 0: none.
	CommitLinger time.Duration
	// PlainGoroutines runs actors on Proto.Actor's default dispatcher, a
	// new goroutine each time an idle actor gets a message, instead of a
	// pool of reused ones. For measuring what the pool saves.
	PlainGoroutines bool
	Log             *slog.Logger
	// Cluster makes this server one node of a cluster (server_cluster.go);
	// its zero value is a single node.
	Cluster nodes.Config

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

// MaxTextBytesCap is the largest Config.MaxTextBytes: a text must fit in a
// frame (64 KiB) with room for JSON escaping.
const MaxTextBytesCap = 32 << 10

// withDefaults fills cfg's zero fields that New needs filled, and refuses
// the values no server can run with.
func (cfg Config) withDefaults() (Config, error) {
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
		return cfg, fmt.Errorf("text limit %d bytes: want 1 to %d, the most a frame holds", cfg.MaxTextBytes, MaxTextBytesCap)
	}
	return cfg, nil
}

// Server is one running kefu.
type Server struct {
	cfg         Config
	store       store.Store
	system      *actor.ActorSystem
	pool        *actorpool.Dispatcher // nil with PlainGoroutines
	dir         actors.Directory
	kinds       *actors.Kinds              // what conversations and agents share on this node
	dispatchers map[actors.Pool]*actor.PID // one per pool
	node        *clusterNode               // nil on a single node
	kickBus     *kicks.Bus                 // nil unless the store is PostgreSQL
	stopKicks   func()                     // stops the kick listener; nil when none runs
	mail        *mailer.Mailer             // nil unless -smtp-url is set (server_mail.go)
	stopMail    func()                     // stops the mailer; nil when none runs
	stopSweep   func()                     // stops the sweep of unsent uploads; nil when none runs
	writer      *actor.PID
	monitor     *actor.PID // nil on a cluster, where the monitor is a grain
	reporter    *actor.PID // sends the monitor this node's message count
	metrics     *metrics.Metrics
	gateway     *transport.Gateway
	http        *http.Server
	compat      *http.Server // nil when CompatAddr is ""
	metricsSrv  *http.Server // nil when MetricsAddr is ""
	ln          net.Listener
	compatLn    net.Listener
	metricsLn   net.Listener

	// down names a dispatcher or the store writer if one stops on its
	// own. Nothing can be routed or stored without them, so Run fails
	// rather than serve a zombie.
	down chan string
}

// New binds the listeners and starts the actors; Run serves. A step that
// fails undoes the ones before it: the store is closed, the listeners
// released, the actors stopped.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg}
	if err := s.openStore(); err != nil {
		return nil, err
	}
	signer, secret, err := s.prepareStore()
	if err != nil {
		s.store.Close()
		return nil, err
	}
	if err := s.listen(); err != nil {
		s.store.Close()
		return nil, err
	}
	s.metrics = newMetrics(s.store)
	convs := s.conversations()
	dir := s.startActorSystem(convs)
	s.dir = dir
	if s.kinds.MailDomain, err = s.prepareMail(); err != nil {
		s.abandon()
		return nil, err
	}
	if err := s.spawnActors(dir, convs); err != nil {
		s.abandon()
		return nil, err
	}
	if s.clustered() {
		// A dispatcher of a cluster restores itself where it activates.
		if err := s.joinCluster(s.kinds, restoreSource{convs, s.store}, s.dispatcherConfig(dir, 0)); err != nil {
			s.abandon()
			return nil, err
		}
	} else if err := s.restore(restoreSource{convs, s.store}); err != nil {
		s.abandon()
		return nil, err
	}
	s.watchVitals()
	s.startKicks()
	s.startMail()
	s.startSweep()
	s.buildHTTP(dir, signer, s.uploads(secret))
	return s, nil
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
	case err = <-s.lostLease():
	}
	return errors.Join(err, s.shutdown())
}

// Store returns the server's store, for tests that provision accounts.
func (s *Server) Store() store.Store { return s.store }

// Offences counts, by kind, the limits clients have crossed since the
// server started: what a /metrics endpoint would read.
func (s *Server) Offences() *limit.Counters { return s.gateway.Offences() }

// Dispatcher returns the address of pool's dispatcher, for tests that
// inspect the routing state.
func (s *Server) Dispatcher(pool actors.Pool) *actor.PID { return s.dispatchers[pool] }

// Stats returns the routing state's counts, every pool's summed, for tests.
func (s *Server) Stats(timeout time.Duration) (*actors.Stats, error) {
	return actors.AskStats(s.system.Root, s.dir, timeout)
}

// Root returns the actor system's root context, for tests.
func (s *Server) Root() *actor.RootContext { return s.system.Root }
