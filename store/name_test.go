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

// TestNameProblem holds the one name rule to the disguises: each
// refusal names the character that would have hidden.
func TestNameProblem(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, name := range []string{
			"Bob", "A B", "客服 小王", "<img src=x onerror=alert(1)>",
			"\u2764\ufe0f",         // an emoji with its variation selector
			"\U0001f44d\U0001f3fd", // and with a skin tone
			"a\u00a0b",             // a no-break space inside
		} {
			if got := NameProblem(name, MaxNameLen); got != "" {
				t.Errorf("NameProblem(%q)=%q, want none", name, got)
			}
		}
	})
	for _, tc := range []struct{ test, name, want string }{
		{"ErrEmpty", "", "name is required"},
		{"ErrBlank", " \t\u3000", "name is required"},
		{"ErrUTF8", "Bob\xff", "name is not valid UTF-8"},
		{"ErrLong", strings.Repeat("名", 65), "name is longer than 64 characters"},
		{"ErrLeadingSpace", " 系统", "name starts or ends with white space"},
		{"ErrTrailingSpace", "系统\u00a0", "name starts or ends with white space"},
		{"ErrControl", "Bob\x1b[31m", "name contains control character U+001B"},
		{"ErrNewline", "a\nb", "name contains control character U+000A"},
		{"ErrBidiOverride", "evil\u202egnp.exe", "name contains invisible character U+202E"},
		{"ErrBidiIsolate", "a\u2067b", "name contains invisible character U+2067"},
		{"ErrZeroWidthSpace", "系\u200b统", "name contains invisible character U+200B"},
		{"ErrZeroWidthJoiner", "A\u200dB", "name contains invisible character U+200D"},
		{"ErrByteOrderMark", "\ufeffBob", "name contains invisible character U+FEFF"},
		{"ErrTag", "Bob\U000e0041", "name contains invisible character U+E0041"},
		{"ErrLineSeparator", "a\u2028b", "name contains invisible character U+2028"},
		{"ErrHangulFiller", "系\u3164统", "name contains invisible character U+3164"},
		{"ErrSoftHyphen", "Bo\u00adb", "name contains invisible character U+00AD"},
	} {
		t.Run(tc.test, func(t *testing.T) {
			if got, want := NameProblem(tc.name, MaxNameLen), tc.want; got != want {
				t.Fatalf("NameProblem(%q)=%q, want %q", tc.name, got, want)
			}
			if err := ValidName(tc.name); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ValidName(%q)=%v, want ErrInvalid", tc.name, err)
			}
		})
	}
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
