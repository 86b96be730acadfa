package transport

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/auth"
	"kefu/store"
)

// The history API: past and open conversations for agents, over HTTP with
// the login token as a bearer token.
//
//	GET /api/conversations?before=CURSOR&limit=N&all=1&label=L
//	GET /api/conversations/{id}
//	GET /api/conversations/{id}/messages?after=SEQ&limit=N
//	PUT /api/conversations/{id}/labels (labels_api.go)

type convOut struct {
	ID        string     `json:"id"`
	Customer  partyOut   `json:"customer"`
	Agent     *partyOut  `json:"agent"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt"`
	EndedBy   string     `json:"endedBy,omitempty"`
	EndReason string     `json:"endReason,omitempty"`
	Rating    int        `json:"rating,omitempty"`
	Labels    []string   `json:"labels,omitempty"`
}

type convEventOut struct {
	Kind   string    `json:"kind"`
	Agent  *partyOut `json:"agent"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
	By     *partyOut `json:"by,omitempty"` // the agent who handed it on
	Note   string    `json:"note,omitempty"`
}

func conversationOut(c store.Conversation) convOut {
	out := convOut{
		ID:        c.ID,
		Customer:  partyOut{ID: c.CustomerID, Role: "customer", Name: c.CustomerName},
		StartedAt: c.StartedAt.UTC(),
		EndedBy:   c.EndedBy,
		EndReason: c.EndReason,
		Rating:    c.Rating,
	}
	if c.AgentID != "" {
		out.Agent = &partyOut{ID: c.AgentID, Role: "agent", Name: c.AgentName}
	}
	if !c.EndedAt.IsZero() {
		t := c.EndedAt.UTC()
		out.EndedAt = &t
	}
	return out
}

// labelledOut returns convs as the API shows them, each with its labels,
// read at once.
func (g *Gateway) labelledOut(ctx context.Context, convs []store.Conversation) ([]convOut, error) {
	ids := make([]string, len(convs))
	for i, c := range convs {
		ids[i] = c.ID
	}
	labels, err := g.cfg.Identity.Store.LabelsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]convOut, 0, len(convs)) // [] rather than null
	for _, c := range convs {
		cv := conversationOut(c)
		cv.Labels = labels[c.ID]
		out = append(out, cv)
	}
	return out, nil
}

// caller is who a bearer token says is asking.
type caller struct {
	id         string
	supervisor bool
}

// agentCaller checks the bearer token: only agents and supervisors read
// history.
func (g *Gateway) agentCaller(w http.ResponseWriter, r *http.Request) (caller, bool) {
	_, a, ok := g.agentToken(w, r)
	if !ok {
		return caller{}, false
	}
	return caller{id: a.ID, supervisor: a.Role == store.RoleSupervisor}, true
}

// agentToken checks the bearer token is a working agent's or supervisor's
// and returns its claims and the account as it is now, or answers the
// refusal itself.
func (g *Gateway) agentToken(w http.ResponseWriter, r *http.Request) (auth.Claims, store.Agent, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kefu"`)
		writeError(w, http.StatusUnauthorized, "unauthorized", "send the login token as 'Authorization: Bearer TOKEN'")
		return auth.Claims{}, store.Agent{}, false
	}
	c, err := g.cfg.Identity.Signer.Verify(token)
	if err != nil || (c.Role != auth.RoleAgent && c.Role != auth.RoleSupervisor) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "invalid or expired token")
		return auth.Claims{}, store.Agent{}, false
	}
	// The account as it is now: a removed one's token stops working at
	// once, as does a signed-out or revoked token, and a role changed
	// since the login counts.
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	a, err := g.cfg.Identity.agentAccount(ctx, c)
	switch {
	case errors.Is(err, errAccountRemoved):
		writeError(w, http.StatusUnauthorized, "unauthorized", "account removed")
		return auth.Claims{}, store.Agent{}, false
	case errors.Is(err, errTokenRevoked):
		writeError(w, http.StatusUnauthorized, "unauthorized", "token revoked: log in again")
		return auth.Claims{}, store.Agent{}, false
	case err != nil:
		g.storeFailed(w, "check account", err)
		return auth.Claims{}, store.Agent{}, false
	}
	return c, a, true
}

// listScope checks the bearer token and returns whose conversations a
// list or a search (what) is about: the caller's, or everyone's ("") when
// a supervisor asks with all=1. It answers a refusal itself: 403 for an
// agent's all=1.
func (g *Gateway) listScope(w http.ResponseWriter, r *http.Request, what string) (agentID string, ok bool) {
	who, ok := g.agentCaller(w, r)
	switch {
	case !ok:
		return "", false
	case r.URL.Query().Get("all") != "1":
		return who.id, true
	case !who.supervisor:
		writeError(w, http.StatusForbidden, "forbidden", "only supervisors may "+what+" everyone's conversations")
		return "", false
	}
	return "", true
}

// labelProblem is what a bad label parameter is answered with.
const labelProblem = "label is one word of 1 to 32 characters"

// labelParam returns a label parameter as labels are stored ("" for none),
// or false for one that is no label.
func labelParam(v string) (string, bool) {
	if v == "" {
		return "", true
	}
	l, err := store.NormalLabel(v)
	return l, err == nil
}

