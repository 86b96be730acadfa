package actors

import "kefu/metrics"

// Metric converts to the metrics package's index, which counts from zero;
// ours count from one, so that a zero value means "not set".
func (p Pool) Metric() metrics.Protocol { return metrics.Protocol(p - 1) }
func (r Role) Metric() metrics.Role     { return metrics.Role(r - 1) }
