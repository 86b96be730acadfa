// Package accounts is the `kefu agent` command, which manages agent accounts
// in the store from a shell, and the first-start bootstrap of an account.
package accounts

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"kefu/auth"
	"kefu/store"
	"kefu/store/choose"
)

// DataEnv names the environment variable that changes the default -data.
const DataEnv = "KEFU_DATA"

// DefaultDataDir is -data's default: $KEFU_DATA, else "data". The serve
// command should use it too, so both find the same store.
func DefaultDataDir() string {
	if dir := os.Getenv(DataEnv); dir != "" {
		return dir
	}
	return "data"
}

// usage lists the subcommands; each one's flags are printed by its FlagSet.
const usage = `usage: kefu agent COMMAND [flags]

commands:
  add NAME     create an account (-role agent|supervisor, -capacity N, -password-stdin)
  list         list the accounts
  remove NAME  delete an account
  passwd NAME  set a new password (-password-stdin)

every command takes -data DIR (default $KEFU_DATA or "data") and -store
(default $KEFU_STORE: "sqlite", the file under -data, or a postgres:// URL)
`

// Config is what the command runs with: its standard input and outputs,
// and how it hashes the passwords it sets.
type Config struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Passwords hashes new passwords; zero: bcrypt's default cost, as
	// `kefu serve` uses unless -password-cost says otherwise.
	Passwords auth.Hasher
}

// subcommand runs one `kefu agent` subcommand with the arguments after its name.
type subcommand func(ctx context.Context, args []string, cfg Config) error

var subcommands = map[string]subcommand{
	"add":    runAdd,
	"list":   runList,
	"remove": runRemove,
	"passwd": runPasswd,
}

// Command runs `kefu agent ...`. args are the arguments after "agent", for
// example {"add", "alice", "-role", "supervisor"}. Results go to
// cfg.Stdout, usage to cfg.Stderr; the returned error is the one line to
// report. Help (-h) prints usage and returns nil.
func Command(ctx context.Context, cfg Config, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(cfg.Stderr, usage)
		return errors.New("agent: missing command (add, list, remove or passwd)")
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(cfg.Stderr, usage)
		return nil
	}
	run, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprint(cfg.Stderr, usage)
		return fmt.Errorf("agent: unknown command %q (want add, list, remove or passwd)", args[0])
	}
	err := run(ctx, args[1:], cfg)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("agent %s: %w", args[0], err)
	}
	return nil
}

// location is where a subcommand finds the store: the flags every
// subcommand shares, -data and -store, as `kefu serve` takes them.
type location struct {
	data, store string
}

// newFlags returns a FlagSet for subcommand name with the shared -data and
// -store flags.
func newFlags(name, argsHelp string, cfg Config) (*flag.FlagSet, *location) {
	fs := flag.NewFlagSet("kefu agent "+name, flag.ContinueOnError)
	fs.SetOutput(cfg.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(cfg.Stderr, "usage: kefu agent %s [flags] %s\n", name, argsHelp)
		fs.PrintDefaults()
	}
	var loc location
	fs.StringVar(&loc.data, "data", DefaultDataDir(), "data directory holding "+store.FileName+" (env "+DataEnv+")")
	fs.StringVar(&loc.store, "store", os.Getenv(choose.Env), choose.FlagUsage+" (env "+choose.Env+")")
	return fs, &loc
}

// parse parses args with flags allowed before and after the positional
// arguments, which it returns. After "--" everything is positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseName parses args that must hold exactly one NAME, returned trimmed
// and checked with store.ValidName.
func parseName(fs *flag.FlagSet, args []string) (string, error) {
	positional, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	switch {
	case len(positional) == 0:
		fs.Usage()
		return "", errors.New("missing NAME")
	case len(positional) > 1:
		fs.Usage()
		return "", fmt.Errorf("unexpected argument %q after NAME (quote a name with spaces)", positional[1])
	}
	name := strings.TrimSpace(positional[0])
	if err := store.ValidName(name); err != nil {
		return "", err
	}
	return name, nil
}

// parseNone parses args that must hold no positional argument.
func parseNone(fs *flag.FlagSet, args []string) error {
	positional, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", positional[0])
	}
	return nil
}

// openTimeout bounds connecting to the store and migrating it.
const openTimeout = 30 * time.Second

// withStore opens the store at loc, runs f and closes the store.
func withStore(loc *location, f func(store.Store) error) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	st, err := choose.Open(ctx, loc.store, loc.data)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	return f(st)
}
