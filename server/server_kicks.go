package server

// This file holds the node's part in sign-outs that reach every node
// (package kicks, docs/cluster.md): where the store is PostgreSQL, the
// gateway publishes each kick, and a listener hands every node's kicks to
// this node's sessions actor. On SQLite there is one node and none of it.

import (
	"context"

	"kefu/actors"
	"kefu/kicks"
	"kefu/transport"
)

// startKicks starts the kick listener when the store is PostgreSQL; the
// sessions actor must run. It connects once before returning, so that a
// node serves already hearing other nodes' sign-outs; if it cannot, the
// node starts anyway (the store refuses a signed-out token at every hello)
// and the listener keeps trying.
func (s *Server) startKicks() {
	bus := kicks.Over(s.store)
	if bus == nil {
		return
	}
	listening, lost := s.metrics.ObserveKickListener()
	sessions := s.dir.PID(actors.KindSessions, actors.SessionsID)
	l := &kicks.Listener{
		Bus:       bus,
		Deliver:   func(k actors.KickSessions) { s.system.Root.Send(sessions, &k) },
		Log:       s.cfg.Log,
		Listening: func(_ uint32, again bool) { listening(again) },
		Lost:      lost,
	}
	if err := l.Start(context.Background()); err != nil {
		s.cfg.Log.Warn("kick listener cannot connect at start; retrying (until it does, other nodes' sign-outs leave this node's sockets open until they reconnect)", "err", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx)
	}()
	s.kickBus = bus
	s.stopKicks = func() {
		stop()
		<-done
	}
}

// kickPublisher is what the gateway publishes kicks to: nil on SQLite.
func (s *Server) kickPublisher() transport.KickPublisher {
	if s.kickBus == nil {
		return nil // not a typed nil in the interface
	}
	return s.kickBus
}
