package server

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/internal/leaktest"
)

func TestMain(m *testing.M) {
	// Every test server hashes a first password; the cheapest cost keeps
	// the suite fast and tests nothing less.
	auth.BcryptCost = bcrypt.MinCost
	// Every test stops its server; a goroutine still running after all of
	// them is a socket, timer or actor the shutdown missed.
	leaktest.VerifyTestMain(m)
}
