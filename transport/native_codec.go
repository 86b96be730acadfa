package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/actors"
)

// The native protocol: one JSON object per text frame, always with a
// "type". docs/protocol.md shows every frame; this file is the one place
// they are decoded and encoded.

// nativeIn holds every field any client frame may carry. Decoding into one
// struct keeps the envelope in one place; DecodeNative then checks that the
// fields the type needs are there.
type nativeIn struct {
	Type     string  `json:"type"`
	V        *int    `json:"v"`
	Role     string  `json:"role"`
	Token    string  `json:"token"`
	Name     string  `json:"name"`
	Conv     string  `json:"conv"`
	Text     *string `json:"text"`
	CID      string  `json:"cid"`
	Status   string  `json:"status"`
	Capacity *int    `json:"capacity"`
	To       *string `json:"to"`
	Note     string  `json:"note"`
	Seq      *uint64 `json:"seq"`
	Rating   *int    `json:"rating"`
	Before   uint64  `json:"before"`
	Limit    *int    `json:"limit"`
	// Resume maps a conversation id to the last sequence number the client
	// has of it.
	Resume map[string]uint64 `json:"resume"`
}

// Bounds on what a client may ask for in one frame.
const (
	maxCIDLen = 64
	maxResume = 1000
)

// NativeCodec speaks the native protocol.
type NativeCodec struct{}

var _ actors.Codec = NativeCodec{}

// Decode implements actors.Codec.
func (NativeCodec) Decode(frame []byte) (any, error) { return DecodeNative(frame) }

// DecodeNative parses one client frame into a command, or a FrameError that
// says what is wrong with it. Unknown fields are ignored, so newer clients
// can add some.
func DecodeNative(frame []byte) (any, error) {
	var in nativeIn
	if err := decodeObject(frame, &in); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, errTrailing):
			return nil, badFrame(actors.ErrCodeBadFrame, "expected one JSON object per frame")
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return nil, badFrame(actors.ErrCodeBadFrame, "field "+typeErr.Field+" has the wrong type")
		}
		return nil, badFrame(actors.ErrCodeBadFrame, "expected one JSON object with a \"type\"")
	}
	switch in.Type {
	case "":
		return nil, badFrame(actors.ErrCodeMissingField, `missing field "type"`)
	case "hello":
		return decodeHello(&in)
	case "msg":
		if in.Conv == "" || in.Text == nil || in.CID == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `msg needs "conv", "text" and "cid" (your id for the message, reused if you send it again)`)
		}
		if len(in.CID) > maxCIDLen {
			return nil, badFrame(actors.ErrCodeBadValue, "cid is longer than 64 bytes")
		}
		return &actors.CmdPost{Conv: actors.ConvID(in.Conv), Text: *in.Text, ClientID: in.CID}, nil
	case "typing":
		if in.Conv == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `typing needs "conv"`)
		}
		return &actors.CmdTyping{Conv: actors.ConvID(in.Conv)}, nil
	case "read":
		if in.Conv == "" || in.Seq == nil {
			return nil, badFrame(actors.ErrCodeMissingField, `read needs "conv" and "seq"`)
		}
		return &actors.CmdRead{Conv: actors.ConvID(in.Conv), Seq: *in.Seq}, nil
	case "end":
		if in.Conv == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `end needs "conv"`)
		}
		return &actors.CmdEnd{Conv: actors.ConvID(in.Conv)}, nil
	case "request":
		return &actors.CmdRequest{}, nil
	case "cancel":
		return &actors.CmdCancel{}, nil
	case "status":
		switch s := actors.Status(in.Status); s {
		case actors.StatusAvailable, actors.StatusAway:
			return &actors.CmdStatus{Status: s}, nil
		case "":
			return nil, badFrame(actors.ErrCodeMissingField, `status needs "status"`)
		default:
			return nil, badFrame(actors.ErrCodeBadValue, `status must be "available" or "away"`)
		}
	case "capacity":
		if in.Capacity == nil {
			return nil, badFrame(actors.ErrCodeMissingField, `capacity needs "capacity"`)
		}
		return &actors.CmdCapacity{Capacity: *in.Capacity}, nil
	case "transfer":
		if in.Conv == "" || in.To == nil || *in.To == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `transfer needs "conv" and "to" (an agent id, or "queue")`)
		}
		to := *in.To
		if to == "queue" {
			to = ""
		}
		if len(in.Note) > actors.MaxHandoffNote {
			return nil, badFrame(actors.ErrCodeBadValue, fmt.Sprintf("note is longer than %d bytes", actors.MaxHandoffNote))
		}
		return &actors.CmdTransfer{Conv: actors.ConvID(in.Conv), To: to, Note: in.Note}, nil
	case "agents":
		return &actors.CmdAgents{}, nil
	case "rate":
		if in.Conv == "" || in.Rating == nil {
			return nil, badFrame(actors.ErrCodeMissingField, `rate needs "conv" and "rating" (1 to 5)`)
		}
		if *in.Rating < actors.MinRating || *in.Rating > actors.MaxRating {
			return nil, badFrame(actors.ErrCodeBadValue, "rating must be between 1 and 5")
		}
		return &actors.CmdRate{Conv: actors.ConvID(in.Conv), Rating: *in.Rating}, nil
	case "history":
		if in.Conv == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `history needs "conv"`)
		}
		h := &actors.CmdHistory{Conv: actors.ConvID(in.Conv), Before: in.Before}
		if in.Limit != nil {
			if *in.Limit < 1 {
				return nil, badFrame(actors.ErrCodeBadValue, "limit must be 1 or more")
			}
			h.Limit = *in.Limit
		}
		return h, nil
	case "ping":
		return &actors.CmdPing{}, nil
	case "pong":
		return &actors.CmdPong{}, nil
	}
	return nil, badFrame(actors.ErrCodeUnknownType, "unknown type "+quote(in.Type))
}

