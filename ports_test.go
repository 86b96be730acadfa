package main

import (
	"slices"
	"testing"

	"kefu/internal/testports"
)

func TestMain(m *testing.M) {
	// The binary these tests start must be given a free port for every
	// listener; holding the defaults makes one that is not fail here, as
	// it would beside `make run`.
	testports.Hold()
	m.Run()
}

// TestDefaultPortsHeld keeps the test guard's list in step with serve's
// defaults: a default it does not hold is one a test could take unseen.
func TestDefaultPortsHeld(t *testing.T) {
	for _, addr := range []string{DefaultAddr, DefaultMetricsAddr} {
		if !slices.Contains(testports.Defaults, addr) {
			t.Errorf("testports.Defaults = %v, missing serve's default %s", testports.Defaults, addr)
		}
	}
}
