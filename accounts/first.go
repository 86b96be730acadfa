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
// password whenever the store has no supervisor (no accounts at all, or
// only agents made with `kefu agent add` before the first start), and logs
// that password once at warn level, so that someone can always sign in to
// the supervisor view and manage the team. With a supervisor present it
// does nothing. The password is hashed with passwords; a nil log means
// slog.Default().
func EnsureFirstAgent(ctx context.Context, st store.Store, passwords auth.Hasher, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	agents, err := st.ListAgents(ctx)
	if err != nil {
		return fmt.Errorf("ensure first agent: %w", err)
	}
	if hasSupervisor(agents) {
		return nil
	}
	pw := auth.NewPassword()
	hash, err := passwords.Hash(pw)
	if err != nil {
		return fmt.Errorf("ensure first agent: %w", err)
	}
	_, err = st.CreateAgent(ctx, FirstAgentName, hash, store.RoleSupervisor, store.DefaultCapacity)
	if errors.Is(err, store.ErrNameTaken) {
		// Another process created it between the list and now, or an agent
		// already has the name: say how to make a supervisor by hand.
		if again, lerr := st.ListAgents(ctx); lerr == nil && !hasSupervisor(again) {
			log.Warn(fmt.Sprintf("no supervisor, and the name %q is an agent's: create one with 'kefu agent add -role supervisor NAME'", FirstAgentName))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("ensure first agent: %w", err)
	}
	why := "no accounts"
	if len(agents) > 0 {
		why = "no supervisor"
	}
	log.Warn(fmt.Sprintf("%s: created supervisor %q with one-time password %s; change it with 'kefu agent passwd %s'",
		why, FirstAgentName, pw, FirstAgentName))
	return nil
}

// hasSupervisor says whether any of agents is a supervisor.
func hasSupervisor(agents []store.Agent) bool {
	for _, a := range agents {
		if a.Role == store.RoleSupervisor {
			return true
		}
	}
	return false
}
