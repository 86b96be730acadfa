// Package hostnet keeps the tests that change the host's network apart
// from the tests that a change would break. Only tests import it.
//
// The partition test adds a veth and a route in the host's namespace.
// Chromium watches the host's links and addresses, and on any change it
// aborts every request in flight with net::ERR_NETWORK_CHANGED, which a
// browser test sees as a page that failed to load (clean-clone run 30).
// go test runs packages side by side, so the two share a lock file: the
// browser tests hold it shared for their whole run, a test that changes
// the network holds it exclusively while it does.
package hostnet

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockPath is one file for every checkout on the machine: two clones'
// tests running at once disturb each other just the same.
var lockPath = filepath.Join(os.TempDir(), "kefu-hostnet.lock")

// Watch holds the lock shared until the test binary exits: call it from a
// TestMain whose tests must not see the host's network change.
func Watch() {
	f, err := lock(syscall.LOCK_SH)
	if err != nil {
		panic(err)
	}
	held = append(held, f)
}

// Change holds the lock exclusively, waiting for every Watch to end; the
// returned function releases it.
func Change() (release func(), err error) {
	f, err := lock(syscall.LOCK_EX)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// lock opens the lock file and takes how on it. The file stays open (and
// the lock held) until it is closed or the process exits.
func lock(how int) (*os.File, error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("hostnet: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, fmt.Errorf("hostnet: lock %s: %w", lockPath, err)
	}
	return f, nil
}

// held keeps Watch's files reachable, so they stay open until exit.
var held []*os.File
