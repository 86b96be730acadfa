package actors

import (
	"crypto/rand"
	"encoding/base32"
)

// ConnID names one WebSocket connection for its whole life. The server issues
// it; nothing a client sends can choose or forge it.
type ConnID string

// ConvID names one conversation between a customer and, over its life, one
// or more agents. Issued by the dispatcher when a customer is first assigned;
// it survives transfers and re-queueing.
type ConvID string

// Prefixes make an id's kind visible in logs and on the wire.
const (
	PrefixAgent    = "ag_" // agent accounts, issued by the store
	PrefixCompat   = "cp_" // tutorial-protocol agents, issued per connection
	PrefixCustomer = "cu_"
	PrefixConv     = "cv_"
)

// idEncoding is lower-case base32 without padding: ids stay URL- and
// log-friendly and carry no characters that need escaping in JSON.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random 80-bit id. Random rather than sequential so that ids
// stay unique across restarts and, later, across the machines of a cluster,
// with no coordinator handing out numbers.
func NewID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics
		// itself); keep the guard so a broken platform is loud.
		panic("kefu: crypto/rand failed: " + err.Error())
	}
	return idEncoding.EncodeToString(b[:])
}
