package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Message is one chat message as stored. (Conv, Seq) is unique and gap-free
// per conversation; Seq starts at 1.
type Message struct {
	Conv       string
	Seq        uint64
	SenderID   string
	SenderRole string // "agent" | "customer"
	SenderName string
	Text       string
	ClientID   string // the sender's id for the message; "" for the tutorial's protocol
	At         time.Time
	// File names the blob the message shows (blobs.go); zero for a text
	// message. Text is then the file's name.
	File FileRef
	// Epoch is the owner epoch the message was stored under: Apply takes
	// it from the batch's fence on Conv (what is given here is ignored),
	// 0 without one. Along Seq it never decreases: a dip would be a stale
	// owner's write, which fencing refuses.
	Epoch int64
}

// FileRef is the blob a message shows: its id, sniffed type and size.
type FileRef struct {
	ID   string
	Type string
	Size int64
}

// Conversation is one conversation's record.
type Conversation struct {
	ID           string
	CustomerID   string
	CustomerName string
	AgentID      string // current agent; "" while it waits in the queue
	AgentName    string
	Ticket       uint64 // the customer's arrival number: queue order on restore
	StartedAt    time.Time
	EndedAt      time.Time // zero while open
	EndedBy      string    // party id, "" when the system ended it
	EndReason    string
	Rating       int // 0 = not rated, else 1..5

	// Team is the team whose queue or inbox it is in and whose agents
	// serve it; "" is stored as the general team's. It may change while
	// the conversation is open (a transfer to a team).
	Team string
	// Origin is how it began (OriginChat, OriginForm; "" is OriginChat).
	// It stays as first stored.
	Origin string
	// Inbox says it waits in its team's offline inbox (inbox.go). It may
	// change while the conversation is open.
	Inbox bool
	// CustomerEmail and CustomerLang are what the customer gave on a form:
	// where the answer is mailed, and in which language. They stay as
	// first stored.
	CustomerEmail string
	CustomerLang  string
}

// ConvEvent is one change in who serves a conversation.
type ConvEvent struct {
	Conv      string
	Kind      string // EventAssigned, EventTransferred, EventRequeued or EventEnded
	AgentID   string
	AgentName string
	Reason    string
	At        time.Time
	// ByID and ByName are the agent who handed the conversation on (a
	// "transferred", or a "requeued" an agent asked for), and Note what
	// that agent wrote for the next one; "" otherwise.
	ByID   string
	ByName string
	Note   string
}

// RoutingEvent is one routing change, for reports.
type RoutingEvent struct {
	Kind         string // one of the Event* kinds (event_kinds.go)
	Customer     string
	CustomerName string // the customer's display name, so a waiter can be restored with it
	Agent        string
	Conv         string
	Ticket       uint64
	At           time.Time
	Team         string // the queue it is about; "" is stored as the general team's
}

// Waiter is a customer who was waiting in the queue without a conversation
// when the server stopped: what WaitingCustomers returns.
type Waiter struct {
	CustomerID   string
	CustomerName string // "" if its routing events predate the name column
	Ticket       uint64 // its arrival number: its place in the queue
	QueuedAt     time.Time
	Team         string // the team whose queue it waits in
}

// ReadMark says PartyID has read Conv up to Seq.
type ReadMark struct {
	Conv    string
	PartyID string
	Seq     uint64
}

