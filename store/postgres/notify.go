package postgres

// This file holds PostgreSQL's LISTEN/NOTIFY as kefu uses it: a node tells
// every node sharing the database something that is not data (a sign-out
// to act on), beside the store rather than in it. A notification is
// best-effort: one sent while a listener is disconnected never reaches it,
// so what it says must also be in the store.

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Notify sends payload to every session LISTENing on channel, this node's
// own included, on one of the pool's connections. PostgreSQL delivers it
// when the statement's own transaction commits: at once.
func (s *Store) Notify(ctx context.Context, channel, payload string) error {
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Subscription is one connection of its own, outside the pool, that
// LISTENs on a channel. Not safe for concurrent use: one goroutine owns it
// and waits on it.
type Subscription struct {
	conn *pgx.Conn
}

// Listen opens a connection with the store's settings (the pool's URL,
// search_path and run-time parameters) and LISTENs on channel. The pool is
// not used: a LISTENing connection must stay the same one, and a pool's
// connection goes back to others between calls.
func (s *Store) Listen(ctx context.Context, channel string) (*Subscription, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: connect: %w", channel, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("listen on %s: %w", channel, err)
	}
	return &Subscription{conn: conn}, nil
}

// ErrIdle is Wait's error when ctx's deadline passed with no notification:
// the connection is still good (a read's timeout does not close it), and
// Ping tells whether the server still answers.
var ErrIdle = errors.New("no notification before the deadline")

// Wait returns the payload of the next notification. It blocks until one
// comes, the connection fails, or ctx ends; a ctx that passes its own
// deadline (not its parent's cancel) returns ErrIdle.
func (l *Subscription) Wait(ctx context.Context) (string, error) {
	n, err := l.conn.WaitForNotification(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !l.conn.IsClosed() {
			return "", ErrIdle
		}
		return "", err
	}
	return n.Payload, nil
}

// Ping checks the server still answers on the connection: a LISTENing
// connection is otherwise silent, and one whose server vanished without
// a word (a host gone, a dropped route) would wait forever.
func (l *Subscription) Ping(ctx context.Context) error { return l.conn.Ping(ctx) }

// PID is the connection's server process id: pg_stat_activity's pid, what
// pg_terminate_backend takes.
func (l *Subscription) PID() uint32 { return l.conn.PgConn().PID() }

// Close closes the connection; the server forgets the LISTEN with it.
func (l *Subscription) Close(ctx context.Context) error { return l.conn.Close(ctx) }
