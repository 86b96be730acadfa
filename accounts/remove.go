package accounts

import (
	"context"
	"fmt"

	"kefu/store"
)

// runRemove: kefu agent remove NAME
func runRemove(ctx context.Context, args []string, s streams) error {
	fs, data := newFlags("remove", "NAME", s)
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	return withStore(data, func(st store.Store) error {
		if err := st.RemoveAgent(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(s.stdout, "agent %s removed\n", name)
		return nil
	})
}