// Batch is what one group commit writes: all of it in one transaction, or
// none. Apply writes the conversations first, so a batch may hold a new
// conversation together with its first messages, events and read marks.
//
// A conversation entry for a stored ID changes only what may change: the
// customer, Ticket and StartedAt stay as first stored; an ended conversation
// stays as it ended (an entry can neither reopen it nor change its agent,
// team, inbox or end); a Rating of 0 keeps the stored rating. Origin, email
// and language stay as first stored too (inbox.go).
//
// Re-applying a batch whose outcome is unknown is safe: every part is
// idempotent (an entry identical to a stored one is skipped, upserts and
// read marks converge).
type Batch struct {
	Conversations []Conversation // upserted by ID: a later entry for the same ID wins (agent change, end)
	Messages      []Message      // inserted; an identical (Conv, Seq) already stored is skipped, so re-applying a batch after an unknown outcome is safe
	ConvEvents    []ConvEvent    // appended; an event identical in every field to a stored one is skipped
	Routing       []RoutingEvent // appended; an event identical in every field to a stored one is skipped
	Reads         []ReadMark     // kept as the maximum Seq per (Conv, PartyID)
	Mail          []MailItem     // queued in the outbox (mail.go); a known MessageID is skipped
	Notes         []Note         // inserted as messages are: an identical (Conv, N) already stored is skipped (notes.go)

	// Fences, if any, make the batch depend on its writer still owning
	// their keys (fencing.go): Apply checks them first, in the same
	// transaction, and refuses the whole batch with ErrFenced if one is
	// stale. FenceNode is the writing node, whose lease must be live; the
	// store writer is one per node, so it is the batch's, not each
	// fence's. A single node sends none.
	Fences    []Fence
	FenceNode string
}

// Len returns the total number of entries in the batch; fences are not
// entries (a batch of fences alone writes nothing).
func (b *Batch) Len() int {
	return len(b.Conversations) + len(b.Messages) + len(b.ConvEvents) + len(b.Routing) + len(b.Reads) + len(b.Mail) + len(b.Notes)
}

// Append adds every entry of o after b's own, keeping o's order: a group
// commit gathers many writers' batches into one. Fences add up too; b
// keeps its FenceNode, or takes o's if it has none.
func (b *Batch) Append(o *Batch) {
	b.Conversations = append(b.Conversations, o.Conversations...)
	b.Messages = append(b.Messages, o.Messages...)
	b.ConvEvents = append(b.ConvEvents, o.ConvEvents...)
	b.Routing = append(b.Routing, o.Routing...)
	b.Reads = append(b.Reads, o.Reads...)
	b.Mail = append(b.Mail, o.Mail...)
	b.Notes = append(b.Notes, o.Notes...)
	b.Fences = append(b.Fences, o.Fences...)
	if b.FenceNode == "" {
		b.FenceNode = o.FenceNode
	}
}

// Reset empties the batch, keeping the capacity of its slices. The entries are
// zeroed first so the old texts can be collected.
func (b *Batch) Reset() {
	clear(b.Conversations)
	clear(b.Messages)
	clear(b.ConvEvents)
	clear(b.Routing)
	clear(b.Reads)
	clear(b.Mail)
	clear(b.Notes)
	clear(b.Fences)
	b.FenceNode = ""
	b.Conversations = b.Conversations[:0]
	b.Messages = b.Messages[:0]
	b.ConvEvents = b.ConvEvents[:0]
	b.Routing = b.Routing[:0]
	b.Reads = b.Reads[:0]
	b.Mail = b.Mail[:0]
	b.Notes = b.Notes[:0]
	b.Fences = b.Fences[:0]
}

// ConversationFilter selects a page of ListConversations.
type ConversationFilter struct {
	AgentID string // "" for all; else conversations this agent took part in (any ConvEvent with that agent, or current agent)
	Before  string // cursor from a previous page; "" for the newest
	Label   string // "" for any; else only conversations with this label (NormalLabel's form)
	Limit   int    // 1..MaxPageLimit; 0 means DefaultPageLimit
}

// Page sizes of ListConversations.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200 // bounds the work one HTTP request can ask for
)

