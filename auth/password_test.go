package auth

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// testCost is the cheapest bcrypt cost, so that -race runs stay fast; the
// rules tested here do not depend on the cost.
const testCost = bcrypt.MinCost

func TestHashPassword(t *testing.T) {
	h := Hasher{Cost: testCost}
	t.Run("OK", func(t *testing.T) {
		for _, pw := range []string{"12345678", strings.Repeat("p", MaxPasswordLen), "пароль-密码"} {
			hash, err := h.Hash(pw)
			if err != nil {
				t.Fatalf("Hash(%q): %v", pw, err)
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
		a, _ := h.Hash("same password")
		b, _ := h.Hash("same password")
		if string(a) == string(b) {
			t.Fatal("two hashes of one password are equal: no salt")
		}
	})
	t.Run("ErrBadPassword", func(t *testing.T) {
		for _, pw := range []string{"", "1234567", strings.Repeat("p", MaxPasswordLen+1)} {
			if _, err := h.Hash(pw); !errors.Is(err, ErrBadPassword) {
				t.Fatalf("Hash(len %d) err=%v, want ErrBadPassword", len(pw), err)
			}
		}
	})
}

func TestHasherCost(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    Hasher
		want int
	}{
		{"OKZeroIsDefault", Hasher{}, bcrypt.DefaultCost},
		{"OKGiven", Hasher{Cost: bcrypt.MinCost}, bcrypt.MinCost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hash, err := tc.h.Hash("12345678")
			if err != nil {
				t.Fatal(err)
			}
			got, err := bcrypt.Cost(hash)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want; got != want {
				t.Fatalf("cost=%d, want %d", got, want)
			}
		})
	}
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
	if _, err := (Hasher{Cost: testCost}).Hash(NewPassword()); err != nil {
		t.Fatalf("generated password refused: %v", err)
	}
}
