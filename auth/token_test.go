package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clock is a settable time source for a Signer.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newKey returns a random signing key.
func newKey(tb testing.TB) []byte {
	tb.Helper()
	key := make([]byte, MinKeyLen)
	rand.Read(key)
	return key
}

// newSigner returns a Signer with a fresh key and a clock at a fixed time.
func newSigner(tb testing.TB) (*Signer, []byte, *clock) {
	tb.Helper()
	key := newKey(tb)
	clk := &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	return NewSigner(key, clk.now), key, clk
}

// claims returns valid claims expiring an hour after clk.
func claims(clk *clock) Claims {
	return Claims{Subject: "ag_abcdefghijklmnop", Role: RoleAgent, Name: "Alice", ExpiresAt: clk.t.Add(time.Hour)}
}

// issue issues c or fails tb.
func issue(tb testing.TB, s *Signer, c Claims) string {
	tb.Helper()
	tok, err := s.Issue(c)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// signRaw signs arbitrary claims with method and key, bypassing Issue's checks.
func signRaw(tb testing.TB, method jwt.SigningMethod, key any, c jwt.Claims) string {
	tb.Helper()
	tok, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// wantInvalid fails tb unless Verify refuses tok with ErrTokenInvalid.
func wantInvalid(tb testing.TB, s *Signer, tok string) {
	tb.Helper()
	c, err := s.Verify(tok)
	if !errors.Is(err, ErrTokenInvalid) {
		tb.Fatalf("Verify err=%v, want ErrTokenInvalid", err)
	}
	if c != (Claims{}) {
		tb.Fatalf("Verify returned claims %+v with its error", c)
	}
}

func TestSigner(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		s, _, clk := newSigner(t)
		for _, role := range []string{RoleAgent, RoleSupervisor, RoleCustomer} {
			want := claims(clk)
			want.Role = role
			got, err := s.Verify(issue(t, s, want))
			if err != nil {
				t.Fatal(err)
			}
			if !got.ExpiresAt.Equal(want.ExpiresAt) {
				t.Fatalf("ExpiresAt=%v, want %v", got.ExpiresAt, want.ExpiresAt)
			}
			if !got.IssuedAt.Equal(clk.t) {
				t.Fatalf("IssuedAt=%v, want %v", got.IssuedAt, clk.t)
			}
			if len(got.ID) < 22 {
				t.Fatalf("ID=%q, want a random jti", got.ID)
			}
			got.ExpiresAt, got.IssuedAt, got.ID = want.ExpiresAt, want.IssuedAt, want.ID
			if got != want {
				t.Fatalf("Verify=%+v, want %+v", got, want)
			}
		}
	})
	t.Run("OKIDAndGeneration", func(t *testing.T) {
		s, _, clk := newSigner(t)
		a, b := issue(t, s, claims(clk)), issue(t, s, claims(clk))
		ca, _ := s.Verify(a)
		cb, _ := s.Verify(b)
		if ca.ID == cb.ID {
			t.Fatalf("two tokens share the jti %q", ca.ID)
		}
		c := claims(clk)
		c.ID, c.Generation = "chosen", 7
		got, err := s.Verify(issue(t, s, c))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != "chosen" || got.Generation != 7 {
			t.Fatalf("ID=%q Generation=%d, want chosen and 7", got.ID, got.Generation)
		}
	})
	t.Run("OKLegacyNoJTI", func(t *testing.T) {
		// A token from before jti and gen: still good, named by its hash
		// (the same each time), generation 0.
		s, key, clk := newSigner(t)
		tok := signRaw(t, jwt.SigningMethodHS256, key, validJWT(clk))
		first, err := s.Verify(tok)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := s.Verify(tok)
		if !strings.HasPrefix(first.ID, "sha256:") || first.ID != again.ID || first.Generation != 0 {
			t.Fatalf("legacy token read as ID=%q (then %q) Generation=%d", first.ID, again.ID, first.Generation)
		}
		other, _ := s.Verify(signRaw(t, jwt.SigningMethodHS256, key, &jwtClaims{Role: RoleCustomer, RegisteredClaims: validJWT(clk).RegisteredClaims}))
		if other.ID == first.ID {
			t.Fatal("two legacy tokens share an ID")
		}
	})
	t.Run("ErrNegativeGeneration", func(t *testing.T) {
		s, key, clk := newSigner(t)
		c := validJWT(clk)
		c.Generation = -1
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS256, key, c))
	})
	t.Run("OKOtherSignerSameKey", func(t *testing.T) {
		s, key, clk := newSigner(t)
		tok := issue(t, s, claims(clk))
		if _, err := NewSigner(key, clk.now).Verify(tok); err != nil {
			t.Fatalf("a restarted server with the same key refused the token: %v", err)
		}
	})
	t.Run("ErrTokenExpired", func(t *testing.T) {
		s, _, clk := newSigner(t)
		tok := issue(t, s, claims(clk))
		clk.t = clk.t.Add(time.Hour - time.Second)
		if _, err := s.Verify(tok); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		clk.t = clk.t.Add(time.Second)
		if _, err := s.Verify(tok); !errors.Is(err, ErrTokenExpired) {
			t.Fatalf("at expiry err=%v, want ErrTokenExpired", err)
		}
	})
	t.Run("ErrForgedSignature", func(t *testing.T) {
		s, _, clk := newSigner(t)
		tok := issue(t, s, claims(clk))
		forged := tok[:strings.LastIndexByte(tok, '.')+1] + base64.RawURLEncoding.EncodeToString(newKey(t))
		wantInvalid(t, s, forged)
		wantInvalid(t, s, tok[:strings.LastIndexByte(tok, '.')+1]) // signature removed
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		s, _, clk := newSigner(t)
		other := NewSigner(newKey(t), clk.now)
		tok := issue(t, other, claims(clk))
		wantInvalid(t, s, tok)
		clk.t = clk.t.Add(2 * time.Hour) // a foreign token is invalid, not merely expired
		wantInvalid(t, s, tok)
	})
	t.Run("ErrAlgNone", func(t *testing.T) {
		s, _, clk := newSigner(t)
		tok := signRaw(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validJWT(clk))
		wantInvalid(t, s, tok)
	})
	t.Run("ErrOtherHMAC", func(t *testing.T) {
		s, key, clk := newSigner(t)
		// Right key, wrong algorithm: only HS256 is accepted.
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS512, key, validJWT(clk)))
	})
	t.Run("ErrGarbage", func(t *testing.T) {
		s, _, _ := newSigner(t)
		for _, tok := range []string{"", "garbage", "a.b.c", "...", strings.Repeat("a", maxTokenLen+1)} {
			wantInvalid(t, s, tok)
		}
	})
	t.Run("ErrWrongIssuer", func(t *testing.T) {
		s, key, clk := newSigner(t)
		c := validJWT(clk)
		c.Issuer = "someone-else"
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS256, key, c))
		c.Issuer = ""
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS256, key, c))
	})
	t.Run("ErrNoExpiry", func(t *testing.T) {
		s, key, clk := newSigner(t)
		c := validJWT(clk)
		c.ExpiresAt = nil
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS256, key, c))
	})
	t.Run("ErrBadClaims", func(t *testing.T) {
		s, key, clk := newSigner(t)
		c := validJWT(clk)
		c.Role = "admin"
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS256, key, c))
		c = validJWT(clk)
		c.Subject = ""
		wantInvalid(t, s, signRaw(t, jwt.SigningMethodHS256, key, c))
	})
	t.Run("ErrTamperedPayload", func(t *testing.T) {
		s, _, clk := newSigner(t)
		c := claims(clk)
		c.Role = RoleCustomer
		tok := issue(t, s, c)
		parts := strings.Split(tok, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		raised := bytes.Replace(payload, []byte(`"customer"`), []byte(`"supervisor"`), 1)
		if bytes.Equal(raised, payload) {
			t.Fatalf("payload %s has no role to tamper with", payload)
		}
		parts[1] = base64.RawURLEncoding.EncodeToString(raised)
		wantInvalid(t, s, strings.Join(parts, "."))
	})
}

