package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes r as indented JSON, for machines (--json FILE).
// Durations are seconds with a fraction; latencies are milliseconds.
// A NaN or infinite figure cannot be written as JSON and is an error.
func WriteJSON(w io.Writer, r *Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode result: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("cannot write result: %w", err)
	}
	return nil
}
