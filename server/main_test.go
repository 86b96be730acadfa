package server

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/internal/leaktest"
	"kefu/internal/testports"
)

// testPasswords is the Config.Passwords of every test server, and hashes
// the accounts the tests provision: every test server hashes a first
// password, and the cheapest cost keeps the suite fast and tests nothing
// less.
var testPasswords = auth.Hasher{Cost: bcrypt.MinCost}

func TestMain(m *testing.M) {
	// Every test stops its server; a goroutine still running after all of
	// them is a socket, timer or actor the shutdown missed.
	// A test that leaves a listener on its default port fails here as it
	// would beside `make run`.
	testports.Hold()
	leaktest.VerifyTestMain(m)
}
