package actors

import (
	"testing"

	"kefu/internal/ids"
)

// TestPoolRules pins each pool's rules: a change to one is a change to how
// that protocol behaves, and docs/compat.md describes them.
func TestPoolRules(t *testing.T) {
	for _, tt := range []struct {
		pool Pool
		want poolRules
	}{
		{PoolNative, poolRules{
			name:              "native",
			accounts:          true,
			queues:            true,
			reconnectGrace:    true,
			agentReadsFrom:    readOnConnect,
			customerReadsFrom: readOnConnect,
		}},
		{PoolCompat, poolRules{
			name:                    "compat",
			fixedCapacity:           1,
			uniqueNames:             true,
			endsWithAgent:           true,
			identifiedByURL:         true,
			agentIDPrefix:           ids.Compat,
			agentReadsFrom:          readOnAdmission,
			customerReadsFrom:       readFromGreeting,
			greetsCustomer:          true,
			customerClosedWhenEnded: true,
		}},
		{0, poolRules{name: "unknown"}},
	} {
		t.Run(tt.want.name, func(t *testing.T) {
			if got, want := tt.pool.rules(), tt.want; got != want {
				t.Fatalf("%v.rules()=%+v, want %+v", tt.pool, got, want)
			}
			if got, want := tt.pool.String(), tt.want.name; got != want {
				t.Fatalf("String()=%q, want %q", got, want)
			}
		})
	}
	t.Run("ReadsFrom", func(t *testing.T) {
		r := PoolCompat.rules()
		if got, want := r.readsFrom(RoleAgent), readOnAdmission; got != want {
			t.Fatalf("agent readsFrom=%v, want %v", got, want)
		}
		if got, want := r.readsFrom(RoleCustomer), readFromGreeting; got != want {
			t.Fatalf("customer readsFrom=%v, want %v", got, want)
		}
	})
}
