package loadtest

import (
	"math"
	"testing"
)

// TestCostOf: the window's CPU, GC and allocations are divided by the
// window's deliveries, the run's CPU by the run's, the compat round trips
// by theirs; per socket divides by the peak sockets; the median second
// leaves out seconds outside the window and seconds without deliveries.
func TestCostOf(t *testing.T) {
	res := &Result{
		Counts:  Counts{SocketsPeak: 1024, Delivered: 2_000_000},
		Server_: &ServerUsage{CPUSeconds: 300, PeakRSSMiB: 256},
		Series: []Sample{
			{T: 1, DeliveredPerSec: 10, ServerCPUPct: 150},      // ramp-up: out of the window
			{T: 3, DeliveredPerSec: 10_000, ServerCPUPct: 100},  // 100 µs
			{T: 4, DeliveredPerSec: 10_000, ServerCPUPct: 120},  // 120 µs
			{T: 5, DeliveredPerSec: 0, ServerCPUPct: 50},        // nothing delivered: left out
			{T: 6, DeliveredPerSec: 10_000, ServerCPUPct: 300},  // 300 µs, a slow second
			{T: 9, DeliveredPerSec: 10_000, ServerCPUPct: 1000}, // draining: out
		},
	}
	open := costMark{serverCPU: 10, serverCPUOK: true, harnessCPU: 5, delivered: 1000, roundTrips: 100,
		metrics: metricsReading{AllocBytes: 1 << 20, Mallocs: 1000, GCCPU: 1}, metricsOK: true}
	closed := costMark{serverCPU: 110, serverCPUOK: true, harnessCPU: 55, delivered: 1_001_000, roundTrips: 500_100,
		metrics: metricsReading{AllocBytes: 1<<20 + 3_000_000_000, Mallocs: 41_001_000, GCCPU: 21, HeapLive: 64 << 20}, metricsOK: true}
	c := costOf(res, open, closed, 2, 8)
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"window CPU µs", c.CPUPerDeliveredUs, 100},
		{"run CPU µs", c.CPUPerDeliveredRunUs, 150},
		{"median second µs", c.CPUPerDeliveredSteadyUs, 120},
		{"round trip µs", c.CPUPerRoundTripUs, 200},
		{"harness µs", c.HarnessCPUPerDeliveredUs, 50},
		{"GC µs", c.GCCPUPerDeliveredUs, 20},
		{"bytes", c.AllocBytesPerDelivered, 3000},
		{"allocs", c.AllocsPerDelivered, 41},
		{"live heap MiB", c.LiveHeapMiB, 64},
		{"live heap per socket KiB", c.LiveHeapPerSocketKiB, 64},
		{"RSS per socket KiB", c.PeakRSSPerSocketKiB, 256},
	} {
		if math.Abs(f.got-f.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}

	// Without the server's pid or /metrics (a server on another host),
	// only what the harness saw itself is given.
	c = costOf(&Result{Counts: Counts{SocketsPeak: 10, Delivered: 10}}, costMark{delivered: 0}, costMark{delivered: 10, harnessCPU: 1}, 0, 1)
	if c.CPUPerDeliveredUs != 0 || c.AllocsPerDelivered != 0 || c.LiveHeapPerSocketKiB != 0 || c.HarnessCPUPerDeliveredUs != 1e5 {
		t.Errorf("cost without the server's figures = %+v, want the harness's only", c)
	}
	if costOf(res, open, open, 2, 8) != nil {
		t.Error("a window without deliveries has a cost")
	}
}
