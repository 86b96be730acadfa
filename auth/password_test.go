package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, pw := range []string{"12345678", strings.Repeat("p", MaxPasswordLen), "пароль-密码"} {
			hash, err := HashPassword(pw)
			if err != nil {
				t.Fatalf("HashPassword(%q): %v", pw, err)
			}
			if strings.Contains(string(hash), pw) {
				t.Fatal("hash contains the password")
			}
			if !CheckPassword(hash, pw) {
				t.Fatalf("CheckPassword(hash, %q)=false, want true", pw)
			}
			if CheckPassword(hash, pw+"x") || CheckPassword(hash, pw[1:]) {
				t.Fatalf("CheckPassword accepted a wrong password for %q", pw)
			}
		}
	})
	t.Run("OKSalted", func(t *testing.T) {
		a, _ := HashPassword("same password")
		b, _ := HashPassword("same password")
		if string(a) == string(b) {
			t.Fatal("two hashes of one password are equal: no salt")
		}
	})
	t.Run("ErrBadPassword", func(t *testing.T) {
		for _, pw := range []string{"", "1234567", strings.Repeat("p", MaxPasswordLen+1)} {
			if _, err := HashPassword(pw); !errors.Is(err, ErrBadPassword) {
				t.Fatalf("HashPassword(len %d) err=%v, want ErrBadPassword", len(pw), err)
			}
		}
	})
}

func TestCheckPassword(t *testing.T) {
	t.Run("ErrGarbageHash", func(t *testing.T) {
		for _, hash := range [][]byte{nil, []byte("not a hash"), []byte("12345678")} {
			if CheckPassword(hash, "12345678") {
				t.Fatalf("CheckPassword(%q)=true, want false", hash)
			}
		}
	})
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		pw := NewPassword()
		if got, want := len(pw), NewPasswordLen; got != want {
			t.Fatalf("len(%q)=%d, want %d", pw, got, want)
		}
		for _, r := range pw {
			if !strings.ContainsRune(passwordAlphabet, r) {
				t.Fatalf("%q has %q, outside the alphabet", pw, r)
			}
		}
		if strings.ContainsAny(pw, "0Oo1lI") {
			t.Fatalf("%q has an ambiguous character", pw)
		}
		if seen[pw] {
			t.Fatalf("%q generated twice", pw)
		}
		seen[pw] = true
	}
	if _, err := HashPassword(NewPassword()); err != nil {
		t.Fatalf("generated password refused: %v", err)
	}
}
