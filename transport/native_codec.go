package transport

import (
	"encoding/json"
	"errors"
	"fmt"

	"kefu/actors"
)

// The native protocol: one JSON object per text frame, always with a
// "type". docs/protocol.md shows every frame; this file is the one place
// they are decoded, native_encode.go the one they are encoded.

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
