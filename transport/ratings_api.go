package transport

import (
	"context"
	"net/http"

	"kefu/store"
)

// The customers' ratings, added up, over HTTP with the login token:
//
//	GET /api/ratings
//
// Every agent gets its own count and average (you); a supervisor also gets
// the team's and each agent's. The store reads them (a query, not an
// actor), so a page asks now and then, not with every statistics poll.

// ratingOut is a count of ratings and their mean; average is null with
// none.
type ratingOut struct {
	Count   int      `json:"count"`
	Average *float64 `json:"average"`
}

type agentRatingOut struct {
	ID string `json:"id"`
	ratingOut
}

type ratingsOut struct {
	You    ratingOut        `json:"you"`
	Team   *ratingOut       `json:"team,omitempty"`   // supervisors
	Agents []agentRatingOut `json:"agents,omitempty"` // supervisors
}

func rating(r store.AgentRating) ratingOut {
	out := ratingOut{Count: r.Count}
	if r.Count > 0 {
		avg := r.Average()
		out.Average = &avg
	}
	return out
}

// Ratings serves GET /api/ratings.
func (g *Gateway) Ratings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.agentCaller(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		scope := who.id
		if who.supervisor {
			scope = "" // everyone's
		}
		all, err := g.cfg.Identity.Store.RatingsByAgent(ctx, scope)
		if err != nil {
			g.storeFailed(w, "read ratings", err)
			return
		}
		out := ratingsOut{You: rating(store.AgentRating{})}
		var team store.AgentRating
		for _, a := range all {
			if a.AgentID == who.id {
				out.You = rating(a)
			}
			team.Count += a.Count
			team.Sum += a.Sum
			if who.supervisor {
				out.Agents = append(out.Agents, agentRatingOut{ID: a.AgentID, ratingOut: rating(a)})
			}
		}
		if who.supervisor {
			t := rating(team)
			out.Team = &t
			if out.Agents == nil {
				out.Agents = []agentRatingOut{}
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
}
