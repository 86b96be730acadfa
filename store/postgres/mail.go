package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

// The mail outbox on PostgreSQL (store/mail.go). A claim locks its rows
// FOR UPDATE SKIP LOCKED: nodes claiming at once each take other rows,
// none waits for another.

var _ store.MailOutbox = (*Store)(nil)

const (
	insertMailSQL = `INSERT INTO mail_outbox (message_id, conv_id, to_addr, lang, after_seq, created_at, next_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (message_id) DO NOTHING`
	claimMailSQL = `UPDATE mail_outbox m SET claimed_by = $1, claimed_until = $2, attempts = m.attempts + 1
		FROM (SELECT id FROM mail_outbox
			WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_at <= $3 AND claimed_until <= $3
			ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) due
		WHERE m.id = due.id
		RETURNING m.id, m.message_id, m.conv_id, m.to_addr, m.lang, m.after_seq, m.created_at, m.next_at, m.attempts - 1, m.last_error`
	mailSentSQL = `UPDATE mail_outbox SET sent_at = $1, claimed_until = 'epoch'
		WHERE id = $2 AND claimed_by = $3 AND sent_at IS NULL AND gave_up_at IS NULL`
	mailRetrySQL = `UPDATE mail_outbox SET next_at = $1, last_error = $2, claimed_until = 'epoch'
		WHERE id = $3 AND claimed_by = $4 AND sent_at IS NULL AND gave_up_at IS NULL`
	mailGaveUpSQL = `UPDATE mail_outbox SET gave_up_at = $1, last_error = $2, claimed_until = 'epoch'
		WHERE id = $3 AND claimed_by = $4 AND sent_at IS NULL AND gave_up_at IS NULL`
	mailPendingSQL = `SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL`
	deleteMailSQL  = `DELETE FROM mail_outbox
		WHERE (sent_at IS NOT NULL OR gave_up_at IS NOT NULL) AND COALESCE(sent_at, gave_up_at) < $1`
)

// ClaimMail implements store.MailOutbox.
func (s *Store) ClaimMail(ctx context.Context, node string, now, until time.Time, n int) ([]store.Mail, error) {
	if node == "" || n < 1 {
		return nil, fmt.Errorf("claim mail: %w: no node, or n %d under 1", store.ErrInvalid, n)
	}
	rows, err := s.pool.Query(ctx, claimMailSQL, node, millis(until), millis(now), n)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Mail, error) {
		var (
			m     store.Mail
			after int64
		)
		err := r.Scan(&m.ID, &m.MessageID, &m.Conv, &m.To, &m.Lang, &after, &m.At, &m.NextAt, &m.Attempts, &m.LastError)
		m.AfterSeq, m.At, m.NextAt = uint64(after), m.At.UTC(), m.NextAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(out, func(a, b store.Mail) int { return cmp.Or(a.NextAt.Compare(b.NextAt), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// MailSent implements store.MailOutbox.
func (s *Store) MailSent(ctx context.Context, id int64, node string, at time.Time) error {
	return s.markMail(ctx, "sent", mailSentSQL, millis(at), id, node)
}

// MailRetry implements store.MailOutbox.
func (s *Store) MailRetry(ctx context.Context, id int64, node string, next time.Time, why string) error {
	return s.markMail(ctx, "retry", mailRetrySQL, millis(next), store.MailError(why), id, node)
}

// MailGaveUp implements store.MailOutbox.
func (s *Store) MailGaveUp(ctx context.Context, id int64, node string, at time.Time, why string) error {
	return s.markMail(ctx, "give up", mailGaveUpSQL, millis(at), store.MailError(why), id, node)
}

func (s *Store) markMail(ctx context.Context, what, q string, args ...any) error {
	tag, err := s.pool.Exec(ctx, q, args...)
	switch {
	case err != nil:
		return fmt.Errorf("mail %s: %w", what, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("mail %s: %w", what, store.ErrNotFound)
	}
	return nil
}

// MailPending implements store.MailOutbox.
func (s *Store) MailPending(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, mailPendingSQL).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending mail: %w", err)
	}
	return n, nil
}

// DeleteMailBefore implements store.MailOutbox.
func (s *Store) DeleteMailBefore(ctx context.Context, t time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, deleteMailSQL, millis(t))
	if err != nil {
		return 0, fmt.Errorf("delete old mail: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
