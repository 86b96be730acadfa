package actors

import (
	"testing"

	"kefu/internal/leaktest"
)

// TestMain fails the package if a test leaves a goroutine behind: an actor
// system or a timer nobody stopped.
func TestMain(m *testing.M) { leaktest.VerifyTestMain(m) }
