package transport

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"kefu/actors"
)

// decodeErrorCodes are the codes DecodeNative may refuse a frame with
// (docs/protocol.md, "Errors for any frame" and the hello table). The
// others belong to the connection, which knows the client's state.
var decodeErrorCodes = map[string]bool{
	actors.ErrCodeBadFrame:     true,
	actors.ErrCodeMissingField: true,
	actors.ErrCodeBadValue:     true,
	actors.ErrCodeUnknownType:  true,
}

// maxDecodeMessage bounds an error message: the longest fixed one is about
// 110 bytes, and client data reaches a message only through quote, which
// cuts it at 40 bytes. A longer message would be echoing the frame back.
const maxDecodeMessage = 160

// FuzzDecodeNative checks that every frame either decodes to a command that
// has what its type needs, within the limits the decoder owns, or is refused
// with a FrameError the client can be shown. A decoded command must survive
// a trip through its canonical frame unchanged, so nothing in it depends on
// how the client happened to spell the frame. Seeds: testdata/fuzz/
// FuzzDecodeNative, written from docs/protocol.md by TestWriteSeedCorpora.
func FuzzDecodeNative(f *testing.F) {
	f.Fuzz(func(t *testing.T, frame []byte) {
		cmd, err := DecodeNative(frame)
		if again, againErr := (NativeCodec{}).Decode(frame); !reflect.DeepEqual(again, cmd) || !reflect.DeepEqual(againErr, err) {
			t.Fatalf("NativeCodec.Decode=%#v, %v; DecodeNative=%#v, %v", again, againErr, cmd, err)
		}
		if err != nil {
			checkDecodeError(t, frame, cmd, err)
			return
		}
		if !json.Valid(frame) {
			t.Fatalf("accepted a frame that is not one JSON value: %q -> %#v", frame, cmd)
		}
		checkCommand(t, cmd)
		canonical := nativeFrameOf(t, cmd)
		back, err := DecodeNative(canonical)
		if err != nil || !reflect.DeepEqual(back, cmd) {
			t.Fatalf("%#v re-encoded as %s decodes to %#v, %v", cmd, canonical, back, err)
		}
	})
}

// checkDecodeError checks a refusal is one the protocol documents.
func checkDecodeError(t *testing.T, frame []byte, cmd any, err error) {
	t.Helper()
	if cmd != nil {
		t.Fatalf("both a command %#v and an error %v", cmd, err)
	}
	fe, ok := err.(*actors.FrameError)
	switch {
	case !ok:
		t.Fatalf("error %T %v, want *actors.FrameError", err, err)
	case !decodeErrorCodes[fe.Code]:
		t.Fatalf("error code %q is not one the decoder documents", fe.Code)
	case fe.Message == "" || !utf8.ValidString(fe.Message) || len(fe.Message) > maxDecodeMessage:
		t.Fatalf("error message %q: want short, non-empty UTF-8", fe.Message)
	case fe.Ref != "":
		t.Fatalf("error names a message (%q) before any was accepted", fe.Ref)
	case !json.Valid(frame) && fe.Code != actors.ErrCodeBadFrame:
		t.Fatalf("a frame that is not JSON got %s, want %s", fe.Code, actors.ErrCodeBadFrame)
	case fe.Code == actors.ErrCodeUnknownType && !strings.HasPrefix(fe.Message, `unknown type "`):
		t.Fatalf("unknown_type message %q does not name the type", fe.Message)
	}
}

