// Package auth hashes passwords and issues and verifies the signed tokens that
// agents and customers present on the socket. It knows nothing of the store:
// callers pass in hashes and the signing key.
package auth

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Password length bounds, in bytes. bcrypt reads at most 72 bytes; longer
// passwords are refused rather than silently cut.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// ErrBadPassword: a new password breaks a rule; the message says which and is
// safe to show.
var ErrBadPassword = errors.New("bad password")

// Hasher makes the bcrypt hashes of new passwords. It is configuration,
// passed to whoever stores a password (the server, `kefu agent`), so that a
// load test or a test suite can lower the cost of its own server without
// changing anyone else's. The zero value hashes at bcrypt.DefaultCost.
type Hasher struct {
	// Cost is bcrypt's work factor (bcrypt.MinCost to bcrypt.MaxCost);
	// zero means bcrypt.DefaultCost. Lower it only for tests and load
	// tests: each step halves the work of guessing from a stolen hash.
	Cost int
}

// cost is h.Cost, or bcrypt.DefaultCost when it is zero.
func (h Hasher) cost() int {
	if h.Cost == 0 {
		return bcrypt.DefaultCost
	}
	return h.Cost
}

// Hash returns the bcrypt hash of pw at h's cost, refusing passwords
// outside MinPasswordLen..MaxPasswordLen bytes with ErrBadPassword.
func (h Hasher) Hash(pw string) ([]byte, error) {
	if len(pw) < MinPasswordLen {
		return nil, fmt.Errorf("%w: shorter than %d bytes", ErrBadPassword, MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadPassword, MaxPasswordLen)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), h.cost())
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// CheckPassword reports whether pw matches hash, in time that does not depend
// on how much of it matches: bcrypt compares the two hashes with
// subtle.ConstantTimeCompare. A pw longer than MaxPasswordLen never matches:
// bcrypt would compare only its first 72 bytes, so any suffix would pass.
func CheckPassword(hash []byte, pw string) bool {
	if len(pw) > MaxPasswordLen {
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(pw)) == nil
}
