package actors

import (
	"crypto/rand"
	"encoding/base32"
)

// ConnID names one WebSocket connection for its whole life. The server issues
// it; nothing a client sends can choose or forge it.
type ConnID string

// RoomID names one agent's room, issued by the dispatcher when the agent comes
// online. A reconnecting agent gets a new room and a new id.
type RoomID string

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
