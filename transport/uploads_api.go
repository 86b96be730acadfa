package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"kefu/attach"
	"kefu/auth"
	"kefu/store"
)

// Attachments over HTTP (issue 19, docs/protocol.md "Attachments"):
//
//	POST /api/uploads?conv=ID&name=NAME   the file's bytes as the body
//	GET  /api/files/{blob}                the file, to members and supervisors
//
// Both take the caller's token as a bearer token: an agent's login token
// or a customer's resume token. An upload answers with a reference that a
// msg frame's "file" carries (attach.Refs): the message is stored, acked
// and resent like any message.

// UploadsConfig is what the upload API needs.
type UploadsConfig struct {
	Refs     *attach.Refs
	MaxBytes int64         // -upload-max
	Types    attach.Types  // -upload-types
	Timeout  time.Duration // -upload-timeout: to receive an upload's body
}

// DefaultUploadTimeout: 10 MiB at 1 Mbit/s takes about 90 s.
const DefaultUploadTimeout = 2 * time.Minute

// uploadsPath is the upload route, whose body has bounds of its own
// (body_limits.go).
const uploadsPath = "/api/uploads"

// fileCaller is who a file request's bearer token says is asking.
type fileCaller struct {
	id         string
	customer   bool
	supervisor bool
}

// fileCaller checks the bearer token: a customer's resume token, or an
// agent's login token with its account as it is now. It answers a refusal
// itself.
func (g *Gateway) fileCaller(w http.ResponseWriter, r *http.Request) (fileCaller, bool) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c, err := g.cfg.Identity.Signer.Verify(token); err == nil && c.Role == auth.RoleCustomer {
		return fileCaller{id: c.Subject, customer: true}, true
	}
	who, ok := g.agentCaller(w, r) // answers 401 for anything else
	return fileCaller{id: who.id, supervisor: who.supervisor}, ok
}

// Upload serves POST /api/uploads: a member of an open conversation (its
// customer, or the agent serving it) uploads a file to it. The type is
// sniffed from the bytes, never taken from the name or the request.
func (g *Gateway) Upload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.fileCaller(w, r)
		if !ok {
			return
		}
		up := g.cfg.Uploads
		q := r.URL.Query()
		name, err := store.CleanFileName(q.Get("name"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_value", fmt.Sprintf("name must be the file's name, 1 to %d characters", store.MaxFileNameRunes))
			return
		}
		if r.ContentLength > up.MaxBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", tooLarge(up.MaxBytes))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		conv, err := g.startedConversation(ctx, q.Get("conv"))
		member := err == nil && (who.customer && conv.CustomerID == who.id || !who.customer && conv.AgentID == who.id)
		switch {
		case err != nil && !errors.Is(err, store.ErrNotFound):
			g.storeFailed(w, "read conversation", err)
			return
		case !member:
			writeError(w, http.StatusNotFound, "not_found", "no such conversation of yours")
			return
		case !conv.EndedAt.IsZero():
			writeError(w, http.StatusConflict, "conversation_ended", "the conversation has ended")
			return
		}
		body := http.MaxBytesReader(w, r.Body, up.MaxBytes)
		head := make([]byte, attach.SniffLen)
		n, err := io.ReadFull(body, head)
		head = head[:n]
		if n == 0 || (err != nil && !errors.Is(err, io.ErrUnexpectedEOF)) {
			g.uploadRefused(w, err, up.MaxBytes)
			return
		}
		typ := attach.Sniff(head)
		if !up.Types.Allows(typ) {
			writeError(w, http.StatusUnsupportedMediaType, "bad_type", fmt.Sprintf("files of type %s are not accepted; these are: %s", typ, up.Types))
			return
		}
		ctx, cancel = context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		b, err := g.cfg.Identity.Store.PutBlob(ctx, store.Blob{Conv: conv.ID, By: who.id, Name: name, Type: typ}, io.MultiReader(bytes.NewReader(head), body))
		if err != nil {
			g.uploadRefused(w, err, up.MaxBytes)
			return
		}
		g.cfg.Log.Info("file uploaded", "conv", conv.ID, "by", who.id, "blob", b.ID, "type", b.Type, "bytes", b.Size)
		writeJSON(w, http.StatusCreated, map[string]any{
			"file": up.Refs.Sign(attach.File{Blob: b.ID, Conv: b.Conv, By: b.By, Name: b.Name, Type: b.Type, Size: b.Size}),
			"blob": b.ID, "name": b.Name, "type": b.Type, "size": b.Size,
		})
	})
}

// uploadRefused answers an upload whose body could not be read whole (or
// at all), or stored.
func (g *Gateway) uploadRefused(w http.ResponseWriter, err error, max int64) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", tooLarge(max))
	case err == nil || errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "empty_file", "the file is empty")
	case errors.Is(err, store.ErrInvalid):
		writeError(w, http.StatusBadRequest, "bad_value", "the file cannot be kept as named")
	default:
		g.storeFailed(w, "store upload", err)
	}
}

func tooLarge(max int64) string {
	return fmt.Sprintf("files are at most %.1f MiB", float64(max)/(1<<20))
}

// File serves GET /api/files/{blob}: to the conversation's customer, the
// agents who served it, and supervisors. Pictures are shown inline,
// anything else is a download; the type is the sniffed one, and the
// page's security headers stay (nosniff, the CSP).
func (g *Gateway) File() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.fileCaller(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		b, rc, err := g.cfg.Identity.Store.OpenBlob(ctx, r.PathValue("blob"))
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "not_found", "no such file")
			return
		}
		if err != nil {
			g.storeFailed(w, "open file", err)
			return
		}
		defer rc.Close()
		if ok, err := g.mayRead(ctx, who, b.Conv); err != nil {
			g.storeFailed(w, "read conversation", err)
			return
		} else if !ok {
			writeError(w, http.StatusNotFound, "not_found", "no such file")
			return
		}
		disposition := "attachment"
		if attach.Inline(b.Type) {
			disposition = "inline"
		}
		w.Header().Set("Content-Type", b.Type)
		w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": b.Name}))
		w.Header().Set("Cache-Control", "private, max-age=86400")
		http.ServeContent(w, r, "", b.At, rc)
	})
}

// mayRead reports whether who may read conversation conv's files: its
// customer, an agent who served it, a supervisor.
func (g *Gateway) mayRead(ctx context.Context, who fileCaller, conv string) (bool, error) {
	if who.supervisor {
		return true, nil
	}
	c, err := g.cfg.Identity.Store.Conversation(ctx, conv)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if who.customer {
		return c.CustomerID == who.id, nil
	}
	events, err := g.cfg.Identity.Store.ConvEvents(ctx, conv)
	if err != nil {
		return false, err
	}
	return servedBy(c, events, who.id), nil
}

// startedWait is how long an upload waits for its conversation's record:
// a conversation tells its parties it has begun as its record is being
// written, so a file sent at once may arrive first.
const startedWait = 2 * time.Second

// startedConversation reads a conversation's record, waiting up to
// startedWait for one not stored yet.
func (g *Gateway) startedConversation(ctx context.Context, id string) (store.Conversation, error) {
	deadline := time.Now().Add(startedWait)
	for {
		c, err := g.cfg.Identity.Store.Conversation(ctx, id)
		if !errors.Is(err, store.ErrNotFound) || time.Now().After(deadline) || id == "" {
			return c, err
		}
		select {
		case <-ctx.Done():
			return c, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}
