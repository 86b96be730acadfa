package server

// This file holds the server's store at start: opening it, making sure
// someone can log in, and handing what it kept back to the dispatcher.

import (
	"context"
	"fmt"
	"os"
	"time"

	"kefu/accounts"
	"kefu/actors"
	"kefu/auth"
	"kefu/store"
	"kefu/store/choose"
	"kefu/transport"
)

// storeOpenTimeout bounds opening the store at start: connecting to
// PostgreSQL and migrating. A database that does not answer by then fails
// the start with its error rather than hanging it.
const storeOpenTimeout = 30 * time.Second

// startBudget bounds each step of preparing the store at start (the first
// account's hash, the restore's reads). Longer than shutdownBudget:
// nothing is waiting on a start yet, and hashing at bcrypt's default cost
// on a loaded machine took over 5 s.
const startBudget = 30 * time.Second

// openStore opens the store Config names, creating the SQLite data
// directory first if it is missing.
func (s *Server) openStore() error {
	if choose.IsSQLite(s.cfg.Store) {
		if err := os.MkdirAll(s.cfg.DataDir, 0o750); err != nil {
			return fmt.Errorf("cannot create data directory: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeOpenTimeout)
	defer cancel()
	st, err := choose.Open(ctx, s.cfg.Store, s.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("cannot open store: %w", err)
	}
	s.store = st
	return nil
}

// prepareStore makes sure someone can log in (a first supervisor on an
// empty store, its password in the log) and returns the token signer and
// the store's secret, which other keys are derived from.
func (s *Server) prepareStore() (*auth.Signer, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	if err := accounts.EnsureFirstAgent(ctx, s.store, s.cfg.Passwords, s.cfg.Log); err != nil {
		return nil, nil, fmt.Errorf("cannot create the first account: %w", err)
	}
	key, err := s.store.Secret(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the token key: %w", err)
	}
	return auth.NewSigner(key, nil), key, nil
}

// conversations is the conversation store the actors write to: the store,
// or one that keeps nothing with StoreOff, wrapped by a test's faults.
func (s *Server) conversations() store.Conversations {
	var convs store.Conversations = s.store
	if s.cfg.StoreOff {
		convs = store.Discard{}
	}
	if s.cfg.wrapConversations != nil {
		convs = s.cfg.wrapConversations(convs)
	}
	return convs
}

// restoreSource is what a dispatcher is restored from: the conversations
// as this node stores them (none, with the store off), and the teams,
// which are always in the store.
type restoreSource struct {
	store.Conversations
	teams store.Teams
}

func (r restoreSource) ListTeams(ctx context.Context, archived bool) ([]store.Team, error) {
	return r.teams.ListTeams(ctx, archived)
}

// restore hands the conversations open at the last stop, and the customers
// who were waiting without one, back to their pool's dispatcher: the
// native one. The tutorial's have no way to resume (no tokens), so they
// are closed instead (its customers never queue), and the compat
// dispatcher gets only the last ticket. Both count tickets on from it, so
// neither issues a number already stored; a ticket orders its own pool's
// queue, and only the native pool has one.
//
// Waiters are looked for only as far back as a customer's resume token
// lives: one who queued before that cannot come back as the same customer,
// and an old database must not bring back customers whose leaving was never
// stored (a crash lost the event).
func (s *Server) restore(convs actors.RestoreSource) error {
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	now := time.Now()
	native, ended, err := actors.ReadRestore(ctx, convs, now, now.Add(-transport.CustomerTokenTTL))
	if err != nil {
		return err
	}
	if ended.Len() > 0 {
		if err := convs.Apply(ctx, &ended); err != nil {
			return fmt.Errorf("cannot close the tutorial's open conversations: %w", err)
		}
	}
	s.system.Root.Send(s.dispatchers[actors.PoolNative], native)
	s.system.Root.Send(s.dispatchers[actors.PoolCompat], &actors.Restore{Ticket: native.Ticket})
	return nil
}
