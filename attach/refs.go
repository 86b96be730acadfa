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
)

// File is an upload as a message shows it.
type File struct {
	Blob string `json:"b"`
	Conv string `json:"c"`
	By   string `json:"u"`
	Name string `json:"n"`
	Type string `json:"t"`
	Size int64  `json:"s"`
}

// ErrBadRef is Verify's error for a reference this server did not sign.
var ErrBadRef = errors.New("attach: not a file reference of this server")

// maxRefLen bounds what Verify reads: a name of 200 characters of four
// bytes each, in JSON and base64, with room to spare.
const maxRefLen = 2048

// Refs signs and checks references with a key of their own, derived from
// the server's secret, so that a reference is never a valid login token
// nor one the other way round. Safe for concurrent use.
type Refs struct{ key []byte }

// NewRefs derives the references' key from the server's secret.
func NewRefs(secret []byte) *Refs {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kefu attachment reference v1"))
	return &Refs{key: m.Sum(nil)}
}

// Sign returns f's reference: its JSON and its MAC, each base64url.
func (r *Refs) Sign(f File) string {
	body, _ := json.Marshal(f) // strings and an integer: cannot fail
	enc := base64.RawURLEncoding
	return enc.EncodeToString(body) + "." + enc.EncodeToString(r.mac(body))
}

// Verify returns the file a reference names, or ErrBadRef.
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
	return f, nil
}

func (r *Refs) mac(body []byte) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write(body)
	return m.Sum(nil)
}
