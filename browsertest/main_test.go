package browsertest

import (
	"testing"

	"kefu/internal/leaktest"
	"kefu/internal/testports"
)

// TestMain fails the package if a test leaves a goroutine behind: each test
// runs a real server in-process and a browser, and stops both.
func TestMain(m *testing.M) {
	testports.Hold()
	leaktest.VerifyTestMain(m)
}
