package limit

import (
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Offence logging: one line per offence, but no more than this, so a flood
// of offences cannot flood the log too.
const (
	DefaultLogRate  = rate.Limit(10) // lines a second, on average
	DefaultLogBurst = 20
	// reportAfter is how soon after the first dropped line one line says
	// how many were dropped.
	reportAfter = 10 * time.Second
)

// Offences counts every limit a client crosses and logs one line for each,
// at most DefaultLogRate a second: beyond that lines are dropped, and one
// line says how many, reportAfter after the first of them (and at Close).
// Its methods are safe for concurrent use, and do nothing on a nil
// *Offences.
type Offences struct {
	Counters
	log         *slog.Logger
	lines       *rate.Limiter
	reportAfter time.Duration

	mu      sync.Mutex
	dropped int
	report  *time.Timer // pending while lines are being dropped
	closed  bool
}

// NewOffences logs to log at Info, at most lines per second.
func NewOffences(log *slog.Logger, lines Rate) *Offences {
	return &Offences{log: log, lines: lines.NewLimiter(), reportAfter: reportAfter}
}

// Record counts one offence of kind k and logs it with attrs (slog's
// key-value pairs: who, from where), unless the log's own rate is spent.
func (o *Offences) Record(k Kind, attrs ...any) {
	if o == nil {
		return
	}
	o.inc(k)
	if o.lines.Allow() {
		o.log.Info("limit exceeded", append([]any{"limit", k.String()}, attrs...)...)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dropped++
	if o.report == nil && !o.closed {
		o.report = time.AfterFunc(o.reportAfter, o.flush)
	}
}

// flush logs how many lines were dropped since the last report.
func (o *Offences) flush() {
	o.mu.Lock()
	n := o.dropped
	o.dropped, o.report = 0, nil
	o.mu.Unlock()
	if n > 0 {
		o.log.Info("limit exceeded: log lines dropped", "dropped", n)
	}
}

// Close reports what was dropped and stops the report timer; offences
// after it are still counted, and logged within the log's rate.
func (o *Offences) Close() {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.closed = true
	if o.report != nil {
		o.report.Stop()
	}
	o.mu.Unlock()
	o.flush()
}
