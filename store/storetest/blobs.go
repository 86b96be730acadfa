package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"

	"kefu/store"
)

// testBlobs: a blob's bytes come back whole (larger than a chunk, NUL and
// all), with its record; a message names it and comes back with its file;
// a failed upload leaves nothing; the sweep deletes only old blobs no
// message names; bad records are refused.
func testBlobs(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	data := bytes.Repeat([]byte("kefu\x00attachment "), 40_000) // 680,000 bytes: several chunks
	sum := sha256.Sum256(data)
	b, err := st.PutBlob(ctx, store.Blob{Conv: "cv_f", By: "cu_1", Name: "../../etc/屏幕截图.png", Type: "image/png"}, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == "" || b.Name != "屏幕截图.png" || b.Size != int64(len(data)) || b.SHA256 != hex.EncodeToString(sum[:]) || b.At.IsZero() {
		t.Fatalf("PutBlob = %+v", b)
	}
	info, rc, err := st.OpenBlob(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("OpenBlob read %d bytes, %v; want the %d put", len(got), err, len(data))
	}
	if info.ID != b.ID || info.Conv != "cv_f" || info.By != "cu_1" || info.Type != "image/png" || !info.At.Equal(b.At) {
		t.Fatalf("OpenBlob record %+v, want %+v", info, b)
	}
	if _, err := st.BlobInfo(ctx, "bl_none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("BlobInfo of none: %v, want ErrNotFound", err)
	}
	if _, _, err := st.OpenBlob(ctx, "bl_none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OpenBlob of none: %v, want ErrNotFound", err)
	}

	// A message shows it; the store gives the file back with the message.
	c := newConv("cv_f", 1, at(0))
	m := newMsg("cv_f", 1)
	m.Text, m.File = b.Name, store.FileRef{ID: b.ID, Type: b.Type, Size: b.Size}
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{c}, Messages: []store.Message{m}})
	mustApply(t, st, &store.Batch{Messages: []store.Message{m}}) // the same again: skipped
	checkMessages(t, mustMessages(t, st, "cv_f", 0, 0), []store.Message{m})
	other := m
	other.File.Size++
	if err := st.Apply(ctx, &store.Batch{Messages: []store.Message{other}}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("seq 1 again with another file: %v, want ErrInvalid", err)
	}

	// An upload whose reader fails keeps nothing.
	broken := io.MultiReader(bytes.NewReader(data[:1000]), errReader{})
	if _, err := st.PutBlob(ctx, store.Blob{Conv: "cv_f", By: "cu_1", Name: "x.png", Type: "image/png"}, broken); err == nil {
		t.Fatal("PutBlob of a failing reader succeeded")
	}
	for _, bad := range []store.Blob{{By: "cu_1", Name: "a.png", Type: "image/png"}, {Conv: "cv_f", By: "cu_1", Name: " ", Type: "image/png"}, {Conv: "cv_f", By: "cu_1", Name: "a.png"}} {
		if _, err := st.PutBlob(ctx, bad, bytes.NewReader(data[:10])); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("PutBlob %+v: %v, want ErrInvalid", bad, err)
		}
	}

	// The sweep: an unsent blob goes once old enough, a sent one stays.
	unsent, err := st.PutBlob(ctx, store.Blob{Conv: "cv_f", By: "cu_1", Name: "never.txt", Type: "text/plain"}, bytes.NewReader([]byte("never sent")))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.DeleteUnsentBlobs(ctx, unsent.At.Add(-time.Second)); err != nil || n != 0 {
		t.Fatalf("sweep before it was made: %d, %v", n, err)
	}
	if n, err := st.DeleteUnsentBlobs(ctx, unsent.At.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the one unsent", n, err)
	}
	if _, err := st.BlobInfo(ctx, unsent.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the swept blob: %v, want ErrNotFound", err)
	}
	if _, err := st.BlobInfo(ctx, b.ID); err != nil {
		t.Fatalf("the sent blob after the sweep: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the upload broke off") }
