package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"kefu/store"
)

// Fencing in PostgreSQL (store.Fencing, docs/cluster-plan.md §4). Every
// time is the server's clock_timestamp(): the nodes' clocks never judge a
// lease. (clock_timestamp, not now(): now() is when the transaction began,
// and a statement that waited for a lock would judge by a time already
// past.)

var _ store.Fencing = (*Store)(nil)

const (
	// renewLeaseSQL inserts a new node's row, or renews one that is live
	// and was never evicted; RETURNING gives nothing otherwise. $3 is the
	// ttl in microseconds.
	renewLeaseSQL = `INSERT INTO node_leases (node_id, address, expires_at)
		VALUES ($1, $2, clock_timestamp() + $3::bigint * interval '1 microsecond')
		ON CONFLICT (node_id) DO UPDATE SET address = excluded.address, expires_at = excluded.expires_at
		WHERE node_leases.expires_at > clock_timestamp() AND NOT node_leases.evicted
		RETURNING expires_at, clock_timestamp()`
	liveLeasesSQL = `SELECT node_id, address, expires_at FROM node_leases
		WHERE expires_at > clock_timestamp() AND NOT evicted ORDER BY node_id`
	// evictSQL records an unknown node as evicted too, so that it cannot
	// take a lease later.
	evictSQL = `INSERT INTO node_leases (node_id, address, expires_at, evicted) VALUES ($1, '', clock_timestamp(), true)
		ON CONFLICT (node_id) DO UPDATE SET evicted = true`
	releaseSQL = `UPDATE node_leases SET expires_at = LEAST(expires_at, clock_timestamp()) WHERE node_id = $1`
	// claimSQL is one statement (kefu_claim, migrations.go): it waits
	// for the commits fenced on the key that are under way, then bumps
	// the epoch if the claimer's lease is live; NULL otherwise.
	claimSQL = `SELECT kefu_claim($1, $2)`
	// checkFencesSQL goes first in a fenced group commit (Apply).
	checkFencesSQL = `SELECT kefu_check_fences($1::text[], $2::bigint[], $3::text[], $4::text)`
)

// RenewLease implements store.Fencing: the renewal and the read of the
// live members in one transaction.
func (s *Store) RenewLease(ctx context.Context, node, addr string, ttl time.Duration) (store.LeaseView, error) {
	if err := store.ValidLease(node, ttl); err != nil {
		return store.LeaseView{}, fmt.Errorf("renew lease of %q: %w", node, err)
	}
	var view store.LeaseView
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, renewLeaseSQL, node, addr, ttl.Microseconds()).Scan(&view.Expires, &view.Now)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNoLease
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, liveLeasesSQL)
		if err != nil {
			return err
		}
		view.Live, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Lease, error) {
			var l store.Lease
			err := r.Scan(&l.Node, &l.Address, &l.ExpiresAt)
			l.ExpiresAt = l.ExpiresAt.UTC()
			return l, err
		})
		return err
	})
	if err != nil {
		return store.LeaseView{}, fmt.Errorf("renew lease of %q: %w", node, err)
	}
	view.Now, view.Expires = view.Now.UTC(), view.Expires.UTC()
	return view, nil
}

// Evict implements store.Fencing.
func (s *Store) Evict(ctx context.Context, node string) error {
	if node == "" {
		return fmt.Errorf("evict: %w: no node id", store.ErrInvalid)
	}
	if _, err := s.pool.Exec(ctx, evictSQL, node); err != nil {
		return fmt.Errorf("evict %q: %w", node, err)
	}
	return nil
}

// Release implements store.Fencing.
func (s *Store) Release(ctx context.Context, node string) error {
	if _, err := s.pool.Exec(ctx, releaseSQL, node); err != nil {
		return fmt.Errorf("release lease of %q: %w", node, err)
	}
	return nil
}

// Claim implements store.Fencing.
func (s *Store) Claim(ctx context.Context, key, node string) (int64, error) {
	if key == "" || node == "" {
		return 0, fmt.Errorf("claim %q for %q: %w: no key or node id", key, node, store.ErrInvalid)
	}
	var epoch *int64
	if err := s.pool.QueryRow(ctx, claimSQL, key, node).Scan(&epoch); err != nil {
		return 0, fmt.Errorf("claim %q for %q: %w", key, node, err)
	}
	if epoch == nil {
		return 0, fmt.Errorf("claim %q for %q: %w", key, node, store.ErrNoLease)
	}
	return *epoch, nil
}

// Epoch implements store.Fencing.
func (s *Store) Epoch(ctx context.Context, key string) (int64, error) {
	var epoch int64
	err := s.pool.QueryRow(ctx, `SELECT epoch FROM owners WHERE key = $1`, key).Scan(&epoch)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("epoch of %q: %w", key, err)
	}
	return epoch, nil
}

// queueFenceCheck queues kefu_check_fences first in a group commit, if
// b has fences.
func queueFenceCheck(q *pgx.Batch, b *store.Batch) {
	if len(b.Fences) == 0 {
		return
	}
	keys, epochs, nodes := make([]string, len(b.Fences)), make([]int64, len(b.Fences)), make([]string, len(b.Fences))
	for i, f := range b.Fences {
		keys[i], epochs[i], nodes[i] = f.Key, f.Epoch, f.Node
	}
	q.Queue(checkFencesSQL, keys, epochs, nodes, b.FenceNode)
}

// fenced turns kefu_check_fences' refusal of b into a *store.FencedError
// naming the stale fences; nil for any other error.
func fenced(err error, b *store.Batch) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) || e.Code != codeFenced {
		return nil
	}
	var at []int
	if json.Unmarshal([]byte(e.Detail), &at) != nil || len(at) == 0 {
		// Never so from kefu_check_fences; the refusal stands all the same.
		return fmt.Errorf("%w (%s)", store.ErrFenced, e.Message)
	}
	stale := make([]store.Fence, 0, len(at))
	for _, i := range at {
		if i < 0 || i >= len(b.Fences) {
			return fmt.Errorf("%w (%s)", store.ErrFenced, e.Message)
		}
		stale = append(stale, b.Fences[i])
	}
	return store.NewFencedError(stale)
}
