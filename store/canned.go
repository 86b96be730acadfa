package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/internal/ids"
)

// Canned responses (issue 19, docs/extras-plan.md §2): saved replies an
// agent inserts by a shortcut. A shared one is a supervisor's, for every
// agent; a personal one is its owner's alone.

// Canned is one saved reply.
type Canned struct {
	ID       string
	Owner    string // the agent it belongs to; "" for a shared one
	Shortcut string // what follows "/" in the console: letters, digits, - and _
	Text     string // may hold {customer} and {agent}, filled in by the console
	// Version rises with every change (ErrConflict on a stale one).
	Version   int64
	CreatedAt time.Time
}

// Bounds of a canned response: a format rule, as a name's.
const (
	MaxShortcutRunes = 32
	MaxCannedBytes   = 2000
)

// CannedResponses stores the saved replies.
type CannedResponses interface {
	// ListCanned returns the shared replies and owner's own, by shortcut.
	ListCanned(ctx context.Context, owner string) ([]Canned, error)
	// CreateCanned stores c under a new id, version 1. ErrNameTaken when
	// its shortcut is taken in its scope (shared, or its owner's);
	// ErrInvalid for a bad shortcut or text.
	CreateCanned(ctx context.Context, c Canned) (Canned, error)
	// UpdateCanned replaces the shortcut and text of the reply c.ID of
	// c.Owner's scope, if its version is still c.Version. ErrNotFound,
	// ErrConflict, ErrNameTaken, ErrInvalid.
	UpdateCanned(ctx context.Context, c Canned) (Canned, error)
	// DeleteCanned deletes the reply id of owner's scope ("" shared).
	// ErrNotFound for none there.
	DeleteCanned(ctx context.Context, id, owner string) error
	// CountCanned is how many replies owner's scope holds.
	CountCanned(ctx context.Context, owner string) (int, error)
}

// NewCannedID returns a new server-issued id.
func NewCannedID() string { return ids.Canned + ids.New() }

// ValidCanned checks a reply's shortcut and text, and trims the shortcut.
func ValidCanned(c *Canned) error {
	c.Shortcut = strings.TrimPrefix(strings.TrimSpace(c.Shortcut), "/")
	n := utf8.RuneCountInString(c.Shortcut)
	if n == 0 || n > MaxShortcutRunes {
		return fmt.Errorf("%w: a shortcut has 1 to %d characters", ErrInvalid, MaxShortcutRunes)
	}
	for _, r := range c.Shortcut {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return fmt.Errorf("%w: a shortcut holds letters, digits, - and _ only", ErrInvalid)
		}
	}
	if strings.TrimSpace(c.Text) == "" || len(c.Text) > MaxCannedBytes || !utf8.ValidString(c.Text) {
		return fmt.Errorf("%w: a reply's text has 1 to %d bytes of UTF-8", ErrInvalid, MaxCannedBytes)
	}
	return nil
}
