package loadtest

import "strconv"

// The cost block of the reports (table and HTML): what a delivered message
// cost, from Result.Cost (cost.go).

// costRows are what a delivered message cost, the figures measured only.
func costRows(c *Cost) []nameValue {
	if c == nil {
		return nil
	}
	var rows []nameValue
	add := func(name string, v float64, unit string, prec int) {
		if v > 0 {
			rows = append(rows, nameValue{name, strconv.FormatFloat(v, 'f', prec, 64) + " " + unit})
		}
	}
	add("server CPU", c.CPUPerDeliveredUs, "µs", 1)
	add("server CPU, median second", c.CPUPerDeliveredSteadyUs, "µs", 1)
	add("server CPU, whole run", c.CPUPerDeliveredRunUs, "µs", 1)
	add("server CPU per round trip", c.CPUPerRoundTripUs, "µs", 1)
	add("server GC CPU", c.GCCPUPerDeliveredUs, "µs", 1)
	add("server allocations", c.AllocsPerDelivered, "objects", 1)
	add("server bytes allocated", c.AllocBytesPerDelivered, "B", 0)
	add("harness CPU", c.HarnessCPUPerDeliveredUs, "µs", 1)
	add("server live heap", c.LiveHeapMiB, "MiB", 1)
	add("live heap per socket", c.LiveHeapPerSocketKiB, "KiB", 1)
	add("peak RSS per socket", c.PeakRSSPerSocketKiB, "KiB", 1)
	return rows
}
