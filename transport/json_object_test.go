package transport

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// decodeAsBefore is decodeObject as it was before its json.Unmarshal fast
// path: what it accepts, refuses and fills in is the reference.
func decodeAsBefore(frame []byte, v any) error {
	if body := bytes.TrimLeft(frame, " \t\r\n"); len(body) == 0 || body[0] != '{' {
		return errNotObject
	}
	return decodeByDecoder(frame, v)
}

type objectProbe struct {
	Type string `json:"type"`
	N    int    `json:"n"`
	Tags []string
}

// TestDecodeObjectAsBefore: the fast path accepts exactly what the Decoder
// alone did, fills in the same, and refuses with the same error.
func TestDecodeObjectAsBefore(t *testing.T) {
	frames := []string{
		`{"type":"ping"}`, " \n{\"type\":\"msg\",\"n\":3}\t ", `{"type":"ping"}]`, `{"type":"ping"}}`,
		`{"type":"ping"}{"type":"ping"}`, `{"type":"ping"} x`, `null`, `[1]`, `  `, ``, `{"n":"three"}`,
		`{"n":1.5,"type":"x"}`, `{"type":"a\u0000b","Tags":["x",1]}`, `{"type":"\xff"}`, `{"type":`, `{"type":"x",}`,
		`{"type":"x","type":"y"}`,
	}
	for _, f := range frames {
		var got, want objectProbe
		gotErr, wantErr := decodeObject([]byte(f), &got), decodeAsBefore([]byte(f), &want)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("%q: error %v, want %v", f, gotErr, wantErr)
		}
		if errors.Is(wantErr, errTrailing) != errors.Is(gotErr, errTrailing) {
			t.Fatalf("%q: trailing %v, want %v", f, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %+v, want %+v", f, got, want)
		}
	}
}
