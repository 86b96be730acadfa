package accounts

import (
	"context"
	"fmt"

	"kefu/store"
)

// runRemove: kefu agent remove NAME
func runRemove(ctx context.Context, args []string, cfg Config) error {
	fs, data := newFlags("remove", "NAME", cfg)
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	return withStore(data, func(st store.Store) error {
		if err := st.RemoveAgent(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "agent %s removed\n", name)
		return nil
	})
}
