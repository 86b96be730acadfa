package browsertest

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/internal/hostnet"
	"kefu/internal/leaktest"
	"kefu/internal/testports"
)

// TestMain fails the package if a test leaves a goroutine behind: each test
// runs a real server in-process and a browser, and stops both.
// testPasswords is the Config.Passwords of every test server, and hashes
// the accounts the tests provision: every test server hashes a first
// password and most tests sign in; at bcrypt's default cost a loaded
// machine took over the 5 s a server gives its first account, and the
// pages test nothing about the cost.
var testPasswords = auth.Hasher{Cost: bcrypt.MinCost}

func TestMain(m *testing.M) {
	testports.Hold()
	hostnet.Watch()
	leaktest.VerifyTestMain(m)
}
