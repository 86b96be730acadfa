package transport

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

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
			`{"type":"history","conv":"cv_c1","before":51}`:                         &actors.CmdHistory{Conv: "cv_c1", Before: 51},
			`{"type":"history","conv":"cv_c1","before":51,"limit":20}`:              &actors.CmdHistory{Conv: "cv_c1", Before: 51, Limit: 20},
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

// TestDecodeNativeTransferNote: a transfer may carry a note for the next
// agent, up to actors.MaxHandoffNote bytes of UTF-8 (bytes, so 333 Chinese
// characters fit and 334 do not); a longer one is refused whole, never cut.
func TestDecodeNativeTransferNote(t *testing.T) {
	frame := func(note string) []byte {
		b, err := json.Marshal(map[string]string{"type": "transfer", "conv": "cv_c1", "to": "ag_2", "note": note})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Run("OK", func(t *testing.T) {
		for _, note := range []string{"", "refund checked", strings.Repeat("退", actors.MaxHandoffNote/3), strings.Repeat("a", actors.MaxHandoffNote)} {
			got, err := DecodeNative(frame(note))
			if want := (&actors.CmdTransfer{Conv: "cv_c1", To: "ag_2", Note: note}); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("note of %d bytes: got %#v, %v; want %#v", len(note), got, err, want)
			}
		}
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		for _, note := range []string{strings.Repeat("a", actors.MaxHandoffNote+1), strings.Repeat("退", actors.MaxHandoffNote/3+1)} {
			_, err := DecodeNative(frame(note))
			fe, ok := err.(*actors.FrameError)
			if want := fmt.Sprintf("note is longer than %d bytes", actors.MaxHandoffNote); !ok || fe.Code != actors.ErrCodeBadValue || fe.Message != want {
				t.Errorf("note of %d bytes: err=%v, want %s: %s", len(note), err, actors.ErrCodeBadValue, want)
			}
		}
	})
}

func TestDecodeNativeHistory(t *testing.T) {
	for frame, code := range map[string]string{
		`{"type":"history"}`:                                      actors.ErrCodeMissingField,
		`{"type":"history","conv":"cv_c1","limit":0}`:             actors.ErrCodeBadValue,
		`{"type":"history","conv":"cv_c1","before":-1}`:           actors.ErrCodeBadFrame,
		`{"type":"history","conv":"cv_c1","before":"5"}`:          actors.ErrCodeBadFrame,
		`{"type":"history","conv":"cv_c1","before":1,"limit":-3}`: actors.ErrCodeBadValue,
	} {
		_, err := DecodeNative([]byte(frame))
		if fe, ok := err.(*actors.FrameError); !ok || fe.Code != code {
			t.Errorf("DecodeNative(%s) err=%v, want %s", frame, err, code)
		}
	}
}

// TestEncodeHistoryBound: the actors' estimate of a message's size is never
// below what the native codec writes for it, so a page they bound is
// bounded on the wire.
func TestEncodeHistoryBound(t *testing.T) {
	at := time.Date(2026, 11, 25, 21, 47, 20, 946651603, time.UTC)
	var page []actors.ConvMessage
	for i, text := range []string{"hi", strings.Repeat("\x01", 8192), "<b>&amp;</b>\u2028", strings.Repeat("你", 2000), "\xff\xfe"} {
		page = append(page, actors.ConvMessage{
			Conv: "cv_ztqeeoqydn4mx5nk", Seq: 1<<63 + uint64(i), At: at, Text: text, ClientID: strings.Repeat("<", 64),
			From: actors.Party{Role: actors.RoleCustomer, ID: "cu_hph2cbe4235z2piu", Name: strings.Repeat("&", 64)},
		})
	}
	sum := 0
	for i := range page {
		got, bound := len(NativeCodec{}.Encode(&page[i]))+1, page[i].WireSize() // +1: the comma between
		if got > bound {
			t.Errorf("message %d takes %d bytes, above its WireSize %d", i, got, bound)
		}
		sum += bound
	}
	for _, frame := range []any{
		&actors.ConvOpened{Conv: page[0].Conv, Why: actors.WhySync, Customer: page[0].From, History: page, More: true},
		&actors.History{Conv: page[0].Conv, Before: 1 << 63, Messages: page, More: true},
	} {
		b := NativeCodec{}.Encode(frame)
		if !json.Valid(b) {
			t.Fatalf("%T encodes to invalid JSON", frame)
		}
		if got, bound := len(b), sum+1024; got > bound { // the frame's own fields: 1 KiB
			t.Errorf("%T takes %d bytes, above the page's bound %d", frame, got, bound)
		}
	}
}

// TestEncodeQueued: a queued frame carries a reason only when the position
// moved back; the frames clients already read are unchanged.
func TestEncodeQueued(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   actors.Queued
		want string
	}{
		{"OK", actors.Queued{Position: 2, ETA: 80 * time.Second}, `{"type":"queued","position":2,"eta":80}`},
		{"NoAgent", actors.Queued{Position: 1, ETA: -1}, `{"type":"queued","position":1,"eta":null}`},
		{"MovedBack", actors.Queued{Position: 9, ETA: -1, Moved: actors.MovedRequeuedAhead}, `{"type":"queued","position":9,"eta":null,"reason":"requeued_ahead"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(NativeCodec{}.Encode(&tc.in)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
