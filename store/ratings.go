package store

import "context"

// AgentRating is what customers thought of one agent: the ratings (1..5)
// of the conversations whose agent it is, which is the last agent a
// conversation had (a transferred chat's rating goes to whoever finished
// it). Sum and Count rather than an average, so that averages over several
// agents (the team's) weigh each rating once.
type AgentRating struct {
	AgentID string
	Count   int // rated conversations
	Sum     int // their ratings added up
}

// Average is the mean rating, or 0 with none.
func (r AgentRating) Average() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.Sum) / float64(r.Count)
}

// Ratings reads the customers' ratings back, for the supervisor view and
// an agent's own console (issue #13, item 10).
type Ratings interface {
	// RatingsByAgent returns one AgentRating for each agent with at least
	// one rated conversation, ordered by agent id. With agentID set, only
	// that agent's (none if it has no rating yet).
	RatingsByAgent(ctx context.Context, agentID string) ([]AgentRating, error)
}
