package transport

import (
	"context"
	"errors"
	"net/http"

	"kefu/actors"
	"kefu/store"
)

// Labels and private notes over HTTP (issue 19, docs/protocol.md "Labels"
// and "note"). Labels are set here, on an open or an ended conversation
// alike, by whoever may read it (readableConversation: its agents and the
// supervisors); notes are written over the socket and read back here with
// the conversation.

// labelsBodyLimit bounds a labels request: MaxLabels labels of
// MaxLabelRunes characters, in JSON, with room to spare.
const labelsBodyLimit = 8 << 10

// SetLabels serves PUT /api/conversations/{id}/labels with
// {"labels":["refund","vip"]}: the conversation's labels from now on. It
// answers with them as stored (trimmed, lower case, sorted, once each).
func (g *Gateway) SetLabels() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conv, _, ok := g.readableConversation(w, r)
		if !ok {
			return
		}
		in, ok := readBody[struct {
			Labels []string `json:"labels"`
		}](w, r, labelsBodyLimit, `expected {"labels":["word", …]}`)
		if !ok {
			return
		}
		labels, err := store.NormalLabels(in.Labels)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_value", "labels are words of 1 to 32 characters without spaces or commas, at most 20")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		switch err := g.cfg.Identity.Store.SetLabels(ctx, conv.ID, labels); {
		case errors.Is(err, store.ErrNotFound):
			writeError(w, http.StatusNotFound, "not_found", "no such conversation")
			return
		case err != nil:
			g.storeFailed(w, "set labels", err)
			return
		}
		g.cfg.Log.Info("labels set", "conv", conv.ID, "labels", labels)
		writeJSON(w, http.StatusOK, map[string][]string{"labels": labels})
	})
}

// notesAndLabels reads a conversation's private notes, all of them, and
// its labels.
func (g *Gateway) notesAndLabels(ctx context.Context, conv string) ([]noteOut, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	stored, err := g.cfg.Identity.Store.Notes(ctx, conv, 0)
	if err != nil {
		return nil, nil, err
	}
	labels, err := g.cfg.Identity.Store.LabelsOf(ctx, []string{conv})
	if err != nil {
		return nil, nil, err
	}
	out := make([]noteOut, 0, len(stored)) // [] rather than null
	for _, n := range actors.NotesFromStored(stored) {
		out = append(out, note(&n))
	}
	return out, labels[conv], nil
}
