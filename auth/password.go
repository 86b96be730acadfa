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

// BcryptCost is the work factor of new hashes. Tests lower it to
// bcrypt.MinCost (set it before any test runs: it is not guarded).
var BcryptCost = bcrypt.DefaultCost

// ErrBadPassword: a new password breaks a rule; the message says which and is
// safe to show.
var ErrBadPassword = errors.New("bad password")

// HashPassword returns the bcrypt hash of pw, refusing passwords outside
// MinPasswordLen..MaxPasswordLen bytes with ErrBadPassword.
func HashPassword(pw string) ([]byte, error) {
	if len(pw) < MinPasswordLen {
		return nil, fmt.Errorf("%w: shorter than %d bytes", ErrBadPassword, MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadPassword, MaxPasswordLen)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
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
