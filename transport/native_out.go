package transport

import (
	"slices"
	"strings"
	"time"

	"kefu/actors"
	"kefu/store"
)

// The pieces several server frames of the native protocol share: a party,
// a message, a read mark and a hand-off, as encoded for the wire
// (docs/protocol.md). The frames themselves are in native_out_session.go
// and native_out_conv.go.

type (
	partyOut struct {
		ID   string `json:"id"`
		Role string `json:"role,omitempty"`
		Name string `json:"name"`
	}
	msgOut struct {
		Type string    `json:"type"`
		Conv string    `json:"conv,omitempty"`
		Seq  uint64    `json:"seq,omitempty"`
		From partyOut  `json:"from"`
		Text string    `json:"text"`
		CID  string    `json:"cid,omitempty"`
		At   time.Time `json:"at"`
		File *fileOut  `json:"file,omitempty"`
	}
	// fileOut is the upload a msg shows; its text is the file's name.
	fileOut struct {
		Blob string `json:"blob"`
		Name string `json:"name"`
		Type string `json:"type"`
		Size int64  `json:"size"`
	}
)

// file is the msg's file object, nil for a text message.
func file(name string, f store.FileRef) *fileOut {
	if f.ID == "" {
		return nil
	}
	return &fileOut{Blob: f.ID, Name: name, Type: f.Type, Size: f.Size}
}

type readOut struct {
	By  string `json:"by"`
	Seq uint64 `json:"seq"`
}

// handoffOut is one hand-off in a conv frame to an agent: to is null for
// a trip back to the queue.
type handoffOut struct {
	By   *partyOut `json:"by"`
	To   *partyOut `json:"to"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

func handoffs(hs []actors.Handoff) []handoffOut {
	if len(hs) == 0 {
		return nil
	}
	out := make([]handoffOut, len(hs))
	for i, h := range hs {
		out[i] = handoffOut{By: party(h.By), To: party(h.To), Note: h.Note, At: h.At.UTC()}
	}
	return out
}

// reads lists read marks in a stable order.
func reads(marks map[string]uint64) []readOut {
	out := make([]readOut, 0, len(marks))
	for by, seq := range marks {
		out = append(out, readOut{By: by, Seq: seq})
	}
	slices.SortFunc(out, func(a, b readOut) int { return strings.Compare(a.By, b.By) })
	return out
}

func party(p actors.Party) *partyOut {
	if p.ID == "" {
		return nil
	}
	return &partyOut{ID: p.ID, Role: p.Role.String(), Name: p.Name}
}

func message(m *actors.ConvMessage) msgOut {
	return msgOut{Type: frameMsg, Conv: string(m.Conv), Seq: m.Seq, From: *party(m.From), Text: m.Text, CID: m.ClientID, At: m.At.UTC(), File: file(m.Text, m.File)}
}

// messages turns a page of history into msg objects, [] for none.
func messages(ms []actors.ConvMessage) []msgOut {
	out := make([]msgOut, len(ms))
	for i := range ms {
		out[i] = message(&ms[i])
	}
	return out
}
