package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest account name, in characters (runes).
const MaxNameLen = 64

// ValidName reports why name cannot be an account name, or nil. A name is
// valid UTF-8, 1 to MaxNameLen characters, without surrounding space (callers
// trim first: the store does), control characters or invisible format
// characters such as bidi overrides, which would let one name pose as another.
// The error wraps ErrInvalid and its message is safe to show.
func ValidName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: name is empty", ErrInvalid)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: name is not valid UTF-8", ErrInvalid)
	case utf8.RuneCountInString(name) > MaxNameLen:
		return fmt.Errorf("%w: name is longer than %d characters", ErrInvalid, MaxNameLen)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: name starts or ends with space", ErrInvalid)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%w: name contains control character %U", ErrInvalid, r)
		}
	}
	return nil
}

// NameKey is the form in which the store compares account names: trimmed
// and case-folded (see nameKey). Anything kept per account name outside the
// store, such as a login rate limit, should key on it.
func NameKey(name string) string { return nameKey(strings.TrimSpace(name)) }

// nameKey folds name so that names equal under Unicode simple case folding
// (strings.EqualFold) get the same key. The store keeps a unique index on it:
// SQLite's COLLATE NOCASE folds ASCII only, and PostgreSQL has no NOCASE, so
// folding here keeps uniqueness identical in every implementation.
func nameKey(name string) string {
	return strings.Map(foldRune, name)
}

// foldRune maps r to one fixed member of its case-folding orbit (the lower
// case of the smallest), so every member of the orbit maps alike: k, K and
// the Kelvin sign all become k.
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}
