package accounts

import (
	"context"
	"fmt"

	"kefu/actors"
	"kefu/kicks"
	"kefu/store"
)

// runPasswd: kefu agent passwd [-password-stdin] NAME
func runPasswd(ctx context.Context, args []string, cfg Config) error {
	fs, data := newFlags("passwd", "NAME", cfg)
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	return withStore(data, func(st store.Store) error {
		// Look up first: an unknown name fails before a password is read,
		// and the output uses the account's own spelling of the name.
		a, _, err := st.AgentByName(ctx, name)
		if err != nil {
			return err
		}
		hash, generated, err := newPassword(cfg.Passwords, *fromStdin, cfg.Stdin)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, a.Name, hash); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "password of agent %s changed%s\n", a.Name, shownOnce(generated))
		kickSessions(ctx, st, a.Name, cfg)
		return nil
	})
}

// kickSessions closes the account's open sockets on every running node
// when the store is PostgreSQL (package kicks): the password change
// revoked their tokens, and each node's listener hears it. On SQLite no
// node can be told from here: the sockets last until they reconnect, and
// their next hello is refused. A failure is said, not returned: the
// password is changed.
func kickSessions(ctx context.Context, st store.Store, name string, cfg Config) {
	bus := kicks.Over(st)
	if bus == nil {
		return
	}
	// The generation the change raised the account to: its tokens from
	// before are below it.
	a, _, err := st.AgentByName(ctx, name)
	if err == nil {
		err = bus.Publish(ctx, actors.KickSessions{Agent: a.ID, Below: a.TokenGeneration})
	}
	if err != nil {
		fmt.Fprintf(cfg.Stderr, "the running servers were not told (%v): sockets open with an old token last until they reconnect\n", err)
	}
}
