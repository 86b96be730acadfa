package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kefu/store"
)

// TestTextByteForByte: a message's text and client id come back byte for
// byte, NUL and control characters included, as SQLite keeps them (kefu
// relays any JSON string); a resend of the same message is skipped and
// another one under its seq refused.
func TestTextByteForByte(t *testing.T) {
	ctx := context.Background()
	st := openPostgres(t)
	m := store.Message{Conv: "c1", Seq: 1, SenderID: "cu_1", SenderRole: "customer", SenderName: "Ann",
		Text: "nul\x00 bell\a esc\x1b[31m del\x7f \u202eevil", ClientID: "cid\x00x", At: time.UnixMilli(5)}
	b := &store.Batch{
		Conversations: []store.Conversation{{ID: "c1", CustomerID: "cu_1", StartedAt: time.UnixMilli(1)}},
		Messages:      []store.Message{m},
	}
	for range 2 { // the second is a resend, skipped
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := st.Messages(ctx, "c1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Text != m.Text || msgs[0].ClientID != m.ClientID {
		t.Fatalf("stored %+v, want %q with cid %q", msgs, m.Text, m.ClientID)
	}
	got, err := st.MessageByClientID(ctx, "c1", "cu_1", m.ClientID)
	if err != nil || got.Text != m.Text {
		t.Fatalf("MessageByClientID=%+v, %v, want the message", got, err)
	}
	other := m
	other.Text = "nul\x00 but another"
	err = st.Apply(ctx, &store.Batch{Messages: []store.Message{other}})
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Apply of another text under seq 1: err=%v, want ErrInvalid", err)
	}
}
