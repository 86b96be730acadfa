package store

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, name := range []string{"a", "Alice Smith", "客服小王", strings.Repeat("é", MaxNameLen)} {
			if err := ValidName(name); err != nil {
				t.Fatalf("ValidName(%q)=%v, want nil", name, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, name := range []string{
			"", " ", " bob", "bob\t", "bo\nb", "bo\x00b", "bo\u202eb", "\xff",
			strings.Repeat("x", MaxNameLen+1),
		} {
			if err := ValidName(name); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ValidName(%q)=%v, want ErrInvalid", name, err)
			}
		}
	})
}

func TestNameKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"Bob", "bOB"},
		{"Ärger", "äRGER"},
		{"kelvin", "\u212aelvin"}, // Kelvin sign folds to k
		{"ΣΊΣΥΦΟΣ", "σίσυφος"},
	} {
		if got, want := nameKey(tc.a), nameKey(tc.b); got != want {
			t.Fatalf("nameKey(%q)=%q, nameKey(%q)=%q, want equal", tc.a, got, tc.b, want)
		}
	}
	if nameKey("bob") == nameKey("bop") {
		t.Fatal("different names share a key")
	}
}
