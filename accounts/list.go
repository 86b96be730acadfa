package accounts

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"kefu/store"
)

// runList: kefu agent list
func runList(ctx context.Context, args []string, cfg Config) error {
	fs, data := newFlags("list", "", cfg)
	if err := parseNone(fs, args); err != nil {
		return err
	}
	return withStore(data, func(st store.Store) error {
		agents, err := st.ListAgents(ctx)
		if err != nil {
			return err
		}
		// Names hold no tabs or newlines (store.ValidName), so columns align.
		w := tabwriter.NewWriter(cfg.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tID\tROLE\tCAPACITY\tCREATED")
		for _, a := range agents {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", a.Name, a.ID, a.Role, a.Capacity, a.CreatedAt.Format(time.RFC3339))
		}
		return w.Flush()
	})
}
