package transport

import (
	"reflect"
	"testing"

	"kefu/actors"
)

func TestDecodeNative(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for frame, want := range map[string]any{
			`{"type":"hello","v":1,"role":"customer","name":"Bob"}`:                 &actors.CmdHello{Version: 1, Role: actors.RoleCustomer, Name: "Bob"},
			`{"type":"msg","conv":"cv_c1","text":"hi","cid":"b-1","from":"forged"}`: &actors.CmdPost{Conv: "cv_c1", Text: "hi", ClientID: "b-1"},
			` {"type":"transfer","conv":"cv_c1","to":"queue"} `:                     &actors.CmdTransfer{Conv: "cv_c1"},
			"{\"type\":\"ping\"}\r\n":                                               &actors.CmdPing{},
			`{"type":"rate","conv":"cv_c1","rating":5}`:                             &actors.CmdRate{Conv: "cv_c1", Rating: 5},
		} {
			got, err := DecodeNative([]byte(frame))
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeNative(%s)=%#v, %v; want %#v", frame, got, err, want)
			}
		}
	})
	// The rows of docs/protocol.md's "Errors for any frame", and frames
	// that once passed as one object followed by nothing.
	t.Run("ErrBadFrame", func(t *testing.T) {
		for frame, want := range map[string]string{
			`hello`:                              `expected one JSON object with a "type"`,
			`[1,2]`:                              `expected one JSON object with a "type"`,
			`null`:                               `expected one JSON object with a "type"`,
			`{"type":"ping"}{"type":"ping"}`:     "expected one JSON object per frame",
			`{"type":"ping"}]`:                   "expected one JSON object per frame",
			`{"type":"ping"}}`:                   "expected one JSON object per frame",
			`{"type":"capacity","capacity":"5"}`: "field capacity has the wrong type",
		} {
			_, err := DecodeNative([]byte(frame))
			if fe, ok := err.(*actors.FrameError); !ok || fe.Code != actors.ErrCodeBadFrame || fe.Message != want {
				t.Errorf("DecodeNative(%s) err=%v, want %s: %s", frame, err, actors.ErrCodeBadFrame, want)
			}
		}
	})
	t.Run("ErrMissingField", func(t *testing.T) {
		_, err := DecodeNative([]byte(`{"conv":"cv_1","text":"hi"}`))
		if fe, ok := err.(*actors.FrameError); !ok || fe.Code != actors.ErrCodeMissingField {
			t.Fatalf("err=%v, want %s", err, actors.ErrCodeMissingField)
		}
	})
	t.Run("ErrRate", func(t *testing.T) {
		for frame, code := range map[string]string{
			`{"type":"rate","conv":"cv_c1"}`:              actors.ErrCodeMissingField,
			`{"type":"rate","rating":3}`:                  actors.ErrCodeMissingField,
			`{"type":"rate","conv":"cv_c1","rating":0}`:   actors.ErrCodeBadValue,
			`{"type":"rate","conv":"cv_c1","rating":6}`:   actors.ErrCodeBadValue,
			`{"type":"rate","conv":"cv_c1","rating":2.5}`: actors.ErrCodeBadFrame,
			`{"type":"rate","conv":"cv_c1","rating":"5"}`: actors.ErrCodeBadFrame,
		} {
			_, err := DecodeNative([]byte(frame))
			if fe, ok := err.(*actors.FrameError); !ok || fe.Code != code {
				t.Errorf("DecodeNative(%s) err=%v, want %s", frame, err, code)
			}
		}
	})
	t.Run("ErrUnknownType", func(t *testing.T) {
		_, err := DecodeNative([]byte(`{"type":"fly"}`))
		if fe, ok := err.(*actors.FrameError); !ok || fe.Code != actors.ErrCodeUnknownType || fe.Message != `unknown type "fly"` {
			t.Fatalf("err=%v, want %s", err, actors.ErrCodeUnknownType)
		}
	})
}
