package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"kefu/store"
	"kefu/store/storetest"
)

// openSQLite opens a store in dir and closes it when tb ends.
func openSQLite(tb testing.TB, dir string) *store.SQLite {
	tb.Helper()
	st, err := store.OpenSQLite(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Error(err)
		}
	})
	return st
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store {
		tb.Helper()
		return openSQLite(tb, tb.TempDir())
	})
}

func TestOpenSQLite(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nested", "data")
		openSQLite(t, dir)
		if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
			t.Fatalf("database file: %v", err)
		}
	})
	t.Run("OKReopenKeepsData", func(t *testing.T) {
		ctx := context.Background()
		dir := t.TempDir()
		first, err := store.OpenSQLite(dir)
		if err != nil {
			t.Fatal(err)
		}
		want, err := first.CreateAgent(ctx, "Ivy", []byte("ivy-hash"), store.RoleSupervisor, 9)
		if err != nil {
			t.Fatal(err)
		}
		key, err := first.Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}

		second := openSQLite(t, dir)
		got, hash, err := second.AgentByName(ctx, "ivy")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("after reopen agent=%+v, want %+v", got, want)
		}
		if got, want := string(hash), "ivy-hash"; got != want {
			t.Fatalf("after reopen hash=%q, want %q", got, want)
		}
		again, err := second.Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, key) {
			t.Fatal("secret changed across reopen: tokens would not survive a restart")
		}
	})
	t.Run("OKReopenKeepsConversations", func(t *testing.T) {
		for _, opts := range [][]store.Option{nil, {store.WithSyncFull()}} {
			dir := t.TempDir()
			first, err := store.OpenSQLite(dir, opts...)
			if err != nil {
				t.Fatal(err)
			}
			storetest.CheckFullBatch(t, first)
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			storetest.CheckFullBatchStored(t, openSQLite(t, dir))
		}
	})
	t.Run("ErrDirIsFile", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := store.OpenSQLite(file); err == nil {
			t.Fatal("err=nil, want an error for a data directory that is a file")
		}
	})
	t.Run("ErrQuestionMark", func(t *testing.T) {
		if _, err := store.OpenSQLite(filepath.Join(t.TempDir(), "a?b")); err == nil {
			t.Fatal("err=nil, want an error for a '?' in the path")
		}
	})
}
