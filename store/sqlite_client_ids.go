package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// messageByClientIDSQL walks the conversation's range of the primary key:
// no index on client ids, since every message would pay for one and only
// an old resend reads it.
const messageByClientIDSQL = `SELECT conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size
	FROM messages WHERE conv_id = ? AND sender_id = ? AND client_id = ? ORDER BY seq LIMIT 1`

// MessageByClientID implements Conversations.
func (s *SQLite) MessageByClientID(ctx context.Context, conv, senderID, clientID string) (Message, error) {
	var (
		m   Message
		seq int64
		at  int64
	)
	err := s.db.QueryRowContext(ctx, messageByClientIDSQL, conv, senderID, clientID).
		Scan(&m.Conv, &seq, &m.SenderID, &m.SenderRole, &m.SenderName, &m.Text, &m.ClientID, &at, &m.Epoch, &m.File.ID, &m.File.Type, &m.File.Size)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("message %q of %q: %w", clientID, conv, ErrNotFound)
	}
	if err != nil {
		return Message{}, fmt.Errorf("read message %q of %q: %w", clientID, conv, err)
	}
	m.Seq, m.At = uint64(seq), fromMillis(at)
	return m, nil
}
