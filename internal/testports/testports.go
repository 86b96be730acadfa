// Package testports holds the server's default ports while a package's
// tests run, so that a test which forgets to give a listener a free port
// fails at once instead of only on a machine where `make run` is running.
// Only tests import it.
package testports

import (
	"errors"
	"net"
	"syscall"
)

// Defaults are the addresses a server takes when a test leaves them unset:
// `kefu serve`'s -addr and -metrics-addr defaults, and the tutorial port
// that `make run` opens. main's TestDefaultPortsHeld keeps this list true.
var Defaults = []string{":3001", "127.0.0.1:9464", ":3000"}

// Hold listens on each default address that is free, until the test
// binary exits. An address already in use (a `make run` server, or the same
// guard in another package's tests running beside this one) is held by
// someone else, which is just as good: a test listening there fails either
// way. Nothing accepts on the held listeners; no test should dial them.
func Hold() {
	for _, addr := range Defaults {
		ln, err := net.Listen("tcp", addr)
		switch {
		case errors.Is(err, syscall.EADDRINUSE):
		case err != nil:
			panic("testports: cannot hold " + addr + ": " + err.Error())
		default:
			held = append(held, ln)
		}
	}
}

// held keeps the listeners reachable, so they stay open until exit.
var held []net.Listener
