package transport

import (
	"encoding/json"
	"errors"

	"kefu/actors"
)

// The native protocol: one JSON object per text frame, always with a
// "type". docs/protocol.md shows every frame; this file is the one place
// they are decoded (each type's checks in native_commands.go),
// native_encode.go the one they are encoded.

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
	File     string  `json:"file"` // a msg's upload reference (uploads_api.go)
	CID      string  `json:"cid"`
	Status   string  `json:"status"`
	Capacity *int    `json:"capacity"`
	To       *string `json:"to"`
	Note     string  `json:"note"`
	Seq      *uint64 `json:"seq"`
	Rating   *int    `json:"rating"`
	Before   uint64  `json:"before"`
	Limit    *int    `json:"limit"`
	Team     string  `json:"team"`
	Email    string  `json:"email"`
	Lang     string  `json:"lang"`
	After    uint64  `json:"after"`
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
		return nil, envelopeError(err)
	}
	return decodeCommand(&in)
}

// envelopeError says why a frame is not one JSON object of the right shape.
func envelopeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errTrailing):
		return badFrame(actors.ErrCodeBadFrame, "expected one JSON object per frame")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return badFrame(actors.ErrCodeBadFrame, "field "+typeErr.Field+" has the wrong type")
	}
	return badFrame(actors.ErrCodeBadFrame, "expected one JSON object with a \"type\"")
}

// decodeCommand turns a decoded envelope into the command its type names,
// each type's checks in a function of its own (native_commands.go).
func decodeCommand(in *nativeIn) (any, error) {
	switch in.Type {
	case "":
		return nil, badFrame(actors.ErrCodeMissingField, `missing field "type"`)
	case frameHello:
		return decodeHello(in)
	case frameMsg:
		return decodeMsg(in)
	case frameTyping:
		return decodeTyping(in)
	case frameRead:
		return decodeRead(in)
	case frameEnd:
		return decodeEnd(in)
	case frameRequest:
		return decodeRequest(in)
	case frameCancel:
		return &actors.CmdCancel{}, nil
	case frameStatus:
		return decodeStatus(in)
	case frameCapacity:
		return decodeCapacity(in)
	case frameTransfer:
		return decodeTransfer(in)
	case frameAgents:
		return &actors.CmdAgents{}, nil
	case frameRate:
		return decodeRate(in)
	case frameHistory:
		return decodeHistory(in)
	case frameLeave:
		return decodeLeave(in)
	case frameInbox:
		return decodeInbox(in)
	case frameTake:
		return decodeTake(in)
	case frameNote:
		return decodeNote(in)
	case framePing:
		return &actors.CmdPing{}, nil
	case framePong:
		return &actors.CmdPong{}, nil
	}
	return nil, badFrame(actors.ErrCodeUnknownType, "unknown type "+quote(in.Type))
}

func badFrame(code, message string) error { return &actors.FrameError{Code: code, Message: message} }

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
