package kicks

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"kefu/actors"
	"kefu/store/postgres"
)

// Tuning of a Listener's connection.
const (
	// retryFirst is the pause before the first reconnect after the
	// connection drops; each failed attempt doubles it, up to retryMax,
	// so that a PostgreSQL restart is not hammered by every node.
	retryFirst = 100 * time.Millisecond
	retryMax   = 5 * time.Second
	// idleCheck is how long the connection may stay silent before the
	// listener pings it: a server that vanished without closing the
	// socket would otherwise leave it waiting for good. pingTimeout
	// bounds the ping.
	idleCheck   = 30 * time.Second
	pingTimeout = 5 * time.Second
	// connectTimeout bounds one attempt to connect and LISTEN.
	connectTimeout = 10 * time.Second
)

// Listener is a node's ear for kicks: one goroutine (Run) that owns one
// dedicated connection LISTENing on Channel, decodes each notification
// and hands it to Deliver (the node's sessions actor). Not an actor: it
// blocks in the wait, which no Receive may do.
//
// When the connection drops (a PostgreSQL restart) it reconnects with
// backoff. Kicks published meanwhile are lost to this node: its sockets
// that said hello before them stay open until they reconnect, and every
// hello after is refused by the store, which has the refusal.
type Listener struct {
	Bus *Bus
	// Deliver hands a kick to the node's sessions actor. It must not
	// block: it is called on the listener's goroutine.
	Deliver func(actors.KickSessions)
	Log     *slog.Logger
	// Listening, when set, is told each time a connection LISTENs: its
	// server process id, and whether it replaces one that dropped. For
	// the metrics and the tests.
	Listening func(pid uint32, again bool)
	// Lost, when set, is told each time the connection drops.
	Lost func()

	sub   *postgres.Subscription // nil while disconnected
	again bool                   // a connection has LISTENed before
}

// Start makes the first connection, so that a server that starts serving
// already hears kicks. It returns the error of that attempt; Run tries
// again either way.
func (l *Listener) Start(ctx context.Context) error {
	return l.connect(ctx)
}

// Run listens until ctx ends, then closes its connection. Runs in its own
// goroutine; call Start first, or let Run connect.
func (l *Listener) Run(ctx context.Context) {
	defer l.disconnect()
	pause := retryFirst // the next pause; back to retryFirst once a connection works
	for ctx.Err() == nil {
		if l.sub == nil {
			if err := l.connect(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				l.Log.Warn("kick listener cannot connect; retrying", "err", err, "in", pause)
				if !sleep(ctx, pause) {
					return
				}
				pause = min(2*pause, retryMax)
				continue
			}
		}
		if err := l.next(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			l.Log.Warn("kick listener lost its connection; reconnecting (sockets on this node that a sign-out meanwhile refuses stay until they reconnect)", "err", err, "in", pause)
			l.disconnect()
			if l.Lost != nil {
				l.Lost()
			}
			// A pause even before the first attempt: a server that
			// accepts and then drops every connection is not looped on.
			if !sleep(ctx, pause) {
				return
			}
			pause = min(2*pause, retryMax)
			continue
		}
		pause = retryFirst
	}
}

// connect opens a connection and LISTENs.
func (l *Listener) connect(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	sub, err := l.Bus.db.Listen(cctx, Channel)
	if err != nil {
		return err
	}
	l.sub = sub
	if l.again {
		l.Log.Info("kick listener listening again", "pid", sub.PID())
	} else {
		l.Log.Debug("kick listener listening", "pid", sub.PID())
	}
	if l.Listening != nil {
		l.Listening(sub.PID(), l.again)
	}
	l.again = true
	return nil
}

// next waits for one notification and delivers it; after idleCheck of
// silence it pings instead. An error means the connection is gone.
func (l *Listener) next(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, idleCheck)
	payload, err := l.sub.Wait(wctx)
	cancel()
	switch {
	case errors.Is(err, postgres.ErrIdle):
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		defer cancel()
		return l.sub.Ping(pctx)
	case err != nil:
		return err
	}
	k, err := decode(payload)
	if err != nil {
		// Not from a kefu node (anyone who may write may NOTIFY), or
		// from a newer one: dropped, the connection is fine.
		l.Log.Warn("kick listener dropped a notification", "err", err)
		return nil
	}
	l.Deliver(k)
	return nil
}

func (l *Listener) disconnect() {
	if l.sub == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	_ = l.sub.Close(ctx) // the connection is being dropped either way
	l.sub = nil
}

// sleep waits d, or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
