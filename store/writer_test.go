package store

import (
	"context"
	"testing"
)

// TestWriterPageCache: the writer's connection has the large page cache
// (see writerCacheKiB) and the pool's readers the default.
func TestWriterPageCache(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var writer, reader int
	if err := s.writer.conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&reader); err != nil {
		t.Fatal(err)
	}
	if writer != -writerCacheKiB {
		t.Errorf("writer's cache_size %d, want %d", writer, -writerCacheKiB)
	}
	if reader == writer {
		t.Errorf("a reader has the writer's cache_size %d", reader)
	}
}