func decodeHello(in *nativeIn) (any, error) {
	if in.V == nil {
		return nil, badFrame(actors.ErrCodeMissingField, `hello needs "v" (the protocol version, 1)`)
	}
	h := &actors.CmdHello{Version: *in.V, Token: in.Token, Name: in.Name}
	if len(in.Resume) > maxResume {
		return nil, badFrame(actors.ErrCodeBadValue, "resume names too many conversations")
	}
	if len(in.Resume) > 0 {
		h.Resume = make(map[actors.ConvID]uint64, len(in.Resume))
		for conv, seq := range in.Resume {
			h.Resume[actors.ConvID(conv)] = seq
		}
	}
	switch in.Role {
	case "agent":
		h.Role = actors.RoleAgent
		if in.Token == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `an agent's hello needs "token" (from POST /api/login)`)
		}
	case "customer":
		h.Role = actors.RoleCustomer
		if in.Token == "" && in.Name == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `a customer's hello needs "name" (new) or "token" (resume)`)
		}
	case "":
		return nil, badFrame(actors.ErrCodeMissingField, `hello needs "role"`)
	default:
		return nil, badFrame(actors.ErrCodeBadValue, `role must be "agent" or "customer"`)
	}
	return h, nil
}

func badFrame(code, message string) error { return &actors.FrameError{Code: code, Message: message} }

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// Frames the server sends.
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
	}
)

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
	return msgOut{Type: "msg", Conv: string(m.Conv), Seq: m.Seq, From: *party(m.From), Text: m.Text, CID: m.ClientID, At: m.At.UTC()}
}

// messages turns a page of history into msg objects, [] for none.
func messages(ms []actors.ConvMessage) []msgOut {
	out := make([]msgOut, len(ms))
	for i := range ms {
		out[i] = message(&ms[i])
	}
	return out
}

