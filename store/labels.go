package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Labels on conversations (issue 19, docs/extras-plan.md §2): words an
// agent puts on a conversation ("refund", "vip", "退款") to find it again.
// They are the conversation's record, not its log: set over HTTP on an
// open or an ended conversation alike, read for a page of conversations
// at once (LabelsOf), and a filter of ListConversations. They are not a
// field of Conversation, which stays comparable with ==.

// Bounds of a conversation's labels: a format rule, as a name's.
const (
	MaxLabels     = 20
	MaxLabelRunes = 32
)

// Labels sets conversations' labels.
type Labels interface {
	// SetLabels replaces the labels of conv by labels (NormalLabels'
	// rules; an empty list removes them all). ErrNotFound for an unknown
	// conv, ErrInvalid for a bad label or too many.
	SetLabels(ctx context.Context, conv string, labels []string) error
	// LabelsOf returns the labels of each of convs that has any, sorted;
	// unknown ids have none. At most MaxPageLimit ids (ErrInvalid).
	LabelsOf(ctx context.Context, convs []string) (map[string][]string, error)
}

// NormalLabels returns labels as stored: each trimmed and lower-cased,
// without repeats, sorted. A label is 1 to MaxLabelRunes characters with
// no space, comma or control character; at most MaxLabels of them.
func NormalLabels(labels []string) ([]string, error) {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		l, err := NormalLabel(l)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxLabels {
		return nil, fmt.Errorf("%w: a conversation has at most %d labels", ErrInvalid, MaxLabels)
	}
	return out, nil
}

// NormalLabel is one label as stored and filtered on, or ErrInvalid.
func NormalLabel(l string) (string, error) {
	l = strings.ToLower(strings.TrimSpace(l))
	if n := utf8.RuneCountInString(l); n == 0 || n > MaxLabelRunes || !utf8.ValidString(l) {
		return "", fmt.Errorf("%w: a label has 1 to %d characters", ErrInvalid, MaxLabelRunes)
	}
	if strings.IndexFunc(l, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' }) >= 0 {
		return "", fmt.Errorf("%w: a label has no spaces or commas", ErrInvalid)
	}
	return l, nil
}

// validLabelsOf checks LabelsOf's argument.
func validLabelsOf(convs []string) error {
	if len(convs) > MaxPageLimit {
		return fmt.Errorf("%w: labels of %d conversations asked at once, at most %d", ErrInvalid, len(convs), MaxPageLimit)
	}
	return nil
}
