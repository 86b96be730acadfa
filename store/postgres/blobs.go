package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

// Blobs on PostgreSQL (store/blobs.go): the record in blobs and the bytes
// in blob_chunks, so that every node serves every file. The bytes are
// read whole before the transaction begins (the caller bounds them), so
// a slow uploader never holds a connection; a blob is read back whole
// too. Both are fine at the sizes uploads are limited to (-upload-max,
// 10 MiB by default); a store of large files would stream instead.

// blobChunk is the most bytes one row of blob_chunks holds.
const blobChunk = 256 << 10

// PutBlob implements store.Blobs, in one transaction.
func (s *Store) PutBlob(ctx context.Context, b store.Blob, r io.Reader) (store.Blob, error) {
	if err := store.ValidBlob(&b); err != nil {
		return store.Blob{}, fmt.Errorf("put blob: %w", err)
	}
	var chunks [][]byte
	h := sha256.New()
	for {
		buf := make([]byte, blobChunk)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			chunks = append(chunks, buf[:n])
			h.Write(buf[:n])
			b.Size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return store.Blob{}, fmt.Errorf("put blob: %w", err)
		}
	}
	b.ID, b.SHA256, b.At = store.NewBlobID(), hex.EncodeToString(h.Sum(nil)), time.Now().UTC().Truncate(time.Millisecond)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO blobs (id, conv_id, by_id, name, type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, b.ID, b.Conv, b.By, b.Name, b.Type, b.Size, b.SHA256, b.At)
		if err != nil {
			return err
		}
		q := &pgx.Batch{}
		for i, c := range chunks {
			q.Queue(`INSERT INTO blob_chunks (blob_id, n, bytes) VALUES ($1, $2, $3)`, b.ID, i, c)
		}
		return tx.SendBatch(ctx, q).Close()
	})
	if err != nil {
		return store.Blob{}, fmt.Errorf("put blob: %w", err)
	}
	return b, nil
}

// BlobInfo implements store.Blobs.
func (s *Store) BlobInfo(ctx context.Context, id string) (store.Blob, error) {
	var b store.Blob
	err := s.pool.QueryRow(ctx, `SELECT id, conv_id, by_id, name, type, size, sha256, created_at FROM blobs WHERE id = $1`, id).
		Scan(&b.ID, &b.Conv, &b.By, &b.Name, &b.Type, &b.Size, &b.SHA256, &b.At)
	if err != nil {
		return store.Blob{}, fmt.Errorf("blob %q: %w", id, notFound(err))
	}
	b.At = b.At.UTC()
	return b, nil
}

// OpenBlob implements store.Blobs.
func (s *Store) OpenBlob(ctx context.Context, id string) (store.Blob, io.ReadSeekCloser, error) {
	b, err := s.BlobInfo(ctx, id)
	if err != nil {
		return store.Blob{}, nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT bytes FROM blob_chunks WHERE blob_id = $1 ORDER BY n`, id)
	if err != nil {
		return store.Blob{}, nil, fmt.Errorf("blob %q: %w", id, err)
	}
	data := make([]byte, 0, b.Size)
	var chunk []byte
	_, err = pgx.ForEachRow(rows, []any{&chunk}, func() error {
		data = append(data, chunk...)
		return nil
	})
	if err != nil {
		return store.Blob{}, nil, fmt.Errorf("blob %q: %w", id, err)
	}
	if int64(len(data)) != b.Size {
		return store.Blob{}, nil, fmt.Errorf("blob %q: %d bytes stored, %d recorded", id, len(data), b.Size)
	}
	return b, nopCloser{bytes.NewReader(data)}, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// DeleteUnsentBlobs implements store.Blobs; the chunks go with their blob.
func (s *Store) DeleteUnsentBlobs(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM blobs WHERE id IN (
			SELECT id FROM blobs WHERE created_at < $1
			AND NOT EXISTS (SELECT 1 FROM messages WHERE file_id = blobs.id) LIMIT 1000)`, before)
	if err != nil {
		return 0, fmt.Errorf("delete unsent blobs: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
