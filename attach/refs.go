// Package attach holds what attachments need beyond storage (issue 19,
// docs/extras-plan.md §1): the type of an upload sniffed from its bytes,
// and the signed reference that lets a message name an upload.
//
// An upload answers with a reference, signed by the server, that names
// the blob, the conversation and the uploader, with the file's name, type
// and size. A message that shows the file carries the reference; the
// connection checks the signature and that the conversation and sender
// are its own, with no store read on the way (nothing blocks in a
// Receive), so a client can neither show another conversation's upload
// nor make up a file's type or size.
package attach

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// File is an upload as a message shows it.
type File struct {
	Blob string `json:"b"`
	Conv string `json:"c"`
	By   string `json:"u"`
	Name string `json:"n"`
	Type string `json:"t"`
	Size int64  `json:"s"`
	// At is when the reference was signed, in Unix seconds: a reference
	// is good for a while only, so that no message names an upload the
	// sweep of unsent ones may have deleted. Zero in references signed
	// before it was added, which are taken (a rolling upgrade).
	At int64 `json:"a,omitempty"`
}

// ErrBadRef is Verify's error for a reference this server did not sign.
var ErrBadRef = errors.New("attach: not a file reference of this server")

// ErrExpiredRef is Verify's error for a reference older than its Refs'
// maximum age.
var ErrExpiredRef = errors.New("attach: the file reference is too old; upload the file again")

// maxRefLen bounds what Verify reads: a name of 200 characters of four
// bytes each, in JSON and base64, with room to spare.
const maxRefLen = 2048

// Refs signs and checks references with a key of their own, derived from
// the server's secret, so that a reference is never a valid login token
// nor one the other way round. Safe for concurrent use.
type Refs struct {
	key    []byte
	maxAge time.Duration // 0: references never expire
}

// NewRefs derives the references' key from the server's secret; a
// reference is good for maxAge after it is signed (0: for ever).
func NewRefs(secret []byte, maxAge time.Duration) *Refs {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kefu attachment reference v1"))
	return &Refs{key: m.Sum(nil), maxAge: maxAge}
}

// Sign returns f's reference: its JSON and its MAC, each base64url. It is
// stamped now unless f.At is set.
func (r *Refs) Sign(f File) string {
	if f.At == 0 {
		f.At = time.Now().Unix()
	}
	body, _ := json.Marshal(f) // strings and integers: cannot fail
	enc := base64.RawURLEncoding
	return enc.EncodeToString(body) + "." + enc.EncodeToString(r.mac(body))
}

// Verify returns the file a reference names, or ErrBadRef, or
// ErrExpiredRef for one of this server that is too old.
func (r *Refs) Verify(ref string) (File, error) {
	if len(ref) > maxRefLen {
		return File{}, ErrBadRef
	}
	b64, sig, ok := strings.Cut(ref, ".")
	enc := base64.RawURLEncoding
	body, err1 := enc.DecodeString(b64)
	mac, err2 := enc.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(mac, r.mac(body)) {
		return File{}, ErrBadRef
	}
	var f File
	if err := json.Unmarshal(body, &f); err != nil || f.Blob == "" {
		return File{}, ErrBadRef
	}
	if r.maxAge > 0 && f.At != 0 && time.Since(time.Unix(f.At, 0)) > r.maxAge {
		return File{}, ErrExpiredRef
	}
	return f, nil
}

func (r *Refs) mac(body []byte) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write(body)
	return m.Sum(nil)
}