// Conversations stores conversations, their messages and what happened in
// them. Writes arrive in batches (group commit); reads serve restore, replay
// and history. Times are kept to the millisecond and read back in UTC.
type Conversations interface {
	// Apply writes the whole batch in one transaction, or nothing. It returns
	// ErrInvalid, having written nothing, for an entry that breaks a rule (the
	// message names it): an empty conversation id, a Seq of 0, an unknown
	// sender role or event kind, a rating outside 0..5, a message, note,
	// event or read mark for a conversation neither stored nor in the
	// batch, or a message or note whose (Conv, Seq) or (Conv, N) is stored
	// with other content. ErrInvalid is
	// about the input, so the same batch fails again: a group commit that
	// merged several writers' batches can apply them one by one to find the
	// one at fault. It returns ErrFenced (wrapping a *FencedError naming
	// the stale keys), having written nothing, when a fence of b is stale
	// (see Batch.Fences); without fences nothing is checked. Other errors
	// (I/O, ctx ending before the commit) may pass on a retry.
	Apply(ctx context.Context, b *Batch) error

	// OpenConversations returns every conversation whose EndedAt is zero, by
	// Ticket ascending: the queue and the assignments to restore at start.
	OpenConversations(ctx context.Context) ([]Conversation, error)

	// Conversation returns one conversation, or ErrNotFound.
	Conversation(ctx context.Context, id string) (Conversation, error)

	// Messages returns the messages of conv with Seq > afterSeq, by Seq
	// ascending, at most limit of them (0: all). An unknown conv has none.
	// A negative limit is ErrInvalid.
	Messages(ctx context.Context, conv string, afterSeq uint64, limit int) ([]Message, error)

	// MessagesBefore returns the newest messages of conv with Seq <
	// beforeSeq (0: no bound, the conversation's newest), at most limit of
	// them, by Seq ascending: a page of history read backwards. An unknown
	// conv has none. A limit below 1 is ErrInvalid.
	MessagesBefore(ctx context.Context, conv string, beforeSeq uint64, limit int) ([]Message, error)

	// MessageByClientID returns the message of conv that senderID sent with
	// clientID, or ErrNotFound. It answers a resend the conversation no
	// longer remembers: rare, so it may scan the conversation.
	MessageByClientID(ctx context.Context, conv, senderID, clientID string) (Message, error)

	// Notes returns the newest limit private notes of conv (0: all), by N
	// ascending (notes.go; Batch.Notes writes them). An unknown conv has
	// none; a negative limit is ErrInvalid.
	Notes(ctx context.Context, conv string, limit int) ([]Note, error)

	// ConvEvents returns the events of conv in the order they were applied.
	ConvEvents(ctx context.Context, conv string) ([]ConvEvent, error)

	// ReadMarks returns the read marks of conv, one per party, by PartyID.
	ReadMarks(ctx context.Context, conv string) ([]ReadMark, error)

	// ListConversations returns a page of conversations, newest StartedAt
	// first (ties by ID, descending), and the cursor of the next page in
	// next, "" on the last page. A bad cursor or a limit outside
	// 0..MaxPageLimit is ErrInvalid.
	ListConversations(ctx context.Context, f ConversationFilter) (page []Conversation, next string, err error)

	// SetRating records the customer's rating (1..5) of a conversation, open
	// or ended. It returns ErrNotFound or ErrInvalid.
	SetRating(ctx context.Context, conv string, rating int) error

	// WaitingCustomers returns the customers who were waiting in the queue
	// without a conversation: whose last routing event is a "queued" with
	// no conversation (Conv ""), at or after since, by Ticket ascending. A
	// customer whose queued event is followed by any other event of theirs
	// (left_queue, assigned, a later queued) is not waiting on that ticket.
	// Since bounds the search so that an old database does not bring back
	// customers who queued long ago and were never resolved (a crash lost
	// the event, or they were past the bound at an earlier restart).
	WaitingCustomers(ctx context.Context, since time.Time) ([]Waiter, error)

	// MaxTicket returns the highest ticket stored (in a conversation or a
	// routing event), 0 if none: the next arrival takes MaxTicket+1.
	MaxTicket(ctx context.Context) (uint64, error)
}

// The values the schema accepts for the role column; the kinds are in
// event_kinds.go.
var senderRoles = []string{"agent", "customer"}

