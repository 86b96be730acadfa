package accounts

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
)

// TestMain makes bcrypt cheap so that -race runs stay fast.
func TestMain(m *testing.M) {
	auth.BcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}
