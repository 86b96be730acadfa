package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Fencing on SQLite: PostgreSQL's rules (store/postgres/fencing.go) with
// the store's clock (s.now) as the database's, in Unix milliseconds. One
// process writes at a time (BEGIN IMMEDIATE takes the file's write lock),
// so a claim and a commit are already one after the other: Apply's check
// reads inside its own write transaction, and needs no row locks. The
// writes here take Apply's turn (applyMu) and its connection: through
// another connection they would wait for the file's lock by busy_timeout's
// polling, which a writer committing back to back starves.

var _ Fencing = (*SQLite)(nil)

const (
	// renewLeaseSQL inserts a new node's row, or renews one that is live
	// and was never evicted; RETURNING gives nothing otherwise.
	renewLeaseSQL = `INSERT INTO node_leases (node_id, address, expires_at) VALUES (?1, ?2, ?3 + ?4)
		ON CONFLICT (node_id) DO UPDATE SET address = excluded.address, expires_at = excluded.expires_at
		WHERE node_leases.expires_at > ?3 AND node_leases.evicted = 0
		RETURNING expires_at`
	liveLeasesSQL = `SELECT node_id, address, expires_at FROM node_leases
		WHERE expires_at > ? AND evicted = 0 ORDER BY node_id`
	// evictSQL records an unknown node as evicted too, so that it cannot
	// take a lease later.
	evictSQL = `INSERT INTO node_leases (node_id, address, expires_at, evicted) VALUES (?1, '', ?2, 1)
		ON CONFLICT (node_id) DO UPDATE SET evicted = 1`
	releaseSQL = `UPDATE node_leases SET expires_at = MIN(expires_at, ?2) WHERE node_id = ?1`
	// claimSQL is one statement: the SELECT yields the row to insert only
	// while the claimer's lease is live. (Its WHERE also keeps SQLite from
	// reading ON CONFLICT as a join's ON.)
	claimSQL = `INSERT INTO owners (key, epoch, node_id, claimed_at)
		SELECT ?1, 1, ?2, ?3 FROM node_leases WHERE node_id = ?2 AND expires_at > ?3 AND evicted = 0
		ON CONFLICT (key) DO UPDATE SET epoch = owners.epoch + 1, node_id = excluded.node_id, claimed_at = excluded.claimed_at
		RETURNING epoch`
	leaseLiveSQL = `SELECT EXISTS (SELECT 1 FROM node_leases WHERE node_id = ? AND expires_at > ? AND evicted = 0)`
	ownerSQL     = `SELECT epoch, node_id FROM owners WHERE key = ?`
)

// RenewLease implements Fencing.
func (s *SQLite) RenewLease(ctx context.Context, node, addr string, ttl time.Duration) (LeaseView, error) {
	if err := validLease(node, ttl); err != nil {
		return LeaseView{}, fmt.Errorf("renew lease of %q: %w", node, err)
	}
	var view LeaseView
	err := s.writeTx(ctx, func(q *sql.Conn) error {
		now := s.now().UnixMilli()
		var expires int64
		err := q.QueryRowContext(ctx, renewLeaseSQL, node, addr, now, ttl.Milliseconds()).Scan(&expires)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoLease
		}
		if err != nil {
			return err
		}
		view.Now, view.Expires = fromMillis(now), fromMillis(expires)
		view.Live, err = liveLeases(ctx, q, now)
		return err
	})
	if err != nil {
		return LeaseView{}, fmt.Errorf("renew lease of %q: %w", node, err)
	}
	return view, nil
}

// writeTx runs f in a write transaction on the writer's connection, in
// Apply's turn.
func (s *SQLite) writeTx(ctx context.Context, f func(q *sql.Conn) error) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	w := s.writer
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	err := f(w.conn)
	if err == nil {
		_, err = w.commit.ExecContext(ctx)
	}
	if err != nil {
		w.rollback.ExecContext(context.WithoutCancel(ctx))
		return err
	}
	return nil
}

// liveLeases reads every live lease at now (Unix milliseconds).
func liveLeases(ctx context.Context, q *sql.Conn, now int64) ([]Lease, error) {
	rows, err := q.QueryContext(ctx, liveLeasesSQL, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var live []Lease
	for rows.Next() {
		var (
			l       Lease
			expires int64
		)
		if err := rows.Scan(&l.Node, &l.Address, &expires); err != nil {
			return nil, err
		}
		l.ExpiresAt = fromMillis(expires)
		live = append(live, l)
	}
	return live, rows.Err()
}

// Evict implements Fencing.
func (s *SQLite) Evict(ctx context.Context, node string) error {
	if node == "" {
		return fmt.Errorf("evict: %w: no node id", ErrInvalid)
	}
	err := s.writeTx(ctx, func(q *sql.Conn) error {
		_, err := q.ExecContext(ctx, evictSQL, node, s.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("evict %q: %w", node, err)
	}
	return nil
}

// Release implements Fencing.
func (s *SQLite) Release(ctx context.Context, node string) error {
	err := s.writeTx(ctx, func(q *sql.Conn) error {
		_, err := q.ExecContext(ctx, releaseSQL, node, s.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease of %q: %w", node, err)
	}
	return nil
}

// Claim implements Fencing.
func (s *SQLite) Claim(ctx context.Context, key, node string) (int64, error) {
	if key == "" || node == "" {
		return 0, fmt.Errorf("claim %q for %q: %w: no key or node id", key, node, ErrInvalid)
	}
	var epoch int64
	err := s.writeTx(ctx, func(q *sql.Conn) error {
		return q.QueryRowContext(ctx, claimSQL, key, node, s.now().UnixMilli()).Scan(&epoch)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("claim %q for %q: %w", key, node, ErrNoLease)
	}
	if err != nil {
		return 0, fmt.Errorf("claim %q for %q: %w", key, node, err)
	}
	return epoch, nil
}

// checkFences returns a *FencedError naming b's stale keys, if any, read
// in the writer's open transaction; nil for a batch without fences.
func (s *SQLite) checkFences(ctx context.Context, b *Batch) error {
	if len(b.Fences) == 0 {
		return nil
	}
	q := s.writer.conn
	var live bool
	if err := q.QueryRowContext(ctx, leaseLiveSQL, b.FenceNode, s.now().UnixMilli()).Scan(&live); err != nil {
		return fmt.Errorf("check fences: %w", err)
	}
	var stale []Fence
	for _, f := range b.Fences {
		if !live {
			stale = append(stale, f)
			continue
		}
		var (
			epoch int64
			owner string
		)
		err := q.QueryRowContext(ctx, ownerSQL, f.Key).Scan(&epoch, &owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			stale = append(stale, f) // never claimed: nobody may write under it
		case err != nil:
			return fmt.Errorf("check fence %q: %w", f.Key, err)
		case epoch != f.Epoch || owner != f.owner(b.FenceNode):
			stale = append(stale, f)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	return NewFencedError(stale)
}

// Epoch implements Fencing.
func (s *SQLite) Epoch(ctx context.Context, key string) (int64, error) {
	var (
		epoch int64
		owner string
	)
	err := s.db.QueryRowContext(ctx, ownerSQL, key).Scan(&epoch, &owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("epoch of %q: %w", key, err)
	}
	return epoch, nil
}
