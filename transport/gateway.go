package transport

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/gorilla/websocket"

	"kefu/actors"
	"kefu/auth"
	"kefu/internal/ids"
	"kefu/metrics"
)

// NodeSeparator joins a connection id to its node's cluster address:
// "<id>~<host:port>" (nodes.Directory reads it back).
const NodeSeparator = "~"

// Config is what the gateway needs from the rest of the server.
type Config struct {
	Dir  actors.Directory
	Root *actor.RootContext
	Log  *slog.Logger

	Limits       Limits // compat sockets
	NativeLimits Limits // native sockets: a shorter PongWait, as clients answer heartbeats
	MaxTextBytes int    // longest chat text, in bytes
	MaxNameRunes int    // longest display name, in characters

	// Identity proves who is on a native socket and serves logins.
	Identity *Identity
	// Passwords hashes the passwords of accounts created over the API, and
	// the stand-in a login with an unknown name is checked against. Zero:
	// bcrypt's default cost.
	Passwords auth.Hasher
	// Heartbeat is how often native clients get an application-level ping;
	// HelloTimeout how long a native socket may stay silent at first.
	Heartbeat    time.Duration
	HelloTimeout time.Duration

	// Origins guards the main listener's sockets; CompatOrigins the compat
	// listener's, which must also admit the main listener's pages.
	Origins       OriginPolicy
	CompatOrigins OriginPolicy

	// Member, on a node of a cluster, reports whether the node may serve
	// (its lease, its membership): /readyz is 503 while it is false. nil
	// on a single node.
	Member func() bool
	// NodeAddr, on a node of a cluster, is its cluster address: connection
	// ids carry it, so that other nodes' actors reach the socket's actor
	// here. Empty on a single node.
	NodeAddr string
	// Kicks, where the store is PostgreSQL, tells every node's sessions
	// of a sign-out (sessions_api.go); nil on SQLite, where this node's
	// sessions are all there are.
	Kicks KickPublisher

	// RequestTimeout bounds an HTTP request's wait for an actor's answer.
	RequestTimeout time.Duration

	// Abuse bounds what one client or address may ask (limits.go);
	// MaxCapacity caps the capacity an agent may have. Zero: the defaults.
	Abuse       AbuseLimits
	MaxCapacity int
	// MaxTeams bounds the live teams a supervisor may create (-max-teams);
	// zero: DefaultMaxTeams.
	MaxTeams int
	// MaxCanned bounds one scope's saved replies (-canned-max); zero:
	// DefaultMaxCanned.
	MaxCanned int
	// Uploads signs upload references and bounds uploads (uploads_api.go).
	Uploads UploadsConfig
	// HistoryPage bounds each page of history a native socket is sent
	// (actors.HistoryLimits). Zero: the defaults.
	HistoryPage actors.HistoryLimits

	// Metrics is where the gateway and its connections count; nil: a
	// registry of the gateway's own. MetricsOnMain serves /metrics on the
	// main listener too, not only through MetricsRoutes.
	Metrics       *metrics.Metrics
	MetricsOnMain bool
}

// Defaults for the Config fields that have one.
const (
	DefaultMaxTextBytes   = 8 << 10
	DefaultMaxNameRunes   = 64
	DefaultRequestTimeout = 5 * time.Second
	DefaultHeartbeat      = 5 * time.Second
	DefaultHelloTimeout   = 10 * time.Second
)

// DefaultNativeLimits notice a dead native client within three missed
// heartbeats: browsers answer every heartbeat with a pong frame. A
// function, as DefaultLimits is.
func DefaultNativeLimits() Limits {
	l := DefaultLimits()
	l.PongWait = 3 * DefaultHeartbeat
	return l
}

// Gateway turns HTTP requests and WebSocket connections into actor
// messages. It holds no routing or connection state: each socket belongs to
// its connection actor, and the gateway only counts live sockets so that
// shutdown can wait for them.
type Gateway struct {
	cfg      Config
	sockets  sync.WaitGroup // one per live socket, for Shutdown
	accepted atomic.Uint64  // numbers connections in the order they were accepted

	// stopping ends when the server shuts down; every socket's writer
	// watches it and closes with DisconnectShutdown.
	stopping context.Context
	stop     context.CancelFunc

	metrics   *metrics.Metrics // served at /metrics
	guards    *guards          // the abuse limits' state (guards.go)
	dummyHash func() []byte    // what a login with an unknown name is checked against (login.go)
}

