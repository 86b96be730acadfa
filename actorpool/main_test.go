package actorpool

import (
	"testing"

	"kefu/internal/leaktest"
)

// TestMain fails the package if a test leaves a pooled goroutine behind.
func TestMain(m *testing.M) { leaktest.VerifyTestMain(m) }
