package loadtest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The two protocols the harness speaks.
const (
	ProtocolNative = "native"
	ProtocolCompat = "compat"
)

// Config is one run's effective settings: a preset with the knobs given on
// the command line laid over it.
type Config struct {
	Server       string // base URL of the main listener, http://HOST:PORT; or several, comma-separated (servers.go)
	CompatServer string // the compat WebSocket URL; "" for the server's /compat
	Protocol     string // ProtocolNative or ProtocolCompat
	Scenario     string // "S1".."S5" or "custom"

	Agents       int
	Capacity     int
	Customers    int
	Arrival      time.Duration // customers arrive evenly over this; 0: all at once
	MessageEvery time.Duration // 0: closed loop, the next once the last is acknowledged
	Messages     int           // per customer; 0: until the run ends
	Think        time.Duration // an agent's delay before answering
	Churn        float64       // fraction of connected clients dropped each ChurnEvery
	ChurnEvery   time.Duration
	Duration     time.Duration // the measured window
	StoreOff     bool          // only recorded: the store is the server's setting

	Admin         string // a supervisor account, to provision agents (native)
	AdminPassword string
	AgentPrefix   string // agent account names are AgentPrefix + a 4-digit number
	ServerPID     int    // sample this process's RSS and CPU when not 0: the (first) server's
	MorePIDs      string // the other servers' process ids, comma-separated, in -server's order

	JSONFile   string
	HTMLFile   string
	Quiet      bool
	CPUProfile string // the harness's own CPU profile; "" for none
	// ServerPprof is the server's net/http/pprof base URL (kefu serve
	// -pprof-addr), ProfileDir where its window's profiles go; "" for none.
	ServerPprof string
	ProfileDir  string
}

// agentPassword is every provisioned agent's password. The accounts exist
// only for load runs against a test server, so a fixed one lets a later run
// reuse them.
const agentPassword = "loadtest-password"

// maxCapacity is the server's upper bound on an agent's capacity.
const maxCapacity = 50

// validate says what is wrong with the settings, if anything.
func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Protocol != ProtocolNative && c.Protocol != ProtocolCompat {
		bad("-protocol: %q is neither native nor compat", c.Protocol)
	}
	if c.Agents < 1 {
		bad("-agents: need at least one agent")
	}
	if c.Customers < 1 {
		bad("-customers: need at least one customer")
	}
	if c.Capacity < 1 || c.Capacity > maxCapacity {
		bad("-capacity: must be 1 to %d", maxCapacity)
	}
	if c.Churn < 0 || c.Churn > 1 {
		bad("-churn: a fraction, 0 to 1")
	}
	if c.Churn > 0 && c.ChurnEvery <= 0 {
		bad("-churn-every: must be above 0 when -churn is set")
	}
	if c.Churn > 0 && c.Protocol == ProtocolCompat {
		// The tutorial's protocol has no tokens and no grace: a dropped
		// client's conversation is over, so there is nothing to verify.
		bad("-churn: needs the native protocol; the compat protocol cannot resume")
	}
	if c.Duration <= 0 {
		bad("-duration: must be above 0")
	}
	if c.Arrival < 0 || c.MessageEvery < 0 || c.Think < 0 || c.Messages < 0 {
		bad("-arrival, -message-every, -think and -messages cannot be negative")
	}
	if c.Protocol == ProtocolNative && (c.Admin == "" || c.AdminPassword == "") {
		bad("-admin and -admin-password (or -admin-password-file): the native protocol needs a supervisor account to provision agents")
	}
	servers, err := serverList(c.Server)
	if err != nil {
		bad("-server: %v", err)
	}
	if pids := c.pids(); len(pids) > 0 && err == nil && len(pids) != len(servers) {
		bad("-server-pid: %d process ids for %d servers; give one per server, in -server's order", len(pids), len(servers))
	}
	if len(servers) > 1 && c.Protocol == ProtocolCompat {
		// -compat-server names one socket, and a compat client cannot
		// resume on another node: the cluster runs are native.
		bad("-server: several servers need the native protocol")
	}
	if c.CompatServer != "" {
		if u, err := url.Parse(c.CompatServer); err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
			bad("-compat-server: want ws://HOST:PORT or wss://…, got %q", c.CompatServer)
		}
	}
	return errors.Join(errs...)
}

// compatURL is the tutorial's WebSocket, to which ?type=&name= is added.
func (c *Config) compatURL() string {
	if c.CompatServer != "" {
		return strings.TrimSuffix(c.CompatServer, "/") + "/"
	}
	return wsBase(c.Server) + "/compat"
}

// wsBase turns http(s)://HOST into ws(s)://HOST.
func wsBase(server string) string {
	s := strings.TrimSuffix(server, "/")
	if rest, ok := strings.CutPrefix(s, "https://"); ok {
		return "wss://" + rest
	}
	return "ws://" + strings.TrimPrefix(s, "http://")
}

// socketsNeeded is how many descriptors the run holds at its peak: one per
// client (the server's ends live in another process), and a margin for the
// HTTP clients, the report files and the standard streams.
func (c *Config) socketsNeeded() uint64 {
	const margin = 64
	return uint64(c.Agents+c.Customers) + margin
}

// settings is the Result's copy of the knobs.
func (c *Config) settings() Settings {
	return Settings{
		Agents:       c.Agents,
		Capacity:     c.Capacity,
		Customers:    c.Customers,
		ArrivalOver:  Duration(c.Arrival),
		MessageEvery: Duration(c.MessageEvery),
		Messages:     c.Messages,
		ThinkTime:    Duration(c.Think),
		Churn:        c.Churn,
		ChurnEvery:   Duration(c.ChurnEvery),
		RunFor:       Duration(c.Duration),
		StoreOff:     c.StoreOff,
	}
}
