package transport

import (
	"time"

	"kefu/actors"
)

// Private notes in the native protocol (issue 19, docs/protocol.md
// "note"): an agent sends {"type":"note","conv","text","cid"}; every tab
// of the conversation's agent gets the stored note as a "note" frame, and
// conv frames to agents carry the newest in "notes". A customer's socket
// never gets either (actors/conversation_notes.go).

func decodeNote(in *nativeIn) (any, error) {
	if in.Conv == "" || in.Text == nil || in.CID == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `note needs "conv", "text" and "cid" (your id for the note, reused if you send it again)`)
	}
	if len(in.CID) > maxCIDLen {
		return nil, badFrame(actors.ErrCodeBadValue, "cid is longer than 64 bytes")
	}
	return &actors.CmdNote{Conv: actors.ConvID(in.Conv), Text: *in.Text, ClientID: in.CID}, nil
}

// noteOut is a note, alone (Type "note") or in a conv frame (no Type).
type noteOut struct {
	Type  string    `json:"type,omitempty"`
	Conv  string    `json:"conv,omitempty"`
	N     uint64    `json:"n"`
	From  *partyOut `json:"from"`
	Text  string    `json:"text"`
	CID   string    `json:"cid,omitempty"`
	After uint64    `json:"after"`
	At    time.Time `json:"at"`
}

func note(n *actors.ConvNote) noteOut {
	return noteOut{N: n.N, From: party(n.By), Text: n.Text, CID: n.ClientID, After: n.After, At: n.At.UTC()}
}

func noteFrame(m *actors.NoteAdded) noteOut {
	out := note(&m.Note)
	out.Type, out.Conv = frameNote, string(m.Conv)
	return out
}

func notes(ns []actors.ConvNote) []noteOut {
	if len(ns) == 0 {
		return nil
	}
	out := make([]noteOut, len(ns))
	for i := range ns {
		out[i] = note(&ns[i])
	}
	return out
}
