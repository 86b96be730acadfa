package loadtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// procUsage is one reading of a process: resident memory and CPU time used.
type procUsage struct {
	RSSMiB     float64
	CPUSeconds float64
}

// readProc reads the server's usage from /proc; the server must run on
// this machine.
func readProc(pid int) (procUsage, error) {
	var u procUsage
	rss := procField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS") // "123456 kB"
	kb, err := strconv.ParseFloat(strings.TrimSuffix(rss, " kB"), 64)
	if err != nil {
		return u, fmt.Errorf("reading the RSS of process %d: %q", pid, rss)
	}
	u.RSSMiB = kb / 1024
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, fmt.Errorf("reading the CPU time of process %d: %w", pid, err)
	}
	// The command name, field 2, may hold spaces: count from its ")".
	_, rest, _ := strings.Cut(string(stat), ") ")
	fields := strings.Fields(rest)
	const utime, stime = 11, 12 // fields 14 and 15, counted after the name
	if len(fields) <= stime {
		return u, fmt.Errorf("reading the CPU time of process %d: short stat line", pid)
	}
	user, err1 := strconv.ParseFloat(fields[utime], 64)
	sys, err2 := strconv.ParseFloat(fields[stime], 64)
	if err1 != nil || err2 != nil {
		return u, fmt.Errorf("reading the CPU time of process %d: bad stat line", pid)
	}
	u.CPUSeconds = (user + sys) / clockTicks
	return u, nil
}
