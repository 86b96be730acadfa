package actors

import "kefu/metrics"

// The metrics package indexes protocols and roles from zero; ours start at
// one, so that a zero value means "not set".
func (p Pool) metric() metrics.Protocol { return metrics.Protocol(p - 1) }
func (r Role) metric() metrics.Role     { return metrics.Role(r - 1) }

func (p Pool) String() string {
	switch p {
	case PoolNative:
		return "native"
	case PoolCompat:
		return "compat"
	}
	return "unknown"
}
