package loadtest

import (
	"fmt"
	"syscall"
)

// raiseFDLimit lifts the soft limit on open files to the hard limit, since
// every simulated client holds a socket, and fails when even the hard limit
// is below what the run needs. It returns the limit now in force.
func raiseFDLimit(need uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("reading the open-file limit: %w", err)
	}
	if lim.Max < need {
		return lim.Cur, fmt.Errorf("this run needs about %d open files (one socket per client, plus a margin) but the hard limit is %d: "+
			"raise it (as root: ulimit -Hn %d; or LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf) "+
			"or run fewer -agents/-customers", need, lim.Max, need)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("raising the open-file limit to %d: %w", lim.Max, err)
		}
	}
	return lim.Cur, nil
}
