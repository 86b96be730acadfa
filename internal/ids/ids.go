// Package ids issues the server's ids and names their kinds, in one place
// for the store (agent accounts) and the actors (customers, conversations,
// connections). Ids are issued by the server; nothing a client sends can
// choose one, and a display name is never an id.
package ids

import (
	"crypto/rand"
	"encoding/base32"
)

// Prefixes make an id's kind visible in logs, tokens and on the wire.
const (
	Agent    = "ag_" // agent accounts, issued by the store
	Compat   = "cp_" // tutorial-protocol agents, issued per connection
	Customer = "cu_"
	Conv     = "cv_"
	Team     = "tm_" // teams, issued by the store
	Canned   = "cn_" // canned responses, issued by the store
	Blob     = "bl_" // uploaded files, issued by the store
)

// encoding is lower-case base32 without padding: ids stay URL-, JSON- and
// log-friendly.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns a random 80-bit id, 16 characters. Random rather than
// sequential so that ids stay unique across restarts and the machines of a
// cluster with no coordinator, and reveal nothing of how many exist.
func New() string {
	var b [10]byte
	rand.Read(b[:]) // never fails (Go 1.24+ crashes the program instead)
	return encoding.EncodeToString(b[:])
}
