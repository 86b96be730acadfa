package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Blobs on SQLite (blobs.go): the bytes are files under the data
// directory's blobs/, the records rows of blobs. A file is written under
// a temporary name, synced, and renamed into place before its row is
// inserted, so a row never names a file that is not whole; a crash
// between the two leaves a file no row names, which nothing serves.

// blobDir is the data directory's folder of blob files.
const blobDir = "blobs"

const (
	insertBlobSQL = `INSERT INTO blobs (id, conv_id, by_id, name, type, size, sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	blobSQL = `SELECT id, conv_id, by_id, name, type, size, sha256, created_at FROM blobs WHERE id = ?`
	// unsentBlobsSQL reads the blobs_created index, and messages_file
	// for each.
	unsentBlobsSQL = `SELECT id FROM blobs WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM messages WHERE file_id = blobs.id) LIMIT 1000`
)

// BlobFile is where blob id's bytes are in the data directory dir: under
// a folder per two characters of the id's random part, so that no folder
// grows too large.
func BlobFile(dir, id string) string {
	sub := "xx"
	if len(id) >= 5 {
		sub = id[3:5]
	}
	return filepath.Join(dir, blobDir, sub, filepath.Base(id))
}

func (s *SQLite) blobPath(id string) string { return BlobFile(filepath.Dir(s.path), id) }

// PutBlob implements Blobs.
func (s *SQLite) PutBlob(ctx context.Context, b Blob, r io.Reader) (Blob, error) {
	if err := validBlob(&b); err != nil {
		return Blob{}, fmt.Errorf("put blob: %w", err)
	}
	b.ID, b.At = NewBlobID(), s.now().UTC().Truncate(time.Millisecond)
	path := s.blobPath(b.ID)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Blob{}, fmt.Errorf("put blob: %w", err)
	}
	size, sum, err := writeFile(path, r)
	if err != nil {
		return Blob{}, fmt.Errorf("put blob: %w", err)
	}
	b.Size, b.SHA256 = size, sum
	_, err = s.db.ExecContext(ctx, insertBlobSQL, b.ID, b.Conv, b.By, b.Name, b.Type, b.Size, b.SHA256, b.At.UnixMilli())
	if err != nil {
		os.Remove(path)
		return Blob{}, fmt.Errorf("put blob: %w", err)
	}
	return b, nil
}

// writeFile writes r to path whole or not at all: a temporary file in the
// same folder, synced, then renamed, and the folder synced so the rename
// lasts. It returns the size and the SHA-256 in hex.
func writeFile(path string, r io.Reader) (int64, string, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return 0, "", err
	}
	tmp := f.Name()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, "", err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// BlobInfo implements Blobs.
func (s *SQLite) BlobInfo(ctx context.Context, id string) (Blob, error) {
	var (
		b  Blob
		at int64
	)
	err := s.db.QueryRowContext(ctx, blobSQL, id).Scan(&b.ID, &b.Conv, &b.By, &b.Name, &b.Type, &b.Size, &b.SHA256, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Blob{}, fmt.Errorf("blob %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Blob{}, fmt.Errorf("blob %q: %w", id, err)
	}
	b.At = fromMillis(at)
	return b, nil
}

// OpenBlob implements Blobs.
func (s *SQLite) OpenBlob(ctx context.Context, id string) (Blob, io.ReadSeekCloser, error) {
	b, err := s.BlobInfo(ctx, id)
	if err != nil {
		return Blob{}, nil, err
	}
	f, err := os.Open(s.blobPath(id))
	if err != nil {
		return Blob{}, nil, fmt.Errorf("blob %q: %w", id, err)
	}
	return b, f, nil
}

// DeleteUnsentBlobs implements Blobs: rows first, then files, so a blob
// is never served without its bytes.
func (s *SQLite) DeleteUnsentBlobs(ctx context.Context, before time.Time) (int, error) {
	rows, err := s.db.QueryContext(ctx, unsentBlobsSQL, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("find unsent blobs: %w", err)
	}
	var idList []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find unsent blobs: %w", err)
		}
		idList = append(idList, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find unsent blobs: %w", err)
	}
	n := 0
	for _, id := range idList {
		// Sent meanwhile? The NOT EXISTS is checked again in the delete.
		res, err := s.db.ExecContext(ctx, `DELETE FROM blobs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM messages WHERE file_id = ?)`, id, id)
		if err != nil {
			return n, fmt.Errorf("delete unsent blob %q: %w", id, err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			os.Remove(s.blobPath(id))
			n++
		}
	}
	return n, nil
}
