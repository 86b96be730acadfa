package server

// This file holds the server's HTTP side: its three listeners, the gateway
// that turns requests and sockets into actor messages, and the http.Servers
// that serve them.

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"kefu/actors"
	"kefu/auth"
	"kefu/static"
	"kefu/transport"
)

// readHeaderTimeout bounds a request's headers; idleTimeout how long a
// kept-alive connection may wait for its next request.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// listen binds the main listener and, when configured, the compat and
// metrics ones. On failure it releases those it bound.
func (s *Server) listen() error {
	var err error
	if s.ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
		return fmt.Errorf("cannot listen on -addr: %w", err)
	}
	if s.cfg.CompatAddr != "" {
		if s.compatLn, err = net.Listen("tcp", s.cfg.CompatAddr); err != nil {
			s.ln.Close()
			return fmt.Errorf("cannot listen on -compat-addr: %w", err)
		}
	}
	if s.cfg.MetricsAddr != "" {
		if s.metricsLn, err = net.Listen("tcp", s.cfg.MetricsAddr); err != nil {
			s.closeListeners()
			return fmt.Errorf("cannot listen on -metrics-addr: %w", err)
		}
	}
	return nil
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

// buildHTTP builds the gateway over the actors in dir, and an http.Server
// for each listener.
func (s *Server) buildHTTP(dir actors.Directory, signer *auth.Signer, uploads transport.UploadsConfig) {
	cfg := s.cfg
	_, pagesPort, _ := net.SplitHostPort(s.ln.Addr().String())
	s.gateway = transport.NewGateway(transport.Config{
		Member:        s.clusterMember(),
		NodeAddr:      s.cfg.Cluster.Addr,
		Kicks:         s.kickPublisher(),
		Dir:           dir,
		Root:          s.system.Root,
		Log:           cfg.Log,
		Limits:        cfg.Sockets,
		NativeLimits:  cfg.NativeSockets,
		Identity:      &transport.Identity{Store: s.store, Signer: signer, MaxCapacity: cfg.MaxCapacity, FormTokenTTL: cfg.FormTokenTTL},
		Passwords:     cfg.Passwords,
		Heartbeat:     cfg.Heartbeat,
		HelloTimeout:  cfg.HelloTimeout,
		Origins:       transport.OriginPolicy{Allowed: cfg.AllowedOrigins},
		CompatOrigins: transport.OriginPolicy{Allowed: cfg.AllowedOrigins, PagesPort: pagesPort},
		Abuse:         cfg.Abuse,
		MaxTextBytes:  cfg.MaxTextBytes,
		MaxCapacity:   cfg.MaxCapacity,
		MaxTeams:      cfg.MaxTeams,
		MaxCanned:     cfg.MaxCanned,
		Uploads:       uploads,
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
