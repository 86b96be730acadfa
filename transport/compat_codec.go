package transport

import (
	"bytes"
	"encoding/json"
	"errors"

	"kefu/actors"
)

// The tutorial's wire format: the client sends {"neiRong": text}; the server
// sends {"neiRong": text, "shuiFaDe": sender}. System notices come from the
// sender 系统, and the order to leave is {"neiRong":"close","shuiFaDe":"code"}.
const (
	compatSystemSender = "系统"
	compatCodeSender   = "code"
	compatCloseCommand = "close"
)

// compatIn is the tutorial's only client frame.
type compatIn struct {
	NeiRong *string `json:"neiRong"`
}

// compatOut is the tutorial's only server frame; the field order is the
// tutorial's.
type compatOut struct {
	NeiRong  string `json:"neiRong"`
	ShuiFaDe string `json:"shuiFaDe"`
}

// CompatCodec speaks the tutorial's protocol, so the tutorial's own pages
// work against this server unchanged. Role is the side of the connection:
// the tutorial words each notice for the one who reads it.
type CompatCodec struct{ Role actors.Role }

var _ actors.Codec = CompatCodec{}

// DecodeCompat parses one client frame of the tutorial's protocol. Unknown
// fields are ignored, as the tutorial's server ignored them; a frame that is
// not a JSON object with a string neiRong is refused.
func DecodeCompat(frame []byte) (*actors.CmdSay, error) {
	var in compatIn
	if err := decodeObject(frame, &in); err != nil {
		if errors.Is(err, errTrailing) {
			return nil, &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: "expected one JSON object per frame"}
		}
		return nil, &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: `expected JSON {"neiRong":"text"}`}
	}
	if in.NeiRong == nil {
		return nil, &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: `missing field "neiRong"`}
	}
	return &actors.CmdSay{Text: *in.NeiRong}, nil
}

// Decode implements actors.Codec.
func (CompatCodec) Decode(frame []byte) (any, error) {
	say, err := DecodeCompat(frame)
	if err != nil {
		return nil, err
	}
	return say, nil
}

// Encode implements actors.Codec. What the tutorial has no words for
// (welcome, heartbeats, queue positions) it does not hear about.
func (c CompatCodec) Encode(msg any) []byte {
	var out compatOut
	switch m := msg.(type) {
	case *actors.ConvMessage:
		out = compatOut{NeiRong: m.Text, ShuiFaDe: m.From.Name}
	case *actors.ConvOpened:
		if c.Role == actors.RoleCustomer {
			out = compatOut{NeiRong: "客服-" + m.Agent.Name + "-将为您服务", ShuiFaDe: compatSystemSender}
		} else {
			out = compatOut{NeiRong: "用户-" + m.Customer.Name + "-已进入房间", ShuiFaDe: compatSystemSender}
		}
	case *actors.ConvClosed:
		if c.Role == actors.RoleCustomer {
			if m.Reason != actors.ReasonAgentLeft {
				return nil
			}
			out = compatOut{NeiRong: "客服-" + m.Other.Name + "-已退出房间", ShuiFaDe: compatSystemSender}
		} else {
			out = compatOut{NeiRong: "用户-" + m.Other.Name + "-已退出房间", ShuiFaDe: compatSystemSender}
		}
	case *actors.Kick:
		if m.Reason != actors.DisconnectAgentLeft {
			return nil // the tutorial only ever sends "close" when the agent leaves
		}
		out = compatOut{NeiRong: compatCloseCommand, ShuiFaDe: compatCodeSender}
	case *actors.FrameError:
		// The tutorial has no error frame; a system line is the one thing
		// its pages show, so the error reaches the person who caused it.
		out = compatOut{NeiRong: "错误：" + m.Message + " (" + m.Code + ")", ShuiFaDe: compatSystemSender}
	default:
		return nil
	}
	// Byte for byte what the tutorial's JSON.stringify sends: no HTML
	// escaping (pages must render text as text anyway) and no newline.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil // unreachable: two strings always encode
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