func TestIssue(t *testing.T) {
	s, _, clk := newSigner(t)
	for name, mutate := range map[string]func(*Claims){
		"ErrNoSubject":   func(c *Claims) { c.Subject = "" },
		"ErrUnknownRole": func(c *Claims) { c.Role = "root" },
		"ErrNegativeGen": func(c *Claims) { c.Generation = -1 },
		"ErrNoExpiry":    func(c *Claims) { c.ExpiresAt = time.Time{} },
		"ErrPastExpiry":  func(c *Claims) { c.ExpiresAt = clk.t.Add(-time.Second) },
	} {
		t.Run(name, func(t *testing.T) {
			c := claims(clk)
			mutate(&c)
			if tok, err := s.Issue(c); err == nil {
				t.Fatalf("Issue(%+v)=%q, want an error", c, tok)
			}
		})
	}
}

func TestNewSigner(t *testing.T) {
	t.Run("ErrShortKey", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("NewSigner accepted a 16-byte key")
			}
		}()
		NewSigner(make([]byte, 16), nil)
	})
	t.Run("OKKeyCopied", func(t *testing.T) {
		key := newKey(t)
		clk := &clock{t: time.Now()}
		s := NewSigner(key, clk.now)
		tok := issue(t, s, claims(clk))
		key[0] ^= 0xff // the caller reusing its buffer must not change the signer
		if _, err := s.Verify(tok); err != nil {
			t.Fatal(err)
		}
	})
}

// validJWT returns the encoded form of valid claims, for tests that change
// one field and sign it themselves.
func validJWT(clk *clock) *jwtClaims {
	return &jwtClaims{
		Role: RoleAgent,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   "ag_abcdefghijklmnop",
			ExpiresAt: jwt.NewNumericDate(clk.t.Add(time.Hour)),
		},
	}
}
