package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest account name, in characters (runes).
const MaxNameLen = 64

// ValidName reports why name cannot be an account name, or nil: the rule
// of NameProblem with MaxNameLen. Callers trim first (the store does). The
// error wraps ErrInvalid and its message is safe to show.
func ValidName(name string) error {
	if problem := NameProblem(name, MaxNameLen); problem != "" {
		return fmt.Errorf("%w: %s", ErrInvalid, problem)
	}
	return nil
}

// NameProblem says what is wrong with name as a name kefu shows to others,
// or "" when nothing is: the one rule for every kind of name, in both
// protocols: agent accounts, native customers, the tutorial's agents and
// customers. A name is valid UTF-8, at most maxRunes characters, not blank,
// without white space at either end, and without control characters or
// invisible ones (see invisible), which would let one name pose as another:
// "evil\u202egnp.exe" shows as "evilexe.png", "系\u200b统" as "系统".
// The message is safe to show, and names the character it refuses.
func NameProblem(name string, maxRunes int) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "name is required"
	case !utf8.ValidString(name):
		return "name is not valid UTF-8"
	case utf8.RuneCountInString(name) > maxRunes:
		return fmt.Sprintf("name is longer than %d characters", maxRunes)
	case strings.TrimSpace(name) != name:
		return "name starts or ends with white space"
	}
	for _, r := range name {
		switch {
		case unicode.IsControl(r):
			return fmt.Sprintf("name contains control character %U", r)
		case invisible(r):
			return fmt.Sprintf("name contains invisible character %U", r)
		}
	}
	return ""
}

// invisible reports the characters that show as nothing, or only move the
// text around them: format characters (Cf: bidi overrides and isolates,
// zero-width space and joiners, the byte-order mark, tag characters, the
// soft hyphen), the line and paragraph separators, and the other
// default-ignorable code points such as the Hangul fillers. Variation
// selectors are allowed: emoji need them.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point)
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
