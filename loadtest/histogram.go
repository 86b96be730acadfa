package loadtest

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds, in microseconds: from 1 µs to 5 minutes with three
// significant digits, so a p99 of 100 ms reads as 100 ms ± 0.1 ms. A
// message held up by a reconnection may take seconds; past 5 minutes it is
// clamped to the top.
const (
	histLowest  = 1
	histHighest = int64(5 * time.Minute / time.Microsecond)
	histDigits  = 3
	histShards  = 16
)

// shardedHist is one latency distribution recorded by thousands of client
// goroutines. An HdrHistogram is not safe for concurrent use, and one per
// client would cost about 160 KiB each (15,000 clients: 2.4 GB), so the
// clients share a few shards, each behind its own mutex: a client always
// records into shard index%histShards, a record takes tens of nanoseconds,
// and with 16 shards two goroutines rarely want the same lock. Readers merge
// the shards.
type shardedHist struct {
	shards [histShards]histShard
}

type histShard struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

func newShardedHist() *shardedHist {
	s := &shardedHist{}
	for i := range s.shards {
		s.shards[i].h = hdrhistogram.New(histLowest, histHighest, histDigits)
	}
	return s
}

// record adds one duration to the shard of client index i.
func (s *shardedHist) record(i int, d time.Duration) {
	us := min(max(d.Microseconds(), histLowest), histHighest)
	sh := &s.shards[i%histShards]
	sh.mu.Lock()
	_ = sh.h.RecordValue(us) // in range by construction
	sh.mu.Unlock()
}

// merged returns one histogram of everything recorded; with reset, the
// shards start empty again (the per-second window).
func (s *shardedHist) merged(reset bool) *hdrhistogram.Histogram {
	out := hdrhistogram.New(histLowest, histHighest, histDigits)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		out.Merge(sh.h)
		if reset {
			sh.h.Reset()
		}
		sh.mu.Unlock()
	}
	return out
}

// summary turns a histogram into the Result's milliseconds.
func summary(h *hdrhistogram.Histogram) Latency {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	l := Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	l.Min, l.Max, l.Mean = ms(h.Min()), ms(h.Max()), h.Mean()/1000
	l.P50, l.P90 = ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(90))
	l.P99, l.P999 = ms(h.ValueAtQuantile(99)), ms(h.ValueAtQuantile(99.9))
	for _, b := range h.CumulativeDistribution() {
		l.Distribution = append(l.Distribution, Point{Percentile: b.Quantile, Ms: ms(b.ValueAt)})
	}
	return l
}
