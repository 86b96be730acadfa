// Command kefu is a customer-service chat server: customers ask for a human,
// the server routes each to a free support agent and carries the
// conversation over WebSocket. See README.md and docs/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/accounts"
	"kefu/auth"
	"kefu/loadtest"
	"kefu/server"
	"kefu/store/choose"
	"kefu/store/storecmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp): // -h printed the usage
	default:
		fmt.Fprintln(os.Stderr, "kefu:", err)
		os.Exit(1)
	}
}

// DefaultMetricsAddr keeps the metrics on the machine itself unless the
// operator opens them to the monitoring network: the main listener faces
// customers, and the metrics show how busy the desk is.
const DefaultMetricsAddr = "127.0.0.1:9464"

// DefaultAddr is the main listener's address: every interface, as a
// server for browsers elsewhere needs.
const DefaultAddr = ":3001"

const usage = `usage: kefu <command> [flags]

commands:
  serve     run the chat server (the default when no command is given)
  agent     manage agent accounts: add, list, remove, passwd
  store     move data between stores: copy -from DIR -to postgres://...
  loadtest  drive a running server with simulated clients and report (kefu loadtest -h)

run 'kefu serve -h' for the server's flags.
`

// run dispatches to a subcommand. It only wires: flags and environment in,
// the server's own Run out.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stderr)
	case "agent":
		return accounts.Command(ctx, accounts.Config{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: stderr}, args)
	case "store":
		return storecmd.Command(ctx, args, os.Stdout, stderr)
	case "loadtest":
		return loadtest.Command(ctx, args, os.Stdout, stderr)
	case "help":
		fmt.Fprint(stderr, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "main listener: the pages, the native protocol's /ws, /api/*, and the tutorial's /getroom and /compat")
	compatAddr := fs.String("compat-addr", "", "the tutorial's WebSocket listener, e.g. :3000; off when empty")
	data := fs.String("data", "data", "data directory")
	storeSpec := fs.String("store", "", choose.FlagUsage)
	ttl := fs.Duration("reservation-ttl", server.DefaultReservationTTL, "how long an unused /getroom offer holds an agent")
	grace := fs.Duration("grace", server.DefaultGrace, "the reconnect grace: how long a disconnected agent or customer keeps its conversations and queue place")
	origins := fs.String("allow-origins", "", "comma-separated extra page origins allowed to open sockets")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	cost := fs.Int("password-cost", bcrypt.DefaultCost, "bcrypt cost of new password hashes; lower only for load tests")
	pprofAddr := fs.String("pprof-addr", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off when empty. Never expose it")
	metricsAddr := fs.String("metrics-addr", DefaultMetricsAddr, "serve /metrics (and /healthz, /readyz) on this address, apart from the customers' listener; off when empty")
	metricsOnMain := fs.Bool("metrics-on-main", false, "also serve /metrics on -addr, which customers reach; only where that listener is private")
	linger := fs.Duration("commit-linger", 0, "how long a group commit waits from its first message for others to join it, e.g. 1ms: fewer, larger commits for up to that much more latency; 0: commit as soon as nothing more waits")
	storeOff := fs.Bool("store-off", false, "keep conversations in memory only, storing nothing; for measuring what the store costs, never for production")
	limits := addLimitFlags(fs)
	cluster := addClusterFlags(fs)
	mail := addMailFlags(fs)
	uploads := addUploadFlags(fs)
	if err := parseFlags(fs, args, "KEFU_"); err != nil {
		return err
	}
	if err := choose.Check(*storeSpec); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	if *cost < bcrypt.MinCost || *cost > bcrypt.MaxCost {
		return fmt.Errorf("-password-cost: must be %d to %d", bcrypt.MinCost, bcrypt.MaxCost)
	}
	if *cost < bcrypt.DefaultCost {
		log.Warn("weak password hashing: -password-cost below the default is for load tests only", "cost", *cost)
	}
	if *storeOff {
		log.Warn("-store-off: conversations are not stored and will not survive a restart")
	}

	if *pprofAddr != "" {
		go server.ServePprof(*pprofAddr, log)
	}
	cfg := server.Config{
		Addr:           *addr,
		CompatAddr:     *compatAddr,
		DataDir:        *data,
		Store:          *storeSpec,
		ReservationTTL: *ttl,
		Grace:          *grace,
		Passwords:      auth.Hasher{Cost: *cost},
		StoreOff:       *storeOff,
		CommitLinger:   *linger,
		AllowedOrigins: splitList(*origins),
		MetricsAddr:    *metricsAddr,
		MetricsOnMain:  *metricsOnMain,
		Log:            log,
	}
	if *linger < 0 || *linger > time.Second {
		return fmt.Errorf("-commit-linger: must be 0 to 1s, not %v", *linger)
	}
	if err := limits.apply(&cfg); err != nil {
		return err
	}
	if err := cluster.apply(&cfg); err != nil {
		return err
	}
	if err := uploads.apply(&cfg); err != nil {
		return err
	}
	if err := mail.apply(&cfg); err != nil {
		return err
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	base := pagesURL(srv.Addr())
	log.Info("pages", "customer", base+"/", "agent", base+"/agent", "supervisor", base+"/supervisor", "embed", base+"/widget.js")
	return srv.Run(ctx)
}

// pagesURL is where a browser on this machine finds the pages: a listener
// on every interface (":3001") is reached at localhost.
func pagesURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// parseFlags sets each flag from its environment variable (prefix plus the
// flag's name in upper case, dashes as underscores: -compat-addr is
// KEFU_COMPAT_ADDR), then from args, which win. A bad value in either is an
// error that names its source.
func parseFlags(fs *flag.FlagSet, args []string, prefix string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		key := prefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		f.Usage += " (env " + key + ")"
		if v, ok := os.LookupEnv(key); ok && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", key, v, e)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