// Encode implements actors.Codec.
func (NativeCodec) Encode(msg any) []byte {
	var out any
	switch m := msg.(type) {
	case *actors.Welcome:
		w := struct {
			Type      string    `json:"type"`
			V         int       `json:"v"`
			You       *partyOut `json:"you"`
			Token     string    `json:"token,omitempty"`
			Status    string    `json:"status,omitempty"`
			Capacity  int       `json:"capacity,omitempty"`
			MaxCap    int       `json:"maxCapacity,omitempty"`
			State     string    `json:"state,omitempty"`
			Heartbeat int64     `json:"heartbeatMs"`
			MaxText   int       `json:"maxTextBytes,omitempty"`
		}{"welcome", actors.ProtocolVersion, party(m.You), m.Token, string(m.Status), m.Capacity, m.MaxCapacity, m.State, m.Heartbeat.Milliseconds(), m.MaxTextBytes}
		out = w
	case *actors.Queued:
		var eta *int64 // null: no agent is available, so no honest estimate
		if m.ETA >= 0 {
			secs := int64(m.ETA.Seconds())
			eta = &secs
		}
		out = struct {
			Type     string `json:"type"`
			Position int    `json:"position"`
			ETA      *int64 `json:"eta"`
			Reason   string `json:"reason,omitempty"` // only when the position moved back
		}{"queued", m.Position, eta, m.Moved}
	case *actors.Dequeued:
		out = struct {
			Type string `json:"type"`
		}{"dequeued"}
	case *actors.ConvOpened:
		out = struct {
			Type     string       `json:"type"`
			Conv     string       `json:"conv"`
			Why      string       `json:"why"`
			Customer *partyOut    `json:"customer"`
			Agent    *partyOut    `json:"agent"`
			After    uint64       `json:"after"`
			History  []msgOut     `json:"history"`
			More     bool         `json:"more,omitempty"`
			Reads    []readOut    `json:"reads,omitempty"`
			Handoffs []handoffOut `json:"handoffs,omitempty"`
		}{"conv", string(m.Conv), m.Why, party(m.Customer), party(m.Agent), m.After, messages(m.History), m.More, reads(m.Reads), handoffs(m.Handoffs)}
	case *actors.History:
		out = struct {
			Type    string   `json:"type"`
			Conv    string   `json:"conv"`
			Before  uint64   `json:"before"`
			History []msgOut `json:"history"`
			More    bool     `json:"more"`
		}{"history", string(m.Conv), m.Before, messages(m.Messages), m.More}
	case *actors.Ack:
		out = struct {
			Type string    `json:"type"`
			Conv string    `json:"conv"`
			CID  string    `json:"cid"`
			Seq  uint64    `json:"seq"`
			At   time.Time `json:"at"`
		}{"ack", string(m.Conv), m.ClientID, m.Seq, m.At.UTC()}
	case *actors.ReadNotice:
		out = struct {
			Type string    `json:"type"`
			Conv string    `json:"conv"`
			By   *partyOut `json:"by"`
			Seq  uint64    `json:"seq"`
		}{"read", string(m.Conv), party(m.By), m.Seq}
	case *actors.ConvMessage:
		if m.Conv == "" {
			return nil // a compat-only echo
		}
		out = message(m)
	case *actors.TypingNotice:
		out = struct {
			Type string    `json:"type"`
			Conv string    `json:"conv"`
			From *partyOut `json:"from"`
		}{"typing", string(m.Conv), party(m.From)}
	case *actors.AgentChanged:
		out = struct {
			Type  string    `json:"type"`
			Conv  string    `json:"conv"`
			Agent *partyOut `json:"agent"`
		}{"agent", string(m.Conv), party(m.Agent)}
	case *actors.Requeued:
		out = struct {
			Type   string `json:"type"`
			Conv   string `json:"conv"`
			Reason string `json:"reason"`
		}{"requeued", string(m.Conv), m.Reason}
	case *actors.ConvClosed:
		out = struct {
			Type   string    `json:"type"`
			Conv   string    `json:"conv"`
			By     *partyOut `json:"by"`
			Reason string    `json:"reason"`
		}{"ended", string(m.Conv), party(m.By), m.Reason}
	case *actors.AgentState:
		out = struct {
			Type     string `json:"type"`
			Status   string `json:"status"`
			Capacity int    `json:"capacity"`
		}{"state", string(m.Status), m.Capacity}
	case *actors.AgentList:
		type agentOut struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Status   string `json:"status"`
			Load     int    `json:"load"`
			Capacity int    `json:"capacity"`
		}
		list := make([]agentOut, 0, len(m.Agents))
		for _, a := range m.Agents {
			list = append(list, agentOut{a.ID, a.Name, string(a.Status), a.Load, a.Capacity})
		}
		out = struct {
			Type   string     `json:"type"`
			Agents []agentOut `json:"agents"`
		}{"agents", list}
	case *actors.FrameError:
		out = struct {
			Type    string `json:"type"`
			Code    string `json:"code"`
			Message string `json:"message"`
			CID     string `json:"cid,omitempty"`
		}{"error", m.Code, m.Message, m.Ref}
	case *actors.Rated:
		out = struct {
			Type   string `json:"type"`
			Conv   string `json:"conv"`
			Rating int    `json:"rating"`
		}{"rated", string(m.Conv), m.Rating}
	case *actors.Heartbeat:
		out = struct {
			Type string `json:"type"`
		}{"ping"}
	case *actors.Pong:
		out = struct {
			Type string `json:"type"`
		}{"pong"}
	default:
		return nil // *Kick: the close frame says it all
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil // unreachable: these types always marshal
	}
	return b
}
