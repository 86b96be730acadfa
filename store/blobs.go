package store

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/internal/ids"
)

// Uploaded files (issue 19, docs/extras-plan.md §1). A file's bytes are
// uploaded over HTTP first and kept as a blob; the message that shows it
// in a conversation (Message.File) only names it. With SQLite the bytes
// are files under the data directory; with PostgreSQL they are rows, so
// that every node sees them.

// Blob is one uploaded file: what the uploader sent, and where for.
type Blob struct {
	ID     string
	Conv   string // the conversation it was uploaded to
	By     string // the party that uploaded it
	Name   string // the file's name as the uploader gave it (CleanFileName's rules)
	Type   string // the media type sniffed from its bytes, never the name
	Size   int64
	SHA256 string // hex
	At     time.Time
}

// MaxFileNameRunes bounds a file's name.
const MaxFileNameRunes = 200

// Blobs keeps uploaded files.
type Blobs interface {
	// PutBlob stores the bytes of r, to its end, as a new blob of b.Conv
	// by b.By (ID, Size, SHA256 and At are set here) and returns it. The
	// caller bounds r's size and checks the type. Nothing is kept when it
	// fails, r's error included. ErrInvalid for a bad name, an empty
	// type, no conversation or no uploader; the conversation need not
	// be stored yet.
	PutBlob(ctx context.Context, b Blob, r io.Reader) (Blob, error)
	// BlobInfo returns a blob's record, or ErrNotFound.
	BlobInfo(ctx context.Context, id string) (Blob, error)
	// OpenBlob returns a blob's record and its bytes, or ErrNotFound.
	// Close the reader.
	OpenBlob(ctx context.Context, id string) (Blob, io.ReadSeekCloser, error)
	// DeleteUnsentBlobs deletes the blobs uploaded before before that no
	// message names (an upload whose message was never sent) and returns
	// how many.
	DeleteUnsentBlobs(ctx context.Context, before time.Time) (int, error)
}

// NewBlobID returns a new server-issued id.
func NewBlobID() string { return ids.Blob + ids.New() }

// CleanFileName returns name as kept: the last part of a path, trimmed, with
// control characters dropped; "" is ErrInvalid, and so is one longer than
// MaxFileNameRunes.
func CleanFileName(name string) (string, error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name))
	if name == "" || name == "." || name == ".." || utf8.RuneCountInString(name) > MaxFileNameRunes {
		return "", fmt.Errorf("%w: a file name has 1 to %d characters", ErrInvalid, MaxFileNameRunes)
	}
	return name, nil
}

// validBlob checks what PutBlob is given, and keeps the name as CleanFileName.
func validBlob(b *Blob) error {
	name, err := CleanFileName(b.Name)
	if err != nil {
		return err
	}
	b.Name = name
	if b.Conv == "" || b.By == "" || b.Type == "" {
		return fmt.Errorf("%w: a blob needs its conversation, uploader and type", ErrInvalid)
	}
	return nil
}
