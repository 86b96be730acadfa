package transport

import (
	"bytes"
	"encoding/json"

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
// work against this server unchanged.
type CompatCodec struct{}

var _ actors.Codec = CompatCodec{}

// DecodeCompat parses one client frame of the tutorial's protocol. Unknown
// fields are ignored, as the tutorial's server ignored them; a frame that is
// not a JSON object with a string neiRong is refused.
func DecodeCompat(frame []byte) (*actors.Say, error) {
	var in compatIn
	dec := json.NewDecoder(bytes.NewReader(frame))
	if err := dec.Decode(&in); err != nil {
		return nil, &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: `expected JSON {"neiRong":"text"}`}
	}
	if dec.More() {
		return nil, &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: "expected one JSON object per frame"}
	}
	if in.NeiRong == nil {
		return nil, &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: `missing field "neiRong"`}
	}
	return &actors.Say{Text: *in.NeiRong}, nil
}

// Decode implements actors.Codec.
func (CompatCodec) Decode(frame []byte) (any, error) {
	say, err := DecodeCompat(frame)
	if err != nil {
		return nil, err
	}
	return say, nil
}

// Encode implements actors.Codec.
func (CompatCodec) Encode(msg any) []byte {
	var out compatOut
	switch m := msg.(type) {
	case *actors.ChatLine:
		out = compatOut{NeiRong: m.Text, ShuiFaDe: m.FromName}
	case *actors.Notice:
		out = compatOut{NeiRong: compatNotice(m), ShuiFaDe: compatSystemSender}
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

// compatNotice renders a notice exactly as the tutorial words it.
func compatNotice(n *actors.Notice) string {
	switch n.Kind {
	case actors.NoticeAgentAssigned:
		return "客服-" + n.Name + "-将为您服务"
	case actors.NoticeCustomerJoined:
		return "用户-" + n.Name + "-已进入房间"
	case actors.NoticeCustomerLeft:
		return "用户-" + n.Name + "-已退出房间"
	case actors.NoticeAgentLeft:
		return "客服-" + n.Name + "-已退出房间"
	}
	return ""
}
