package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// The mail outbox on SQLite (mail.go). A claim is one UPDATE … RETURNING,
// which SQLite runs under its one write lock: two claims never take the
// same row.
const (
	insertMailSQL = `INSERT INTO mail_outbox (message_id, conv_id, to_addr, lang, after_seq, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`
	claimMailSQL = `UPDATE mail_outbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM mail_outbox
			WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_at <= ? AND claimed_until <= ?
			ORDER BY next_at, id LIMIT ?)
		RETURNING id, message_id, conv_id, to_addr, lang, after_seq, created_at, next_at, attempts - 1, last_error`
	mailSentSQL = `UPDATE mail_outbox SET sent_at = ?, claimed_until = 0
		WHERE id = ? AND claimed_by = ? AND sent_at IS NULL AND gave_up_at IS NULL`
	mailRetrySQL = `UPDATE mail_outbox SET next_at = ?, last_error = ?, claimed_until = 0
		WHERE id = ? AND claimed_by = ? AND sent_at IS NULL AND gave_up_at IS NULL`
	mailGaveUpSQL = `UPDATE mail_outbox SET gave_up_at = ?, last_error = ?, claimed_until = 0
		WHERE id = ? AND claimed_by = ? AND sent_at IS NULL AND gave_up_at IS NULL`
	mailPendingSQL = `SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL`
	deleteMailSQL  = `DELETE FROM mail_outbox
		WHERE (sent_at IS NOT NULL OR gave_up_at IS NOT NULL) AND COALESCE(sent_at, gave_up_at) < ?`
)

// insertMail queues b's mail in the writer's open transaction.
func (s *SQLite) insertMail(ctx context.Context, mail []MailItem) error {
	for i, m := range mail {
		_, err := s.writer.conn.ExecContext(ctx, insertMailSQL, m.MessageID, m.Conv, m.To, m.Lang, int64(m.AfterSeq), m.At.UnixMilli(), m.At.UnixMilli())
		if err != nil {
			return fmt.Errorf("mail %d of %q: %w", i, m.Conv, unknownConv(err, m.Conv))
		}
	}
	return nil
}

// ClaimMail implements MailOutbox.
func (s *SQLite) ClaimMail(ctx context.Context, node string, now, until time.Time, n int) ([]Mail, error) {
	if node == "" || n < 1 {
		return nil, fmt.Errorf("claim mail: %w: no node, or n %d under 1", ErrInvalid, n)
	}
	rows, err := s.db.QueryContext(ctx, claimMailSQL, node, until.UnixMilli(), now.UnixMilli(), now.UnixMilli(), n)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var (
			m                    Mail
			after, created, next int64
		)
		if err := rows.Scan(&m.ID, &m.MessageID, &m.Conv, &m.To, &m.Lang, &after, &created, &next, &m.Attempts, &m.LastError); err != nil {
			return nil, fmt.Errorf("claim mail: %w", err)
		}
		m.AfterSeq, m.At, m.NextAt = uint64(after), fromMillis(created), fromMillis(next)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(out, func(a, b Mail) int { return cmp.Or(a.NextAt.Compare(b.NextAt), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// MailSent implements MailOutbox.
func (s *SQLite) MailSent(ctx context.Context, id int64, node string, at time.Time) error {
	return s.markMail(ctx, "sent", mailSentSQL, at.UnixMilli(), id, node)
}

// MailRetry implements MailOutbox.
func (s *SQLite) MailRetry(ctx context.Context, id int64, node string, next time.Time, why string) error {
	return s.markMail(ctx, "retry", mailRetrySQL, next.UnixMilli(), mailError(why), id, node)
}

// MailGaveUp implements MailOutbox.
func (s *SQLite) MailGaveUp(ctx context.Context, id int64, node string, at time.Time, why string) error {
	return s.markMail(ctx, "give up", mailGaveUpSQL, at.UnixMilli(), mailError(why), id, node)
}

func (s *SQLite) markMail(ctx context.Context, what, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("mail %s: %w", what, err)
	}
	return nil
}

// MailPending implements MailOutbox.
func (s *SQLite) MailPending(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, mailPendingSQL).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending mail: %w", err)
	}
	return n, nil
}

// DeleteMailBefore implements MailOutbox.
func (s *SQLite) DeleteMailBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, deleteMailSQL, t.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete old mail: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
