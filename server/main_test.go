package server

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/internal/leaktest"
	"kefu/internal/testports"
)

func TestMain(m *testing.M) {
	// Every test server hashes a first password; the cheapest cost keeps
	// the suite fast and tests nothing less.
	auth.BcryptCost = bcrypt.MinCost
	// Every test stops its server; a goroutine still running after all of
	// them is a socket, timer or actor the shutdown missed.
	// A test that leaves a listener on its default port fails here as it
	// would beside `make run`.
	testports.Hold()
	leaktest.VerifyTestMain(m)
}
