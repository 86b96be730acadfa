// Package choose opens the store an operator names: the embedded SQLite
// file (the default, no server to run) or a PostgreSQL database that
// several nodes share. `kefu serve` and `kefu agent` take the same -store
// flag, so both reach the same store.
package choose

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"kefu/store"
	"kefu/store/postgres"
)

// Env names the environment variable that sets -store.
const Env = "KEFU_STORE"

// SQLite is the -store value that names the embedded store, as does "".
const SQLite = "sqlite"

// FlagUsage is -store's help text, the same for every command.
const FlagUsage = `where kefu keeps its data: "sqlite" (or empty) for ` + store.FileName +
	` under -data, or a postgres:// URL for a PostgreSQL database (docs/operations.md)`

// IsSQLite reports whether spec names the embedded store.
func IsSQLite(spec string) bool { return spec == "" || spec == SQLite }

// Check returns an error saying what is wrong with spec, or nil.
func Check(spec string) error {
	if IsSQLite(spec) || postgres.IsURL(spec) {
		return nil
	}
	return fmt.Errorf(`-store: want "sqlite" or a postgres:// URL, not %q`, Describe(spec, ""))
}

// Open opens the store spec names: "" or "sqlite" for the SQLite file in
// dataDir (created if missing), a postgres:// or postgresql:// URL for
// PostgreSQL. ctx bounds connecting and migrating.
func Open(ctx context.Context, spec, dataDir string) (store.Store, error) {
	if err := Check(spec); err != nil {
		return nil, err
	}
	if IsSQLite(spec) {
		return store.OpenSQLite(dataDir)
	}
	return postgres.Open(ctx, spec)
}

// Describe names the store for logs and messages: the SQLite file's path,
// or the URL without its password.
func Describe(spec, dataDir string) string {
	if IsSQLite(spec) {
		return filepath.Join(dataDir, store.FileName)
	}
	u, err := url.Parse(spec)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}
