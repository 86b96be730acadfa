package metrics

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"kefu/limit"
)

// read returns a counter's value, or a histogram's count.
func read(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if h := out.GetHistogram(); h != nil {
		return float64(h.GetSampleCount())
	}
	return out.GetCounter().GetValue()
}

// TestNil: every method is safe on nil metrics, so actors built without
// them need no stand-in.
func TestNil(t *testing.T) {
	var m *Metrics
	m.ConnectionOpened(Agent, Native)
	m.ConnectionClosed(Agent, Native)
	m.Received(Native)
	m.Delivered(Native, Now())
	m.RoutingEvent("queued")
	m.Assigned(time.Second)
	m.Commit(1, time.Millisecond, nil)
	m.StoreFenced()
	m.RegisterOffences(&limit.Counters{})
	if m.SlowClients(Native) != nil || m.MessagesReceived() != 0 {
		t.Fatal("nil metrics returned something")
	}
}

func TestCounts(t *testing.T) {
	m := New()
	t.Run("OK", func(t *testing.T) {
		m.Received(Native)
		m.Received(Compat)
		m.Received(Compat)
		if got, want := m.MessagesReceived(), uint64(3); got != want {
			t.Fatalf("MessagesReceived=%d, want %d", got, want)
		}
		m.Delivered(Compat, 0) // never stored: counted, not timed
		m.Delivered(Compat, Now())
		if got, want := read(t, m.delivered[Compat]), 2.0; got != want {
			t.Fatalf("delivered=%v, want %v", got, want)
		}
		if got, want := read(t, m.delivery), 1.0; got != want {
			t.Fatalf("delivery latencies=%v, want %v", got, want)
		}
		m.Commit(5, time.Millisecond, errors.New("disk full"))
		if got, want := read(t, m.commitFailures), 1.0; got != want {
			t.Fatalf("commit failures=%v, want %v", got, want)
		}
		m.StoreFenced()
		if got, want := read(t, m.storeFenced), 1.0; got != want {
			t.Fatalf("fenced writes=%v, want %v", got, want)
		}
	})
	t.Run("ErrOutOfRange", func(t *testing.T) {
		m.Received(Protocol(7)) // ignored, not a panic
		m.ConnectionOpened(Role(-1), Native)
		if got, want := m.MessagesReceived(), uint64(3); got != want {
			t.Fatalf("MessagesReceived=%d, want %d", got, want)
		}
	})
}

// TestOffences: every limit kind is published, zeros included.
func TestOffences(t *testing.T) {
	m := New()
	var c limit.Counters
	m.RegisterOffences(&c)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "kefu_limit_violations_total" {
			if got, want := len(f.GetMetric()), len(c.Snapshot()); got != want {
				t.Fatalf("%d kinds published, want %d", got, want)
			}
			return
		}
	}
	t.Fatal("no kefu_limit_violations_total")
}

// TestRehomedRegistered: the re-homed count that /metrics shows moves
// when a conversation is re-homed, also once the pool's and the store's
// gauges are observed (a merge left each of those replacing the counter
// with an unregistered one, so /metrics read 0 for ever).
func TestRehomedRegistered(t *testing.T) {
	m := New()
	m.ObservePool(func() int { return 1 })
	m.ObserveWAL(func() int64 { return 1 })
	m.ConvRehomed()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "kefu_convs_rehomed_total" {
			if got := f.GetMetric()[0].GetCounter().GetValue(); got != 1 {
				t.Fatalf("kefu_convs_rehomed_total=%v, want 1", got)
			}
			return
		}
	}
	t.Fatal("kefu_convs_rehomed_total not registered")
}

// TestCostSeries: the series the load harness reads for a message's cost
// (loadtest/server_metrics.go) are served, the live heap above zero once
// a GC has run.
func TestCostSeries(t *testing.T) {
	m := New()
	runtime.GC()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			got[f.GetName()] += s.GetGauge().GetValue() + s.GetCounter().GetValue()
		}
	}
	for _, name := range []string{"go_memstats_alloc_bytes_total", "go_memstats_mallocs_total", "go_gc_heap_live_bytes", "go_cpu_classes_gc_total_cpu_seconds_total"} {
		if v, ok := got[name]; !ok {
			t.Errorf("%s not served", name)
		} else if name == "go_gc_heap_live_bytes" && v <= 0 {
			t.Errorf("%s = %v after a GC, want above 0", name, v)
		}
	}
}
