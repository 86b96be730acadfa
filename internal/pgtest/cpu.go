package pgtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is the unit of /proc's CPU times: USER_HZ, 100 on Linux.
const clockTick = 10 * time.Millisecond

// CPU returns the CPU time the cluster's server has used so far, user and
// system, its running backends and those that have exited included: what
// a benchmark's commits cost PostgreSQL, beside what they cost kefu. It
// reads /proc, so it is Linux only; elsewhere it returns 0.
func (c *Cluster) CPU(tb testing.TB) time.Duration {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _, _ := strings.Cut(string(raw), "\n")
	// utime, stime, and the reaped children's cutime and cstime.
	total := procTicks(pid, 4)
	kids, _ := os.ReadFile(filepath.Join("/proc", pid, "task", pid, "children"))
	for _, kid := range strings.Fields(string(kids)) {
		total += procTicks(kid, 2)
	}
	return time.Duration(total) * clockTick
}

// procTicks sums the first n of the CPU fields of /proc/pid/stat, from
// utime (field 14) on.
func procTicks(pid string, n int) int64 {
	raw, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, rest, ok := strings.Cut(string(raw), ") ")
	if !ok {
		return 0
	}
	fields := strings.Fields(rest) // from field 3 on
	var sum int64
	for i := 11; i < 11+n && i < len(fields); i++ {
		v, _ := strconv.ParseInt(fields[i], 10, 64)
		sum += v
	}
	return sum
}
