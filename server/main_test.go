package server

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
)

func TestMain(m *testing.M) {
	// Every test server hashes a first password; the cheapest cost keeps
	// the suite fast and tests nothing less.
	auth.BcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}
