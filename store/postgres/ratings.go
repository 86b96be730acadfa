package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

// ratingsSQL counts and adds the ratings per agent; with $1 set, of that
// agent only (through conversations_agent).
const ratingsSQL = `SELECT agent_id, COUNT(*), SUM(rating) FROM conversations
	WHERE rating > 0 AND agent_id <> '' AND ($1 = '' OR agent_id = $1)
	GROUP BY agent_id ORDER BY agent_id`

// RatingsByAgent implements store.Ratings.
func (s *Store) RatingsByAgent(ctx context.Context, agentID string) ([]store.AgentRating, error) {
	rows, err := s.pool.Query(ctx, ratingsSQL, agentID)
	if err != nil {
		return nil, fmt.Errorf("read ratings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AgentRating, error) {
		var (
			a     store.AgentRating
			count int64
			sum   int64
		)
		err := r.Scan(&a.AgentID, &count, &sum)
		a.Count, a.Sum = int(count), int(sum)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("read ratings: %w", err)
	}
	return out, nil
}
