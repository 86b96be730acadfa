package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestFullDatabase: when SQLite cannot grow the file (SQLITE_FULL, here
// from a page quota, on a real server from a full disk) Apply fails
// whole, not with ErrInvalid (so the writer's callers are told to resend
// rather than blamed), and writes again once there is room.
func TestFullDatabase(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	// The quota is set on Apply's own connection, the only one that writes.
	apply := s.writer.conn
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if err := s.Apply(ctx, &Batch{Conversations: []Conversation{{ID: "c1", CustomerID: "cu_1", CustomerName: "A", Ticket: 1, StartedAt: start}}}); err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := apply.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := apply.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+2)); err != nil {
		t.Fatal(err)
	}
	batch := func(from uint64) *Batch {
		b := &Batch{}
		for seq := from; seq < from+200; seq++ {
			b.Messages = append(b.Messages, Message{Conv: "c1", Seq: seq, SenderID: "cu_1", SenderRole: "customer",
				SenderName: "A", Text: strings.Repeat("填满", 200), ClientID: fmt.Sprint("m", seq), At: start})
		}
		return b
	}
	full := batch(1)
	err := s.Apply(ctx, full)
	if err == nil || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "full") {
		t.Fatalf("Apply on a full database: %v, want SQLITE_FULL and not ErrInvalid", err)
	}
	if got, err := s.Messages(ctx, "c1", 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("after the failed Apply: %d messages, %v; want none (all or nothing)", len(got), err)
	}

	if _, err := apply.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, full); err != nil {
		t.Fatalf("Apply once there is room: %v", err)
	}
	if got, err := s.Messages(ctx, "c1", 0, 0); err != nil || len(got) != 200 {
		t.Fatalf("after room returned: %d messages, %v; want 200", len(got), err)
	}
}
