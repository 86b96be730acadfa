package server

// This file holds the server's stop: the graceful one Run ends with, and
// the undoing of a New that failed half way.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// shutdownBudget is the shutdown budget: it bounds the waits of a graceful
// stop, the requests in flight on the listeners and then the sockets'
// goodbyes, under one deadline. Not a grace (nothing is kept for anyone
// meanwhile): what still runs at its end is cut off, so a stop always ends.
const shutdownBudget = 5 * time.Second

func (s *Server) shutdown() error {
	s.cfg.Log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
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
		// budget; its write deadline releases it. Not a failed shutdown.
		s.cfg.Log.Warn("some sockets still closing at exit", "err", err)
	}
	if s.stopKicks != nil { // no socket is left to kick
		s.stopKicks()
	}
	if s.stopMail != nil { // before the store closes; what it did not send waits in the outbox
		s.stopMail()
	}
	if s.stopSweep != nil {
		s.stopSweep()
	}
	// The monitor first: it asks the dispatchers, and its timer would
	// outlive the actor system.
	errs = append(errs, s.stopMonitor()...)
	if s.clustered() {
		// The grains here move to the peers; the writer below commits
		// what they sent it before they stopped.
		if err := s.leaveCluster(ctx); err != nil {
			errs = append(errs, fmt.Errorf("releasing the lease: %w", err))
		}
	}
	errs = append(errs, s.stopDispatchers()...)
	// Last: what the conversations asked to store before the sockets
	// closed is committed before the store closes.
	if err := s.system.Root.PoisonFuture(s.writer).Wait(); err != nil {
		errs = append(errs, fmt.Errorf("stopping store writer: %w", err))
	}
	if !s.clustered() { // the cluster's leave stopped it
		s.system.Shutdown()
	}
	s.releasePool()
	if err := s.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing store: %w", err))
	}
	s.cfg.Log.Info("stopped")
	return errors.Join(errs...)
}

// stopDispatchers stops a single node's dispatchers; a cluster's are
// grains, which moved with the leave.
func (s *Server) stopDispatchers() (errs []error) {
	if s.clustered() {
		return nil
	}
	for pool, pid := range s.dispatchers {
		if err := s.system.Root.PoisonFuture(pid).Wait(); err != nil {
			errs = append(errs, fmt.Errorf("stopping the %s dispatcher: %w", pool, err))
		}
	}
	return errs
}

// abandon undoes a New that failed after the actors started.
func (s *Server) abandon() {
	_ = s.stopMonitor() // their timers outlive the system
	s.closeListeners()
	if !s.system.IsStopped() { // a failed join's cluster shutdown stopped it
		s.system.Shutdown()
	}
	s.releasePool()
	s.store.Close()
}

func (s *Server) releasePool() {
	if s.pool != nil {
		s.pool.Release()
	}
}
