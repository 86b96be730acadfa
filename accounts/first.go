package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"kefu/auth"
	"kefu/store"
)

// FirstAgentName is the supervisor EnsureFirstAgent creates.
const FirstAgentName = "admin"

// EnsureFirstAgent creates the supervisor FirstAgentName with a random
// password when the store has no accounts, and logs that password once at
// warn level, so that a fresh server can be logged in to with no setup. With
// any account present it does nothing. A nil log means slog.Default().
func EnsureFirstAgent(ctx context.Context, st store.Store, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	n, err := st.CountAgents(ctx)
	if err != nil {
		return fmt.Errorf("ensure first agent: %w", err)
	}
	if n > 0 {
		return nil
	}
	pw := auth.NewPassword()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("ensure first agent: %w", err)
	}
	_, err = st.CreateAgent(ctx, FirstAgentName, hash, store.RoleSupervisor, store.DefaultCapacity)
	if errors.Is(err, store.ErrNameTaken) {
		return nil // another process created it between the count and now
	}
	if err != nil {
		return fmt.Errorf("ensure first agent: %w", err)
	}
	log.Warn(fmt.Sprintf("no accounts: created supervisor %q with one-time password %s; change it with 'kefu agent passwd %s'",
		FirstAgentName, pw, FirstAgentName))
	return nil
}
