package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Search over past conversations (issue 19, docs/extras-plan.md §3): the
// words of their messages and their customers' names, split by SearchText
// in both the index and the query, and their labels, word for label. Private notes are
// not searched: they are for the agents who may read the conversation,
// and a search that matched a note would tell its author's words to
// whoever searched.

// SearchQuery is what Search looks for.
type SearchQuery struct {
	// Text is the words to find, all of them (AND), each word as typed a
	// phrase: 退款到账 finds those four characters in a row. "" lists the
	// conversations the other fields select.
	Text string
	// AgentID is "" for every conversation (a supervisor's search); else
	// only the conversations this agent took part in, as
	// ConversationFilter.AgentID.
	AgentID string
	// Label is "" for any; else only conversations with this label.
	Label string
	// From and To bound StartedAt: From <= StartedAt < To. Zero is no
	// bound.
	From, To time.Time
	// Limit is 1..MaxPageLimit; 0 means DefaultPageLimit.
	Limit int
	// Before continues a search: only conversations after this one in
	// the answer's order (older, or as old with a smaller id). Zero: from
	// the newest.
	Before SearchCursor
}

// SearchCursor names a place in a search's answer: the last hit of a
// page, its conversation's StartedAt and ID.
type SearchCursor struct {
	At time.Time
	ID string
}

// IsZero reports whether c names no place: the answer's start.
func (c SearchCursor) IsZero() bool { return c.At.IsZero() && c.ID == "" }

// CursorOf is the cursor that continues a search after hit h.
func CursorOf(h SearchHit) SearchCursor { return SearchCursor{At: h.Conv.StartedAt, ID: h.Conv.ID} }

// SearchHit is one conversation that matched.
type SearchHit struct {
	Conv Conversation
	// Seq is the first message that holds every word, 0 if the match is
	// the customer's name or a label (or the query has no text).
	Seq uint64
	// Snippet is what matched: the message's text around the first word
	// (at most SnippetRunes characters and the ellipses), the customer's
	// name, or the labels that hold a word; "" without text.
	Snippet string
}

// Searcher finds past and open conversations by their words.
type Searcher interface {
	// Search returns the conversations that match q, newest StartedAt
	// first (ties by ID, descending), one hit per conversation: its first
	// message that holds all of q's words, else its customer's name if it
	// holds them all, else its labels if each word is one of them. A query
	// with no text, no label and no dates, text with no word in it or of
	// more than MaxSearchRunes, dates out of order or a limit outside
	// 0..MaxPageLimit is ErrInvalid.
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)
}

// Bounds of a search.
const (
	// MaxSearchRunes bounds a query's text: a few words are what people
	// type, and each word is a phrase the index must intersect.
	MaxSearchRunes = 200
	// SnippetRunes is how much of a message a hit shows: a line or two.
	SnippetRunes = 120
	// snippetLead is how much of the text before the first word a snippet
	// keeps when it must cut.
	snippetLead = 30
)

// SearchSeqLabel is the seq a store's search query gives a conversation
// that matched on its labels alone; a match on the customer's name is 0.
const SearchSeqLabel = -1

// SearchPlan is a SearchQuery checked and split into what a store's query
// is built from.
type SearchPlan struct {
	// Phrases are the tokens of each word typed (SearchText's, in order):
	// the index must hold every phrase, each as a run of adjacent tokens.
	// None: the query has no text.
	Phrases [][]string
	// Words are the words typed, NFKC and lower-cased: a conversation
	// matches on its labels when each word is one of them.
	Words    []string
	AgentID  string
	Label    string // NormalLabel's form
	From, To time.Time
	Limit    int
	Before   SearchCursor
}

// PlanSearch checks q and splits its text, or returns ErrInvalid.
func PlanSearch(q SearchQuery) (SearchPlan, error) {
	p := SearchPlan{AgentID: q.AgentID, From: q.From, To: q.To, Before: q.Before}
	if !q.Before.IsZero() && (q.Before.At.IsZero() || q.Before.ID == "") {
		return p, fmt.Errorf("search: %w: a cursor needs both a time and an id", ErrInvalid)
	}
	var err error
	if p.Limit, err = pageLimit(q.Limit); err != nil {
		return p, fmt.Errorf("search: %w", err)
	}
	if q.Label != "" {
		if p.Label, err = NormalLabel(q.Label); err != nil {
			return p, fmt.Errorf("search: %w", err)
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return p, fmt.Errorf("search: %w: from must be before to", ErrInvalid)
	}
	if utf8.RuneCountInString(q.Text) > MaxSearchRunes {
		return p, fmt.Errorf("search: %w: the text has more than %d characters", ErrInvalid, MaxSearchRunes)
	}
	text := searchNormal(q.Text)
	p.Words = searchWords(text)
	eachToken(text, func(tok string, first bool) {
		if first {
			p.Phrases = append(p.Phrases, nil)
		}
		p.Phrases[len(p.Phrases)-1] = append(p.Phrases[len(p.Phrases)-1], tok)
	})
	switch {
	case len(p.Words) == 0 && strings.TrimSpace(q.Text) != "":
		return p, fmt.Errorf("search: %w: the text has no word to look for", ErrInvalid)
	case len(p.Words) == 0 && p.Label == "" && q.From.IsZero() && q.To.IsZero():
		return p, fmt.Errorf("search: %w: give words, a label or dates", ErrInvalid)
	}
	return p, nil
}

// Hit returns the hit a store's query found: the conversation, the seq
// column (a message's, 0 for the customer's name, SearchSeqLabel for the
// labels) and the message's text when seq > 0.
func (p SearchPlan) Hit(c Conversation, seq int64, text string) SearchHit {
	h := SearchHit{Conv: c}
	switch {
	case len(p.Phrases) == 0:
	case seq > 0:
		h.Seq, h.Snippet = uint64(seq), snippet(text, p.Words)
	case seq == 0:
		h.Snippet = c.CustomerName
	default: // every word is one of its labels
		h.Snippet = strings.Join(p.Words, " ")
	}
	return h
}

// snippet returns text cut to about SnippetRunes characters around the
// first of words found in it (case aside), marking each cut with "…".
func snippet(text string, words []string) string {
	runes := []rune(text)
	if len(runes) <= SnippetRunes {
		return text
	}
	lower := make([]rune, len(runes)) // rune for rune, so indexes agree
	for i, r := range runes {
		lower[i] = unicode.ToLower(r)
	}
	first := len(runes)
	for _, w := range words {
		if i := runeIndex(lower, []rune(w)); i >= 0 && i < first {
			first = i
		}
	}
	start := 0
	if first < len(runes) {
		start = min(max(0, first-snippetLead), len(runes)-SnippetRunes)
	}
	end := start + SnippetRunes
	out := string(runes[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(runes) {
		out += "…"
	}
	return out
}

// runeIndex returns the index of the first sub in s, or -1.
func runeIndex(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
