package loadtest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// scenario is a named preset: the shapes issue 5 asks the server to be
// measured in. Knobs given on the command line override its fields.
type scenario struct {
	Name  string
	About string
	Config
}

// scenarios are the presets; "custom" starts from a small run meant to be
// shaped with the knobs.
var scenarios = []scenario{
	{Name: "S1", About: "scale: 10,000 customers and 2,000 agents (capacity 5) connected at once, a message every 2 s each, answered, 60 s",
		Config: Config{Protocol: ProtocolNative, Agents: 2000, Capacity: 5, Customers: 10000, MessageEvery: 2 * time.Second, Duration: 60 * time.Second}},
	{Name: "S2", About: "throughput: 1,000 conversations, closed loop as fast as acknowledged, 30 s (run once with the server's store on, once off)",
		Config: Config{Protocol: ProtocolNative, Agents: 1000, Capacity: 1, Customers: 1000, Duration: 30 * time.Second}},
	{Name: "S3", About: "arrival: 10,000 customers arriving over 10 s against 2,000 free agents (capacity 5); one message each, then leave",
		Config: Config{Protocol: ProtocolNative, Agents: 2000, Capacity: 5, Customers: 10000, Arrival: 10 * time.Second, Messages: 1, Duration: 30 * time.Second}},
	{Name: "S4", About: "churn: S1 at a quarter of the size, 20 % of clients dropping and resuming every 10 s, 60 s",
		Config: Config{Protocol: ProtocolNative, Agents: 500, Capacity: 5, Customers: 2500, MessageEvery: 2 * time.Second, Churn: 0.2, ChurnEvery: 10 * time.Second, Duration: 60 * time.Second}},
	{Name: "S5", About: "compat: 1,000 agent/customer pairs of the tutorial's protocol, closed loop, 30 s",
		Config: Config{Protocol: ProtocolCompat, Agents: 1000, Capacity: 1, Customers: 1000, Duration: 30 * time.Second}},
	{Name: "soak", About: "S1's shape for 10 minutes: memory and goroutine counts must stay flat (give -server-pid for memory)",
		Config: Config{Protocol: ProtocolNative, Agents: 2000, Capacity: 5, Customers: 10000, MessageEvery: 2 * time.Second, Duration: 10 * time.Minute}},
	{Name: "custom", About: "a small native run (20 agents, 50 customers, a message a second, 10 s) to shape with the knobs",
		Config: Config{Protocol: ProtocolNative, Agents: 20, Capacity: 5, Customers: 50, MessageEvery: time.Second, Duration: 10 * time.Second}},
}

// findScenario returns the preset with that name, case-insensitively.
func findScenario(name string) (scenario, error) {
	i := slices.IndexFunc(scenarios, func(s scenario) bool { return strings.EqualFold(s.Name, name) })
	if i < 0 {
		return scenario{}, fmt.Errorf("-scenario: unknown %q; want one of %s", name, scenarioNames())
	}
	return scenarios[i], nil
}

func scenarioNames() string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}
