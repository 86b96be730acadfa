package kicks

import (
	"testing"

	"kefu/actors"
)

func TestCodec(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, k := range []actors.KickSessions{
			{Agent: "ag_1", TokenID: "tok_1"},
			{Agent: "ag_1", Below: 7},
			{Agent: "ag_1", TokenID: "tok_1", Below: 7},
		} {
			payload, err := encode(k)
			if err != nil {
				t.Fatalf("encode %+v: %v", k, err)
			}
			got, err := decode(payload)
			if err != nil {
				t.Fatalf("decode %s: %v", payload, err)
			}
			if got != k {
				t.Fatalf("round trip=%+v, want %+v", got, k)
			}
		}
	})
	t.Run("ErrNothingToClose", func(t *testing.T) {
		if _, err := encode(actors.KickSessions{Agent: "ag_1"}); err == nil {
			t.Fatal("encode of a kick naming no token nor generation succeeded")
		}
	})
	t.Run("ErrNotAKick", func(t *testing.T) {
		for _, payload := range []string{``, `null`, `{}`, `[1]`, `{"agent":"ag_1"}`, `{"token":"t"}`, `{"agent":"ag_1","below":-1}`, `{"agent":1}`} {
			if k, err := decode(payload); err == nil {
				t.Errorf("decode %s=%+v, want an error", payload, k)
			}
		}
	})
}

// FuzzDecode: whatever a NOTIFY carries, decode returns a kick that names
// something to close, or an error; never a panic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"agent":"ag_1","token":"tok_1"}`, `{"agent":"ag_1","below":2}`, `{}`, `x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		k, err := decode(payload)
		if err == nil && check(k) != nil {
			t.Fatalf("decode %q=%+v without error, a kick naming nothing", payload, k)
		}
	})
}