// ListConversations serves GET /api/conversations: the caller's
// conversations, newest first, a page at a time; a supervisor may ask for
// everyone's with all=1.
func (g *Gateway) ListConversations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agentID, ok := g.listScope(w, r, "list")
		if !ok {
			return
		}
		q := r.URL.Query()
		f := store.ConversationFilter{AgentID: agentID, Before: q.Get("before")}
		if f.Label, ok = labelParam(q.Get("label")); !ok {
			writeError(w, http.StatusBadRequest, "bad_value", labelProblem)
			return
		}
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "bad_value", "limit must be a number from 1 to 200")
				return
			}
			f.Limit = n
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		page, next, err := g.cfg.Identity.Store.ListConversations(ctx, f)
		if errors.Is(err, store.ErrInvalid) {
			writeError(w, http.StatusBadRequest, "bad_value", "bad cursor or limit (1 to 200)")
			return
		}
		if err != nil {
			g.storeFailed(w, "list conversations", err)
			return
		}
		convs, err := g.labelledOut(ctx, page)
		if err != nil {
			g.storeFailed(w, "read labels", err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Conversations []convOut `json:"conversations"`
			Next          string    `json:"next,omitempty"`
		}{Conversations: convs, Next: next})
	})
}

// GetConversation serves GET /api/conversations/{id}: the record, who
// served it when, its labels and its private notes.
func (g *Gateway) GetConversation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conv, events, ok := g.readableConversation(w, r)
		if !ok {
			return
		}
		notes, labels, err := g.notesAndLabels(r.Context(), conv.ID)
		if err != nil {
			g.storeFailed(w, "read notes and labels", err)
			return
		}
		out := struct {
			convOut
			Events []convEventOut `json:"events"`
			Notes  []noteOut      `json:"notes"`
		}{convOut: conversationOut(conv), Events: make([]convEventOut, 0, len(events)), Notes: notes}
		out.Labels = labels
		for _, e := range events {
			ev := convEventOut{Kind: e.Kind, Reason: e.Reason, At: e.At.UTC(), Note: e.Note}
			if e.AgentID != "" {
				ev.Agent = &partyOut{ID: e.AgentID, Role: "agent", Name: e.AgentName}
			}
			if e.ByID != "" {
				ev.By = &partyOut{ID: e.ByID, Role: "agent", Name: e.ByName}
			}
			out.Events = append(out.Events, ev)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// ConversationMessages serves GET /api/conversations/{id}/messages: the
// messages after a sequence number, oldest first, a page at a time.
func (g *Gateway) ConversationMessages() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conv, _, ok := g.readableConversation(w, r)
		if !ok {
			return
		}
		q := r.URL.Query()
		after, err1 := strconv.ParseUint(cmp.Or(q.Get("after"), "0"), 10, 64)
		limit, err2 := strconv.Atoi(cmp.Or(q.Get("limit"), "200"))
		if err1 != nil || err2 != nil || limit < 1 || limit > store.MaxPageLimit*5 {
			writeError(w, http.StatusBadRequest, "bad_value", "after must be a sequence number and limit 1 to 1000")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		msgs, err := g.cfg.Identity.Store.Messages(ctx, conv.ID, after, limit+1)
		if err != nil {
			g.storeFailed(w, "read messages", err)
			return
		}
		out := struct {
			Messages []msgOut `json:"messages"`
			More     bool     `json:"more"`
		}{Messages: make([]msgOut, 0, len(msgs))}
		if len(msgs) > limit {
			msgs, out.More = msgs[:limit], true
		}
		for _, m := range msgs {
			out.Messages = append(out.Messages, storedMessage(m))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// readableConversation loads the conversation named in the path if the
// caller may read it: a supervisor any, an agent only one they served. A
// conversation the caller may not read is "not found", so ids cannot be
// probed.
func (g *Gateway) readableConversation(w http.ResponseWriter, r *http.Request) (store.Conversation, []store.ConvEvent, bool) {
	who, ok := g.agentCaller(w, r)
	if !ok {
		return store.Conversation{}, nil, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	id := r.PathValue("id")
	conv, err := g.cfg.Identity.Store.Conversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such conversation")
		return conv, nil, false
	}
	if err != nil {
		g.storeFailed(w, "read conversation", err)
		return conv, nil, false
	}
	events, err := g.cfg.Identity.Store.ConvEvents(ctx, id)
	if err != nil {
		g.storeFailed(w, "read conversation events", err)
		return conv, nil, false
	}
	if !who.supervisor && !servedBy(conv, events, who.id) {
		writeError(w, http.StatusNotFound, "not_found", "no such conversation")
		return conv, nil, false
	}
	return conv, events, true
}

// servedBy reports whether agent id serves conv or ever did.
func servedBy(conv store.Conversation, events []store.ConvEvent, id string) bool {
	return conv.AgentID == id || slices.ContainsFunc(events, func(e store.ConvEvent) bool { return e.AgentID == id })
}

func (g *Gateway) storeFailed(w http.ResponseWriter, what string, err error) {
	g.cfg.Log.Error("history: "+what, "err", err)
	writeError(w, http.StatusServiceUnavailable, "unavailable", "the store did not answer; try again")
}

func storedMessage(m store.Message) msgOut {
	return msgOut{Type: frameMsg, Conv: m.Conv, Seq: m.Seq, From: partyOut{ID: m.SenderID, Role: m.SenderRole, Name: m.SenderName}, Text: m.Text, CID: m.ClientID, At: m.At.UTC(), File: file(m.Text, m.File)}
}
