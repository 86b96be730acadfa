package store

import (
	"crypto/rand"
	"encoding/base32"
)

// agentIDPrefix marks agent ids so that logs and tokens say what an id names.
const agentIDPrefix = "ag_"

// idEncoding is lower-case base32 without padding: ids stay URL-, JSON- and
// log-friendly.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newAgentID returns "ag_" and 16 characters: 80 random bits, so ids never
// collide in practice and reveal neither the name nor how many accounts exist.
func newAgentID() string {
	var b [10]byte
	rand.Read(b[:]) // never fails (Go 1.24+ crashes the program instead)
	return agentIDPrefix + idEncoding.EncodeToString(b[:])
}
