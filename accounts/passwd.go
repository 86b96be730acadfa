package accounts

import (
	"context"
	"fmt"

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
		return nil
	})
}
