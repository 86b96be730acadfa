package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// Both protocols' client frames are one JSON object each. json.Decoder
// alone is not enough to hold a frame to that: it decodes null into a
// struct without complaint, and its More reports nothing left before a
// stray ']' or '}', so `{"type":"ping"}]` used to pass as a ping.
var (
	errNotObject = errors.New("frame is not a JSON object")
	errTrailing  = errors.New("frame holds more than one JSON value")
)

// decodeObject decodes frame into v. frame must hold exactly one JSON
// object, with nothing around it but JSON white space. Errors from
// encoding/json (such as *json.UnmarshalTypeError) are returned as they are.
//
// A good frame takes json.Unmarshal, which refuses anything after the
// value as well; only a frame it refuses goes through json.Decoder again,
// to say what was wrong as before (errTrailing, or the decoder's error).
// The Decoder on every frame was a fifth of the bytes the server allocated
// in S5 (its buffer and its refills).
func decodeObject(frame []byte, v any) error {
	if body := bytes.TrimLeft(frame, " \t\r\n"); len(body) == 0 || body[0] != '{' {
		return errNotObject
	}
	if json.Unmarshal(frame, v) == nil {
		return nil
	}
	return decodeByDecoder(frame, v)
}

// decodeByDecoder decodes frame, an object, with json.Decoder: its errors
// say what is wrong with a frame json.Unmarshal refused.
func decodeByDecoder(frame []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(frame))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}
