package store

import "errors"

// Sentinel errors. Methods wrap them with what was asked for, e.g.
// `agent "bob": not found`; callers test with errors.Is. Their messages are
// safe to show to the person who made the request.
var (
	// ErrNotFound: no such record.
	ErrNotFound = errors.New("not found")
	// ErrNameTaken: an account with that name exists (in any letter case).
	ErrNameTaken = errors.New("name already taken")
	// ErrInvalid: the input breaks a rule; the wrapped message says which.
	ErrInvalid = errors.New("invalid")
)