// validBatch checks b against the rules the schema also enforces, so that a
// bad entry is reported as ErrInvalid naming it, before anything is written.
// What only the database can see (a conversation that is not stored, a Seq
// stored with other content) is checked while writing.
func validBatch(b *Batch) error {
	if err := validFences(b); err != nil {
		return err
	}
	for i, c := range b.Conversations {
		switch {
		case c.ID == "":
			return fmt.Errorf("%w: conversation %d has no id", ErrInvalid, i)
		case c.Ticket > math.MaxInt64:
			return fmt.Errorf("%w: conversation %q: ticket %d is too large", ErrInvalid, c.ID, c.Ticket)
		case c.Rating < 0 || c.Rating > 5:
			return fmt.Errorf("%w: conversation %q: rating %d is outside 0..5", ErrInvalid, c.ID, c.Rating)
		}
		if err := validConvTeam(i, &c); err != nil {
			return err
		}
	}
	for i, m := range b.Messages {
		switch {
		case m.Conv == "":
			return fmt.Errorf("%w: message %d has no conversation id", ErrInvalid, i)
		case m.Seq == 0 || m.Seq > math.MaxInt64:
			return fmt.Errorf("%w: message %q/%d: seq is outside 1..%d", ErrInvalid, m.Conv, m.Seq, int64(math.MaxInt64))
		case !slices.Contains(senderRoles, m.SenderRole):
			return fmt.Errorf("%w: message %q/%d: sender role %q is not one of %s", ErrInvalid, m.Conv, m.Seq, m.SenderRole, strings.Join(senderRoles, ", "))
		}
	}
	for i, e := range b.ConvEvents {
		switch {
		case e.Conv == "":
			return fmt.Errorf("%w: conversation event %d has no conversation id", ErrInvalid, i)
		case !slices.Contains(convEventKinds, e.Kind):
			return fmt.Errorf("%w: conversation event %d of %q: kind %q is not one of %s", ErrInvalid, i, e.Conv, e.Kind, strings.Join(convEventKinds, ", "))
		}
	}
	for i, e := range b.Routing {
		switch {
		case !slices.Contains(routingEventKinds, e.Kind):
			return fmt.Errorf("%w: routing event %d: kind %q is not one of %s", ErrInvalid, i, e.Kind, strings.Join(routingEventKinds, ", "))
		case e.Ticket > math.MaxInt64:
			return fmt.Errorf("%w: routing event %d: ticket %d is too large", ErrInvalid, i, e.Ticket)
		}
	}
	if err := validMail(b); err != nil {
		return err
	}
	if err := validNotes(b); err != nil {
		return err
	}
	for i, r := range b.Reads {
		switch {
		case r.Conv == "" || r.PartyID == "":
			return fmt.Errorf("%w: read mark %d has no conversation or party id", ErrInvalid, i)
		case r.Seq > math.MaxInt64:
			return fmt.Errorf("%w: read mark %q/%q: seq %d is too large", ErrInvalid, r.Conv, r.PartyID, r.Seq)
		}
	}
	return nil
}

// validRating checks a rating given by SetRating.
func validRating(rating int) error {
	if rating < 1 || rating > 5 {
		return fmt.Errorf("%w: rating %d is outside 1..5", ErrInvalid, rating)
	}
	return nil
}

// pageLimit turns a filter's Limit into the number of rows of a page.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return DefaultPageLimit, nil
	case limit < 0 || limit > MaxPageLimit:
		return 0, fmt.Errorf("%w: limit %d is outside 1..%d", ErrInvalid, limit, MaxPageLimit)
	}
	return limit, nil
}

// A page cursor names the last conversation of a page by its sort key,
// (StartedAt in Unix milliseconds, ID), so that the next page starts right
// after it however many conversations arrived meanwhile. It is opaque to
// callers: base64url of "<millis>.<id>".

// encodeCursor returns the cursor of the page after the conversation with
// this sort key.
func encodeCursor(startedMillis int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(startedMillis, 10) + "." + id))
}

// decodeCursor parses a cursor from encodeCursor, or returns ErrInvalid.
func decodeCursor(cursor string) (startedMillis int64, id string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, "", fmt.Errorf("%w: bad page cursor", ErrInvalid)
	}
	ms, id, ok := strings.Cut(string(raw), ".")
	if !ok || id == "" {
		return 0, "", fmt.Errorf("%w: bad page cursor", ErrInvalid)
	}
	startedMillis, err = strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%w: bad page cursor", ErrInvalid)
	}
	return startedMillis, id, nil
}