// NewGateway returns a gateway; zero limits take their defaults.
func NewGateway(cfg Config) *Gateway {
	cfg.Limits = cfg.Limits.or(DefaultLimits())
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	native := DefaultNativeLimits()
	native.PongWait = 3 * cfg.Heartbeat // three missed heartbeats, whatever the heartbeat
	cfg.NativeLimits = cfg.NativeLimits.or(native)
	if cfg.HelloTimeout == 0 {
		cfg.HelloTimeout = DefaultHelloTimeout
	}
	if cfg.MaxTextBytes == 0 {
		cfg.MaxTextBytes = DefaultMaxTextBytes
	}
	if cfg.MaxNameRunes == 0 {
		cfg.MaxNameRunes = DefaultMaxNameRunes
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	cfg = cfg.withLimitDefaults()
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	g := &Gateway{cfg: cfg, metrics: cfg.Metrics, guards: newGuards(cfg.Abuse, cfg.Log), dummyHash: newDummyHash(cfg.Passwords)}
	g.metrics.RegisterOffences(&g.guards.offences.Counters)
	g.metrics.Registry().MustRegister(newRoutingCollector(g))
	g.stopping, g.stop = context.WithCancel(context.Background())
	return g
}

// Shutdown tells every connected client the server is going away (close
// 1001) and waits, until ctx ends, for their sockets to be released. Call it
// after the HTTP servers' own Shutdown, so no upgrade is still in flight.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.stop()
	defer g.guards.offences.Close()
	done := make(chan struct{})
	go func() { g.sockets.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeBuffers are shared by every socket's writer: a chat socket is idle
// almost all the time, and a pooled buffer is held only while a frame is
// being written, not for the connection's life. With ten thousand sockets
// this is most of the difference between ~40 and ~20 KiB per socket.
var writeBuffers sync.Pool

// newUpgrader returns an upgrader that admits the origins of policy.
func newUpgrader(policy OriginPolicy) *websocket.Upgrader {
	return &websocket.Upgrader{
		// Chat frames are small; larger ones are read in several passes.
		ReadBufferSize:  1 << 10,
		WriteBufferSize: 4 << 10,
		WriteBufferPool: &writeBuffers,
		CheckOrigin:     policy.Check,
	}
}

// accept upgrades the request and starts a connection actor for it. If
// refusal is not nil the socket is opened only to be closed with that reason:
// a browser can read a close reason, but not the body of a failed upgrade.
func (g *Gateway) accept(w http.ResponseWriter, r *http.Request, up *websocket.Upgrader, limits Limits, conn actors.ConnConfig, refusal *actors.Disconnect) {
	leave, ok := g.admitSocket(w, r) // per-address limits (ip_limits.go)
	if !ok {
		return
	}
	// Count the socket before the upgrade hijacks the connection: until
	// then http.Server.Shutdown waits for this handler, so by the time
	// Shutdown here calls Wait every socket that will exist is counted.
	g.sockets.Add(1)
	done := func() { g.sockets.Done(); leave() }
	// Numbered before the handshake completes: a client cannot have given
	// up on this connection and opened another before this line ran.
	conn.Seq = g.accepted.Add(1)
	if g.stopping.Err() != nil {
		done()
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	bw := &batchingWriter{ResponseWriter: w}
	ws, err := up.Upgrade(bw, r, nil)
	if err != nil {
		done()
		return // the upgrader has answered with an HTTP error
	}
	conn.ID = actors.ConnID(ids.New())
	if g.cfg.NodeAddr != "" {
		conn.ID += actors.ConnID(NodeSeparator + g.cfg.NodeAddr)
	}
	conn.Addr = clientKey(r, g.cfg.Abuse.TrustProxy)
	log := g.cfg.Log.With("conn", conn.ID)
	sock := newSocket(ws, bw.conn, limits, log)
	sock.frames = g.newFrameGuard(conn, conn.Addr)
	sock.slow = g.metrics.SlowClients(conn.Pool.Metric())
	pid := g.cfg.Dir.PID(actors.KindConn, string(conn.ID))
	// Set before any goroutine can use it. The reader starts only once the
	// actor is admitted, but the socket can end sooner (the server stopping
	// between the check above and the spawn below) and report it. A send to
	// a name whose spawn is under way races inside Proto.Actor (the mailbox
	// is registered before its handlers) and one sent before the spawn is
	// lost, so the socket's reports wait for the spawn to return.
	spawned := make(chan struct{})
	sock.deliver = func(msg any) { <-spawned; g.cfg.Root.Send(pid, msg) }
	if refusal != nil {
		sock.deliver = func(any) {} // no actor will exist
	}
	sock.start(g.stopping, done)
	if refusal != nil {
		log.Info("connection refused", "remote", r.RemoteAddr, "reason", refusal.Reason)
		sock.Close(*refusal)
		return
	}

	conn.Socket = sock
	conn.Dir = g.cfg.Dir
	conn.MaxTextBytes = g.cfg.MaxTextBytes
	conn.MaxCapacity = g.cfg.MaxCapacity
	conn.HistoryPage = g.cfg.HistoryPage
	conn.Offences = g.guards.offences
	conn.Metrics = g.metrics
	conn.Log = log
	_, err = g.cfg.Dir.Spawn(actors.KindConn, string(conn.ID), actors.NewConnectionProps(conn))
	close(spawned) // before the Close below, whose report would wait for it
	if err != nil {
		log.Error("cannot start connection actor", "err", err)
		sock.Close(actors.DisconnectInternal)
	}
}
