package transport

import (
	"testing"

	"kefu/internal/leaktest"
)

// TestMain fails the package if a test leaves a goroutine behind: a socket
// pump, a timer or an actor system nobody stopped.
func TestMain(m *testing.M) { leaktest.VerifyTestMain(m) }