// checkCommand checks a decoded command has what its type requires.
func checkCommand(t *testing.T, cmd any) {
	t.Helper()
	var strs []string
	switch c := cmd.(type) {
	case *actors.CmdHello:
		switch {
		case c.Role == actors.RoleAgent && c.Token == "":
			t.Fatalf("agent hello without a token: %#v", c)
		case c.Role == actors.RoleCustomer && c.Token == "" && c.Name == "":
			t.Fatalf("customer hello with neither token nor name: %#v", c)
		case c.Role != actors.RoleAgent && c.Role != actors.RoleCustomer:
			t.Fatalf("hello with role %v", c.Role)
		case len(c.Resume) > maxResume:
			t.Fatalf("resume with %d entries, limit %d", len(c.Resume), maxResume)
		}
		strs = append(strs, c.Token, c.Name)
		for conv := range c.Resume {
			strs = append(strs, string(conv))
		}
	case *actors.CmdPost:
		switch {
		case c.Conv == "" || c.ClientID == "":
			t.Fatalf("msg without conv or cid: %#v", c)
		case len(c.ClientID) > maxCIDLen:
			t.Fatalf("cid of %d bytes, limit %d", len(c.ClientID), maxCIDLen)
		}
		// The text limit is the connection's (it answers text_too_long),
		// so FuzzConnection checks it.
		strs = append(strs, string(c.Conv), c.Text, c.ClientID)
	case *actors.CmdTyping:
		strs = append(strs, nonEmpty(t, "typing conv", string(c.Conv)))
	case *actors.CmdRead:
		strs = append(strs, nonEmpty(t, "read conv", string(c.Conv)))
	case *actors.CmdEnd:
		strs = append(strs, nonEmpty(t, "end conv", string(c.Conv)))
	case *actors.CmdStatus:
		if c.Status != actors.StatusAvailable && c.Status != actors.StatusAway {
			t.Fatalf("status %q", c.Status)
		}
	case *actors.CmdTransfer:
		strs = append(strs, nonEmpty(t, "transfer conv", string(c.Conv)), c.To)
		if c.To == "queue" {
			t.Fatal(`transfer to "queue" must mean the queue (To ""), not an agent named queue`)
		}
	case *actors.CmdRate:
		strs = append(strs, nonEmpty(t, "rate conv", string(c.Conv)))
		if c.Rating < actors.MinRating || c.Rating > actors.MaxRating {
			t.Fatalf("rating %d outside 1..5", c.Rating)
		}
	case *actors.CmdHistory:
		strs = append(strs, nonEmpty(t, "history conv", string(c.Conv)))
		if c.Limit < 0 {
			t.Fatalf("history limit %d", c.Limit)
		}
	case *actors.CmdCapacity, *actors.CmdRequest, *actors.CmdCancel, *actors.CmdAgents, *actors.CmdPing, *actors.CmdPong:
	default:
		t.Fatalf("decoded to %T, not a command", cmd)
	}
	// encoding/json turns bad bytes and lone surrogates into U+FFFD, so a
	// client cannot smuggle invalid UTF-8 through an escape either.
	for _, s := range strs {
		if !utf8.ValidString(s) {
			t.Fatalf("decoded string %q is not valid UTF-8", s)
		}
	}
}

func nonEmpty(t *testing.T, what, s string) string {
	t.Helper()
	if s == "" {
		t.Fatalf("%s is empty", what)
	}
	return s
}

// nativeFrameOf is the frame a well-behaved client sends for cmd: the
// fields docs/protocol.md shows, spelled as it shows them.
func nativeFrameOf(t *testing.T, cmd any) []byte {
	t.Helper()
	var out map[string]any
	switch c := cmd.(type) {
	case *actors.CmdHello:
		out = map[string]any{"type": "hello", "v": c.Version, "role": c.Role.String()}
		if c.Token != "" {
			out["token"] = c.Token
		}
		if c.Name != "" {
			out["name"] = c.Name
		}
		if len(c.Resume) > 0 {
			out["resume"] = c.Resume
		}
	case *actors.CmdPost:
		out = map[string]any{"type": "msg", "conv": c.Conv, "text": c.Text, "cid": c.ClientID}
	case *actors.CmdTyping:
		out = map[string]any{"type": "typing", "conv": c.Conv}
	case *actors.CmdRead:
		out = map[string]any{"type": "read", "conv": c.Conv, "seq": c.Seq}
	case *actors.CmdEnd:
		out = map[string]any{"type": "end", "conv": c.Conv}
	case *actors.CmdStatus:
		out = map[string]any{"type": "status", "status": c.Status}
	case *actors.CmdCapacity:
		out = map[string]any{"type": "capacity", "capacity": c.Capacity}
	case *actors.CmdTransfer:
		to := c.To
		if to == "" {
			to = "queue"
		}
		out = map[string]any{"type": "transfer", "conv": c.Conv, "to": to}
	case *actors.CmdRequest:
		out = map[string]any{"type": "request"}
	case *actors.CmdCancel:
		out = map[string]any{"type": "cancel"}
	case *actors.CmdAgents:
		out = map[string]any{"type": "agents"}
	case *actors.CmdRate:
		out = map[string]any{"type": "rate", "conv": c.Conv, "rating": c.Rating}
	case *actors.CmdHistory:
		out = map[string]any{"type": "history", "conv": c.Conv}
		if c.Before != 0 {
			out["before"] = c.Before
		}
		if c.Limit != 0 {
			out["limit"] = c.Limit
		}
	case *actors.CmdPing:
		out = map[string]any{"type": "ping"}
	case *actors.CmdPong:
		out = map[string]any{"type": "pong"}
	default:
		t.Fatalf("no frame for %T", cmd)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("marshal %#v: %v", out, err)
	}
	return b
}
