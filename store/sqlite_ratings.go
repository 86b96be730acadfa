package store

import (
	"context"
	"fmt"
)

var _ Ratings = (*SQLite)(nil)

// ratingsSQL counts and adds the ratings per agent; ratingsOneSQL does it
// for one agent through its index (conversations_agent).
const (
	ratingsSQL = `SELECT agent_id, COUNT(*), SUM(rating) FROM conversations
		WHERE rating > 0 AND agent_id <> '' GROUP BY agent_id ORDER BY agent_id`
	ratingsOneSQL = `SELECT agent_id, COUNT(*), SUM(rating) FROM conversations
		WHERE agent_id = ? AND rating > 0 GROUP BY agent_id`
)

// RatingsByAgent implements Ratings.
func (s *SQLite) RatingsByAgent(ctx context.Context, agentID string) ([]AgentRating, error) {
	q, args := ratingsSQL, []any{}
	if agentID != "" {
		q, args = ratingsOneSQL, []any{agentID}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read ratings: %w", err)
	}
	defer rows.Close()
	var out []AgentRating
	for rows.Next() {
		var r AgentRating
		if err := rows.Scan(&r.AgentID, &r.Count, &r.Sum); err != nil {
			return nil, fmt.Errorf("read ratings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ratings: %w", err)
	}
	return out, nil
}
