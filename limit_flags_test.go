package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"kefu/actors"
	"kefu/server"
	"kefu/transport"
)

// parseLimits parses args (and the KEFU_ environment) as serve does and
// returns the limits it would give the server.
func parseLimits(t *testing.T, args ...string) (server.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := addLimitFlags(fs)
	var cfg server.Config
	if err := parseFlags(fs, args, "KEFU_"); err != nil {
		return cfg, err
	}
	return cfg, f.apply(&cfg)
}

func TestLimitFlags(t *testing.T) {
	t.Run("OKDefaults", func(t *testing.T) {
		cfg, err := parseLimits(t)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Abuse, transport.DefaultAbuseLimits(); got != want {
			t.Fatalf("Abuse=%+v, want the defaults %+v", got, want)
		}
		if got, want := cfg.MaxTextBytes, transport.DefaultMaxTextBytes; got != want {
			t.Fatalf("MaxTextBytes=%d, want %d", got, want)
		}
		if got, want := cfg.MaxCapacity, 50; got != want {
			t.Fatalf("MaxCapacity=%d, want %d", got, want)
		}
		for _, l := range []transport.Limits{cfg.Sockets, cfg.NativeSockets} {
			if got, want := l.SendQueueBytes, transport.DefaultLimits().SendQueueBytes; got != want {
				t.Fatalf("SendQueueBytes=%d, want %d", got, want)
			}
			if got, want := l.SlowAfter, transport.DefaultLimits().SlowAfter; got != want {
				t.Fatalf("SlowAfter=%v, want %v", got, want)
			}
		}
	})
	t.Run("OKEnvAndFlags", func(t *testing.T) {
		t.Setenv("KEFU_FRAME_RATE", "5/s")
		t.Setenv("KEFU_CONNS_PER_IP", "0")
		t.Setenv("KEFU_RESERVATIONS_PER_IP", "3")
		t.Setenv("KEFU_TRUST_PROXY", "true")
		t.Setenv("KEFU_CUSTOMERS_PER_IP", "0")
		t.Setenv("KEFU_LOGIN_NAME_RATE", "1/h") // the flag below wins
		t.Setenv("KEFU_BODY_TIMEOUT", "3s")
		t.Setenv("KEFU_HTTP_CONNS_PER_IP", "0")
		t.Setenv("KEFU_SLOW_AFTER", "2s")
		cfg, err := parseLimits(t, "-login-name-rate", "3/m", "-api-rate", "inf", "-max-capacity", "7", "-max-text-bytes", "100", "-max-conns", "500", "-send-queue-bytes", "1048576", "-conv-start-rate", "1/m")
		if err != nil {
			t.Fatal(err)
		}
		a := cfg.Abuse
		for _, c := range []struct {
			name      string
			got, want rate.Limit
		}{
			{"Frames", a.Frames.Limit, 5},
			{"LoginName", a.LoginName.Limit, 3.0 / 60},
			{"API", a.API.Limit, rate.Inf},
			{"ConvStarts", a.ConvStarts.Limit, 1.0 / 60},
		} {
			if c.got != c.want {
				t.Errorf("%s.Limit=%v, want %v", c.name, c.got, c.want)
			}
		}
		if got, want := a.SocketsPerIP, -1; got != want {
			t.Errorf("SocketsPerIP=%d, want %d (no limit)", got, want)
		}
		if got, want := a.RoomsPerIP, 3; got != want {
			t.Errorf("RoomsPerIP=%d, want %d from KEFU_RESERVATIONS_PER_IP", got, want)
		}
		if a.BodyTimeout != 3*time.Second || a.HTTPConnsPerIP != -1 || a.MaxConns != 500 {
			t.Errorf("BodyTimeout=%v HTTPConnsPerIP=%d MaxConns=%d, want 3s, -1 (no limit) and 500", a.BodyTimeout, a.HTTPConnsPerIP, a.MaxConns)
		}
		if got, want := a.CustomersPerIP, -1; got != want {
			t.Errorf("CustomersPerIP=%d, want %d (no limit)", got, want)
		}
		if !a.TrustProxy {
			t.Error("TrustProxy=false, want true from KEFU_TRUST_PROXY")
		}
		if cfg.MaxCapacity != 7 || cfg.MaxTextBytes != 100 {
			t.Errorf("MaxCapacity=%d MaxTextBytes=%d, want 7 and 100", cfg.MaxCapacity, cfg.MaxTextBytes)
		}
		for _, l := range []transport.Limits{cfg.Sockets, cfg.NativeSockets} {
			if l.SendQueueBytes != 1<<20 || l.SlowAfter != 2*time.Second {
				t.Errorf("SendQueueBytes=%d SlowAfter=%v, want 1048576 and 2s", l.SendQueueBytes, l.SlowAfter)
			}
		}
	})
	t.Run("ErrBadEnvRate", func(t *testing.T) {
		t.Setenv("KEFU_API_RATE", "fast")
		_, err := parseLimits(t)
		if err == nil || !strings.Contains(err.Error(), `KEFU_API_RATE="fast"`) {
			t.Fatalf("err=%v, want one naming KEFU_API_RATE", err)
		}
	})
	t.Run("OKHistory", func(t *testing.T) {
		cfg, err := parseLimits(t)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.HistoryPage, actors.DefaultHistoryLimits(); got != want {
			t.Fatalf("HistoryPage=%+v, want the defaults %+v", got, want)
		}
		t.Setenv("KEFU_HISTORY_MESSAGES", "20")
		if cfg, err = parseLimits(t, "-history-bytes", "65536"); err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.HistoryPage, (actors.HistoryLimits{Messages: 20, Bytes: 65536}); got != want {
			t.Fatalf("HistoryPage=%+v, want %+v", got, want)
		}
		for _, args := range [][]string{{"-history-messages", "0"}, {"-history-messages", "1001"}, {"-history-bytes", "0"}} {
			if _, err := parseLimits(t, args...); err == nil {
				t.Errorf("%v: no error, want one", args)
			}
		}
	})
	t.Run("ErrOutOfRange", func(t *testing.T) {
		for _, args := range [][]string{
			{"-max-capacity", "51"},
			{"-max-capacity", "0"},
			{"-max-teams", "0"},
			{"-max-teams", "10001"},
			{"-max-text-bytes", "40000"},
			{"-max-text-bytes", "0"},
			{"-frame-burst", "0"},
			{"-conns-per-ip", "-1"},
			{"-reservations-per-ip", "-1"},
			{"-http-conns-per-ip", "-1"},
			{"-max-conns", "-1"},
			{"-body-timeout", "-1s"},
			{"-customers-per-ip", "-1"},
			{"-conv-start-burst", "0"},
			{"-login-rate", "0/s"},
			{"-send-queue-bytes", "1000"},
			{"-slow-after", "0s"},
		} {
			if _, err := parseLimits(t, args...); err == nil {
				t.Errorf("%v: no error, want one", args)
			}
		}
	})
}
