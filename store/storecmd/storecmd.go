// Package storecmd is the `kefu store` command: moving an install's data
// between stores. Today it has one subcommand, copy, which moves a SQLite
// data directory into a new PostgreSQL database (docs/operations.md).
package storecmd

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kefu/store"
	"kefu/store/choose"
	"kefu/store/postgres"
)

const usage = `usage: kefu store COMMAND [flags]

commands:
  copy -from DIR -to URL   copy everything from the SQLite store in DIR
                           into the empty PostgreSQL database at URL, and
                           print the row counts it verified
`

// Command runs `kefu store ...` with the arguments after "store". Results
// go to stdout, usage to stderr; help (-h) prints usage and returns nil.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		fmt.Fprint(stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "help") {
			return nil
		}
		return errors.New("store: want the copy command")
	}
	fs := flag.NewFlagSet("kefu store copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the data directory holding "+store.FileName)
	to := fs.String("to", "", "the PostgreSQL database to fill: a postgres:// URL")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case *from == "":
		return errors.New("store copy: -from DIR is required")
	case !postgres.IsURL(*to):
		return errors.New("store copy: -to must be a postgres:// URL")
	case fs.NArg() > 0:
		return fmt.Errorf("store copy: unexpected argument %q", fs.Arg(0))
	}
	counts, err := Copy(ctx, *from, *to)
	if err != nil {
		return fmt.Errorf("store copy: %w", err)
	}
	for _, c := range counts {
		fmt.Fprintf(stdout, "%-15s %d rows\n", c.Table, c.Rows)
	}
	fmt.Fprintf(stdout, "copied %s to %s; every count verified\n",
		choose.Describe("", *from), choose.Describe(*to, ""))
	return nil
}

// Copy copies the SQLite store in dir into the empty PostgreSQL database
// at url and returns the row counts it verified. The SQLite file is first
// opened as kefu serve would, which brings its schema to this binary's
// version; the copy itself reads one consistent snapshot of it.
func Copy(ctx context.Context, dir, url string) ([]postgres.TableCount, error) {
	path := filepath.Join(dir, store.FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no SQLite store in %s: %w", dir, err)
	}
	src, err := store.OpenSQLite(dir) // migrates to the schema the copy expects
	if err != nil {
		return nil, err
	}
	if err := src.Close(); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	dst, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	return dst.CopyFromSQLite(ctx, db, func(id string) string { return store.BlobFile(dir, id) })
}
