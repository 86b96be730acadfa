package store

import "kefu/internal/ids"

// The rules every implementation applies the same way, exported for the
// implementations that live in packages of their own (store/postgres). The
// SQLite implementation, in this package, calls the unexported forms.

// SecretLen is the size of the token-signing key Secret returns.
const SecretLen = secretLen

// ValidBatch checks b as Apply must before writing anything: it returns
// ErrInvalid naming the first entry that breaks a rule the schema enforces.
func ValidBatch(b *Batch) error { return validBatch(b) }

// ValidAgent checks a new account (a trimmed name) as CreateAgent must.
func ValidAgent(name string, hash []byte, role Role, capacity int) error {
	return validAgent(name, hash, role, capacity)
}

// ValidCapacity checks capacity against MinCapacity..MaxCapacity.
func ValidCapacity(capacity int) error { return validCapacity(capacity) }

// ValidRating checks a rating given to SetRating (1..5).
func ValidRating(rating int) error { return validRating(rating) }

// PageLimit turns a ConversationFilter's Limit into the rows of a page, or
// returns ErrInvalid.
func PageLimit(limit int) (int, error) { return pageLimit(limit) }

// EncodeCursor returns the ListConversations cursor of the page after the
// conversation with this sort key (StartedAt in Unix milliseconds, ID).
func EncodeCursor(startedMillis int64, id string) string { return encodeCursor(startedMillis, id) }

// DecodeCursor parses a cursor from EncodeCursor, or returns ErrInvalid.
func DecodeCursor(cursor string) (startedMillis int64, id string, err error) {
	return decodeCursor(cursor)
}

// NewAgentID returns a new server-issued agent id.
func NewAgentID() string { return ids.Agent + ids.New() }

// ValidLabelsOf checks LabelsOf's argument (at most MaxPageLimit ids).
func ValidLabelsOf(convs []string) error { return validLabelsOf(convs) }

// ValidBlob checks what PutBlob is given and keeps the name as CleanFileName.
func ValidBlob(b *Blob) error { return validBlob(b) }
