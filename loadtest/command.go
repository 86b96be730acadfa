package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
)

// Command is `kefu loadtest`: it parses args, drives the server, prints the
// final table to stdout and writes the reports asked for. It returns an
// error when the run could not start, when nothing connected, or when the
// delivery check found a message lost, duplicated or out of order; client
// errors are reported, not fatal.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	res, err := Run(ctx, cfg, progressOutput(cfg.Quiet, stdout, stderr, cfg.Duration))
	if res == nil {
		return err
	}
	WriteTable(stdout, res)
	if werr := writeReports(cfg, res); werr != nil {
		err = errors.Join(err, werr)
	}
	return err
}

// parseArgs lays the flags given over the scenario's preset.
func parseArgs(args []string, stderr io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kefu loadtest [flags]\n\nscenarios (-scenario):\n")
		for _, s := range scenarios {
			fmt.Fprintf(stderr, "  %-7s %s\n", s.Name, s.About)
		}
		fmt.Fprintf(stderr, "\nflags (the knobs override the scenario's values):\n")
		fs.PrintDefaults()
	}
	var (
		c         Config
		passFile  string
		scenarioF = fs.String("scenario", "custom", "preset to run: "+scenarioNames())
	)
	fs.StringVar(&c.Server, "server", "http://127.0.0.1:3001", "the server's main listener, as a base URL; the WebSocket URLs are derived from it. Several, comma-separated (a cluster's nodes): client i of each kind goes to server i mod n (native only)")
	fs.StringVar(&c.CompatServer, "compat-server", "", "the compat WebSocket, e.g. ws://127.0.0.1:3000 (default: -server's /compat path)")
	fs.StringVar(&c.Protocol, "protocol", "", "native or compat (default: the scenario's)")
	fs.IntVar(&c.Agents, "agents", 0, "simulated agents")
	fs.IntVar(&c.Capacity, "capacity", 0, "conversations each agent holds at once, 1 to 50 (compat agents always hold one)")
	fs.IntVar(&c.Customers, "customers", 0, "simulated customers")
	fs.DurationVar(&c.Arrival, "arrival", 0, "customers arrive evenly over this duration; 0: all at once")
	fs.DurationVar(&c.MessageEvery, "message-every", 0, "a customer sends a message this often; 0: closed loop, the next once the last is acknowledged (compat: answered)")
	fs.IntVar(&c.Messages, "messages", 0, "messages per customer, after which it ends its conversation and leaves; 0: until the run ends")
	fs.DurationVar(&c.Think, "think", 0, "an agent's think time before it answers a customer's message")
	fs.Float64Var(&c.Churn, "churn", 0, "fraction (0 to 1) of the connected clients that drop their socket and resume, every -churn-every (native only)")
	fs.DurationVar(&c.ChurnEvery, "churn-every", 0, "how often -churn strikes")
	fs.DurationVar(&c.Duration, "duration", 0, "the measured window, after every client is connected (or from the first arrival with -arrival)")
	fs.BoolVar(&c.StoreOff, "store-off-label", false, "record that the server runs with its store off (S2's comparison); changes nothing in the run")
	fs.StringVar(&c.Admin, "admin", "", "a supervisor account, used to create and log in the agents over /api/agents and /api/login (native)")
	fs.StringVar(&c.AdminPassword, "admin-password", "", "the supervisor's password (visible to other users in ps: prefer -admin-password-file)")
	fs.StringVar(&passFile, "admin-password-file", "", "file whose first line is the supervisor's password")
	fs.StringVar(&c.AgentPrefix, "agent-prefix", "lt-agent-", "agent names are this prefix and a 4-digit number; existing accounts are reused")
	fs.Var(pidFlag{&c.ServerPID, &c.MorePIDs}, "server-pid", "the server's process id, to sample its RSS and CPU from /proc each second (same machine); with several servers, one per server, comma-separated, in -server's order")
	fs.StringVar(&c.JSONFile, "json", "", "write the result as JSON to this file")
	fs.StringVar(&c.HTMLFile, "html", "", "write a self-contained HTML report to this file")
	fs.BoolVar(&c.Quiet, "quiet", false, "no progress line")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write the harness's own CPU profile to this file (the server has -pprof-addr)")
	fs.StringVar(&c.ServerPprof, "server-pprof", "", "the server's profiler, e.g. http://127.0.0.1:6060 (kefu serve -pprof-addr): take its CPU, heap and allocation profiles over the measured window, into -profile-dir")
	fs.StringVar(&c.ProfileDir, "profile-dir", "", "where -server-pprof's profiles go (default: the current directory): cpu.pb.gz, heap.pb.gz, allocs-open.pb.gz and allocs-close.pb.gz")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("loadtest: unexpected arguments %q", fs.Args())
	}
	preset, err := findScenario(*scenarioF)
	if err != nil {
		return nil, err
	}
	cfg := overlay(preset, &c, fs)
	if passFile != "" {
		b, err := os.ReadFile(passFile)
		if err != nil {
			return nil, fmt.Errorf("reading -admin-password-file: %w", err)
		}
		cfg.AdminPassword, _, _ = strings.Cut(strings.TrimRight(string(b), "\r\n"), "\n")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// knobs are the flags a scenario presets, each with how to take its value
// from the preset. The user's flags are the starting point, so a flag that
// is not a knob (the server's address, the reports, -cpuprofile) can never
// be lost; a knob not given takes the preset's value rather than the
// flag's zero default.
var knobs = map[string]func(cfg, preset *Config){
	"protocol":      func(c, p *Config) { c.Protocol = p.Protocol },
	"agents":        func(c, p *Config) { c.Agents = p.Agents },
	"capacity":      func(c, p *Config) { c.Capacity = p.Capacity },
	"customers":     func(c, p *Config) { c.Customers = p.Customers },
	"arrival":       func(c, p *Config) { c.Arrival = p.Arrival },
	"message-every": func(c, p *Config) { c.MessageEvery = p.MessageEvery },
	"messages":      func(c, p *Config) { c.Messages = p.Messages },
	"think":         func(c, p *Config) { c.Think = p.Think },
	"churn":         func(c, p *Config) { c.Churn = p.Churn },
	"churn-every":   func(c, p *Config) { c.ChurnEvery = p.ChurnEvery },
	"duration":      func(c, p *Config) { c.Duration = p.Duration },
}

// overlay returns the flags given, with the preset's value for every knob
// the command line left out.
func overlay(preset scenario, given *Config, fs *flag.FlagSet) *Config {
	cfg := *given
	cfg.Scenario = preset.Name
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, take := range knobs {
		if !set[name] {
			take(&cfg, &preset.Config)
		}
	}
	return &cfg
}

// writeReports writes the JSON and HTML files asked for.
func writeReports(cfg *Config, res *Result) error {
	var errs []error
	write := func(path string, render func(io.Writer, *Result) error) {
		if path == "" {
			return
		}
		f, err := os.Create(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("creating report: %w", err))
			return
		}
		if err := render(f, res); err != nil {
			errs = append(errs, fmt.Errorf("writing %s: %w", path, err))
		}
		if err := f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing %s: %w", path, err))
		}
	}
	write(cfg.JSONFile, WriteJSON)
	write(cfg.HTMLFile, WriteHTML)
	return errors.Join(errs...)
}

// startCPUProfile profiles the harness itself: on a shared machine its CPU
// is CPU the server does not get, so it is worth keeping small.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
