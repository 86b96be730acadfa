package store

import (
	"context"
	"fmt"
	"math"
	"net/mail"
	"slices"
)

// A conversation belongs to a team (teams.go), and may wait in that team's
// offline inbox rather than in its queue: a customer who found the team
// closed, or nobody online, left a message with the offline form, and an
// agent of the team takes it later (issue 18, docs/teams-plan.md §4).

// How a conversation began (Conversation.Origin).
const (
	OriginChat = "chat" // a customer asked for an agent
	OriginForm = "form" // the offline form: it began in its team's inbox
)

var origins = []string{OriginChat, OriginForm}

// Bounds of what the forms give (Conversation.CustomerEmail and
// CustomerLang).
const (
	MaxEmailBytes = 254 // RFC 5321's longest forward path, less the brackets
	MaxLangBytes  = 35  // a BCP 47 tag: zh-Hant-TW and longer, with room
)

// Inbox reads the teams' offline inboxes.
type Inbox interface {
	// InboxConversations returns the open conversations waiting in team's
	// inbox, oldest first (by Ticket, then ID), after the one with ticket
	// afterTicket (0: from the first), at most limit (1..MaxPageLimit; 0:
	// DefaultPageLimit). ErrInvalid for a bad limit.
	InboxConversations(ctx context.Context, team string, afterTicket uint64, limit int) ([]Conversation, error)
}

// InboxPage checks InboxConversations' arguments, as both stores must:
// the rows of the page (pageLimit) and the ticket as the bigint it is
// compared with.
func InboxPage(afterTicket uint64, limit int) (int, error) {
	n, err := pageLimit(limit)
	if err == nil && afterTicket > math.MaxInt64 {
		err = fmt.Errorf("%w: ticket %d is too large", ErrInvalid, afterTicket)
	}
	return n, err
}

// TeamOrGeneral is the team a conversation or routing event is stored
// under: one that names none is the general team's, as everything before
// teams was.
func TeamOrGeneral(team string) string {
	if team == "" {
		return GeneralTeamID
	}
	return team
}

// OriginOrChat is the origin a conversation is stored with.
func OriginOrChat(origin string) string {
	if origin == "" {
		return OriginChat
	}
	return origin
}

// validConvTeam checks a conversation entry's team, origin and form
// fields.
func validConvTeam(i int, c *Conversation) error {
	switch {
	case c.Origin != "" && !slices.Contains(origins, c.Origin):
		return fmt.Errorf("%w: conversation %q: origin %q is not one of %v", ErrInvalid, c.ID, c.Origin, origins)
	case len(c.CustomerEmail) > MaxEmailBytes:
		return fmt.Errorf("%w: conversation %q: the email is longer than %d bytes", ErrInvalid, c.ID, MaxEmailBytes)
	case len(c.CustomerLang) > MaxLangBytes:
		return fmt.Errorf("%w: conversation %q: the language is longer than %d bytes", ErrInvalid, c.ID, MaxLangBytes)
	}
	if c.CustomerEmail != "" {
		if a, err := mail.ParseAddress(c.CustomerEmail); err != nil || a.Address != c.CustomerEmail {
			return fmt.Errorf("%w: conversation %d (%q): %q is not a bare email address", ErrInvalid, i, c.ID, c.CustomerEmail)
		}
	}
	return nil
}

// ValidEmail checks an address a customer gave: bare (no name, no angle
// brackets), at most MaxEmailBytes, as net/mail parses it.
func ValidEmail(addr string) error {
	c := Conversation{CustomerEmail: addr}
	return validConvTeam(0, &c)
}
