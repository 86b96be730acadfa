package accounts

import (
	"context"
	"fmt"

	"kefu/store"
)

// runAdd: kefu agent add [-role R] [-capacity N] [-password-stdin] NAME
func runAdd(ctx context.Context, args []string, cfg Config) error {
	fs, data := newFlags("add", "NAME", cfg)
	role := fs.String("role", string(store.RoleAgent), "agent or supervisor")
	capacity := fs.Int("capacity", store.DefaultCapacity, fmt.Sprintf("conversations at once (%d..%d)", store.MinCapacity, store.MaxCapacity))
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	hash, generated, err := newPassword(cfg.Passwords, *fromStdin, cfg.Stdin)
	if err != nil {
		return err
	}
	return withStore(data, func(st store.Store) error {
		a, err := st.CreateAgent(ctx, name, hash, store.Role(*role), *capacity)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "agent %s created%s\n", a.Name, shownOnce(generated))
		return noteNoSupervisor(ctx, st, cfg)
	})
}

// noteNoSupervisor tells whoever adds accounts before the first start (or
// after removing the last supervisor) what `kefu serve` will do about it,
// so that the "admin" account in the log is no surprise. On stderr: stdout
// stays the one result line that scripts read.
func noteNoSupervisor(ctx context.Context, st store.Store, cfg Config) error {
	agents, err := st.ListAgents(ctx)
	if err != nil {
		return err
	}
	if !hasSupervisor(agents) {
		fmt.Fprintf(cfg.Stderr, "no supervisor yet: the next 'kefu serve' creates supervisor %q and prints its one-time password in the log\n", FirstAgentName)
	}
	return nil
}
