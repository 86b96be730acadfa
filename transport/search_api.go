package transport

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/store"
)

// The search API (issue 19, docs/operations.md "Search"): past and open
// conversations by their words, with the history API's bearer token and
// its rule of who sees what. Private notes are never searched.
//
//	GET /api/search?q=WORDS&label=L&from=DATE&to=DATE&limit=N&all=1&before=NEXT

// searchDate is the form of a from or to that names a day: UTC, as the
// stored times are.
const searchDate = time.DateOnly

type searchHitOut struct {
	Conversation convOut `json:"conversation"`
	Seq          uint64  `json:"seq"` // 0: the customer's name or a label matched
	Snippet      string  `json:"snippet"`
}

// Search serves GET /api/search: the conversations whose words match q,
// newest first, each with its first matching message. An agent searches
// the conversations it served; a supervisor the same, or everyone's with
// all=1 (403 for an agent), as GET /api/conversations.
func (g *Gateway) Search() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agentID, ok := g.listScope(w, r, "search")
		if !ok {
			return
		}
		q := r.URL.Query()
		sq, problem := searchQuery(q.Get("q"), q.Get("label"), q.Get("from"), q.Get("to"), q.Get("limit"))
		if problem == "" {
			sq.Before, problem = searchCursor(q.Get("before"))
		}
		if problem != "" {
			writeError(w, http.StatusBadRequest, "bad_value", problem)
			return
		}
		sq.AgentID = agentID
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		hits, err := g.cfg.Identity.Store.Search(ctx, sq)
		if errors.Is(err, store.ErrInvalid) {
			writeError(w, http.StatusBadRequest, "bad_value", "give words (at most 200 characters), a label or dates, with from before to")
			return
		}
		if err != nil {
			g.storeFailed(w, "search", err)
			return
		}
		convs := make([]store.Conversation, len(hits))
		for i, h := range hits {
			convs[i] = h.Conv
		}
		labelled, err := g.labelledOut(ctx, convs)
		if err != nil {
			g.storeFailed(w, "read labels", err)
			return
		}
		out := struct {
			Results []searchHitOut `json:"results"`
			Next    string         `json:"next,omitempty"`
		}{Results: make([]searchHitOut, len(hits))}
		for i, h := range hits {
			out.Results[i] = searchHitOut{Conversation: labelled[i], Seq: h.Seq, Snippet: h.Snippet}
		}
		if n := len(hits); n > 0 && n == cmp.Or(sq.Limit, store.DefaultPageLimit) {
			// A full page may have more behind it: the next is asked for
			// with before=next, and may be empty.
			c := store.CursorOf(hits[n-1])
			out.Next = strconv.FormatInt(c.At.UnixMilli(), 10) + "." + c.ID
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// searchQuery reads the query's parameters, or says what is wrong with
// them. The store checks the rest (a query of nothing, dates out of
// order).
func searchQuery(text, label, from, to, limit string) (store.SearchQuery, string) {
	sq := store.SearchQuery{Text: text}
	if utf8.RuneCountInString(text) > store.MaxSearchRunes {
		return sq, "q is at most 200 characters"
	}
	var ok bool
	if sq.Label, ok = labelParam(label); !ok {
		return sq, labelProblem
	}
	if sq.From, ok = searchTime(from, false); !ok {
		return sq, "from is a time (RFC 3339) or a day (YYYY-MM-DD)"
	}
	if sq.To, ok = searchTime(to, true); !ok {
		return sq, "to is a time (RFC 3339) or a day (YYYY-MM-DD)"
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > store.MaxPageLimit {
			return sq, "limit must be a number from 1 to 200"
		}
		sq.Limit = n
	}
	return sq, ""
}

// searchCursor parses before, a page's next ("MILLIS.ID"); "" is the
// first page.
func searchCursor(s string) (store.SearchCursor, string) {
	if s == "" {
		return store.SearchCursor{}, ""
	}
	ms, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n <= 0 || id == "" || len(id) > 64 {
		return store.SearchCursor{}, "before is the next of an earlier answer"
	}
	return store.SearchCursor{At: time.UnixMilli(n).UTC(), ID: id}, ""
}

// searchTime parses a from or to: an RFC 3339 time, or a UTC day, whose
// start a from names and whose end a to does (the day is included). ""
// is no bound.
func searchTime(s string, to bool) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	day, err := time.Parse(searchDate, s)
	if err != nil {
		return time.Time{}, false
	}
	if to {
		day = day.AddDate(0, 0, 1)
	}
	return day, true
}
