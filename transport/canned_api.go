package transport

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"kefu/store"
)

// Canned responses over HTTP (issue 19, docs/extras-plan.md §2): every
// agent lists the shared replies and its own, and keeps its own; shared
// ones are a supervisor's to keep. Another agent's reply is answered as
// one that does not exist.

// DefaultMaxCanned bounds one scope's replies (-canned-max): the shared
// ones, or one agent's own.
const DefaultMaxCanned = 200

// maxCannedBody bounds a request: a reply of 2000 bytes, JSON-escaped.
const maxCannedBody = 16 << 10

type cannedIn struct {
	Shortcut string `json:"shortcut"`
	Text     string `json:"text"`
	Shared   bool   `json:"shared"`  // create only: a supervisor's reply for everyone
	Version  int64  `json:"version"` // edit only: the version read
}

type cannedOut struct {
	ID        string    `json:"id"`
	Shortcut  string    `json:"shortcut"`
	Text      string    `json:"text"`
	Shared    bool      `json:"shared"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
}

func cannedView(c store.Canned) cannedOut {
	return cannedOut{ID: c.ID, Shortcut: c.Shortcut, Text: c.Text, Shared: c.Owner == "", Version: c.Version, CreatedAt: c.CreatedAt}
}

// ListCanned serves GET /api/canned.
func (g *Gateway) ListCanned() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.agentCaller(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		list, err := g.cfg.Identity.Store.ListCanned(ctx, who.id)
		if err != nil {
			g.storeFailed(w, "list canned responses", err)
			return
		}
		out := struct {
			Canned []cannedOut `json:"canned"`
		}{Canned: make([]cannedOut, 0, len(list))}
		for _, c := range list {
			out.Canned = append(out.Canned, cannedView(c))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// readCanned decodes a request; on a bad one it has answered 400.
func readCanned(w http.ResponseWriter, r *http.Request) (cannedIn, bool) {
	return readBody[cannedIn](w, r, maxCannedBody, `expected JSON {"shortcut","text"}`)
}

// scope is whose replies a request about shared ones (or not) touches: a
// shared reply is "" and a supervisor's to change; false when who may
// not, answered 403.
func scope(w http.ResponseWriter, who caller, shared bool) (string, bool) {
	if !shared {
		return who.id, true
	}
	if !who.supervisor {
		writeError(w, http.StatusForbidden, "forbidden", "only supervisors keep the shared replies")
		return "", false
	}
	return "", true
}

// cannedOwner is the scope an edit of /api/canned/{id} touches: the
// caller's own, or the shared replies with ?shared=1 (supervisors only);
// false when it has answered.
func (g *Gateway) cannedOwner(w http.ResponseWriter, r *http.Request) (string, bool) {
	who, ok := g.agentCaller(w, r)
	if !ok {
		return "", false
	}
	return scope(w, who, r.URL.Query().Get("shared") == "1")
}

// CreateCanned serves POST /api/canned.
func (g *Gateway) CreateCanned() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.agentCaller(w, r)
		if !ok {
			return
		}
		in, ok := readCanned(w, r)
		if !ok {
			return
		}
		owner, ok := scope(w, who, in.Shared)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		n, err := g.cfg.Identity.Store.CountCanned(ctx, owner)
		if err != nil {
			g.storeFailed(w, "count canned responses", err)
			return
		}
		if max := g.maxCanned(); n >= max {
			writeError(w, http.StatusConflict, "too_many_replies", fmt.Sprintf("there are %d saved replies here already, the most allowed (-canned-max)", max))
			return
		}
		c, err := g.cfg.Identity.Store.CreateCanned(ctx, store.Canned{Owner: owner, Shortcut: in.Shortcut, Text: in.Text})
		if g.cannedStoreError(w, "create canned response", err) {
			return
		}
		writeJSON(w, http.StatusCreated, cannedView(c))
	})
}

// UpdateCanned serves PUT /api/canned/{id} (?shared=1 for a shared one).
func (g *Gateway) UpdateCanned() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		owner, ok := g.cannedOwner(w, r)
		if !ok {
			return
		}
		in, ok := readCanned(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		c, err := g.cfg.Identity.Store.UpdateCanned(ctx, store.Canned{ID: r.PathValue("id"), Owner: owner, Shortcut: in.Shortcut, Text: in.Text, Version: in.Version})
		if g.cannedStoreError(w, "update canned response", err) {
			return
		}
		writeJSON(w, http.StatusOK, cannedView(c))
	})
}

// DeleteCanned serves DELETE /api/canned/{id} (?shared=1 for a shared one).
func (g *Gateway) DeleteCanned() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		owner, ok := g.cannedOwner(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		if g.cannedStoreError(w, "delete canned response", g.cfg.Identity.Store.DeleteCanned(ctx, r.PathValue("id"), owner)) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// cannedStoreError answers a write's error, if any, and reports whether
// it did.
func (g *Gateway) cannedStoreError(w http.ResponseWriter, what string, err error) bool {
	return g.storeWriteError(w, what, err, writeWords{
		notFound: "no such saved reply", conflict: "the reply changed since it was read: read it again", nameTaken: "that shortcut is taken"})
}

func (g *Gateway) maxCanned() int {
	if g.cfg.MaxCanned > 0 {
		return g.cfg.MaxCanned
	}
	return DefaultMaxCanned
}
