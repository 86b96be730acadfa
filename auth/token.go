package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Roles a token can carry.
const (
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
	RoleCustomer   = "customer"
)

// issuer is written into every token and required on verify, so that a token
// signed with the same key for another purpose is not taken for ours.
const issuer = "kefu"

// maxTokenLen bounds what Verify parses: ours are a few hundred bytes, and a
// huge input should cost nothing.
const maxTokenLen = 4096

// MinKeyLen is the shortest signing key NewSigner accepts: HMAC-SHA256's size.
const MinKeyLen = 32

// Errors from Verify. They say nothing about the token's contents, so they are
// safe to send to the client that presented it.
var (
	ErrTokenInvalid = errors.New("invalid token")
	ErrTokenExpired = errors.New("token expired")
)

// Claims is what a token asserts about its bearer.
type Claims struct {
	Subject   string    // agent or customer id, issued by the server
	Role      string    // RoleAgent, RoleSupervisor or RoleCustomer
	Name      string    // display label only; never an identity
	ExpiresAt time.Time // whole seconds: finer parts are dropped on Issue

	// ID names this one token (the jti claim), so that signing out can
	// revoke it alone. Issue draws a random one when it is empty; Verify
	// always returns one (see legacyID).
	ID string
	// IssuedAt is when Issue signed the token, in whole seconds; set by
	// Issue, ignored when given to it.
	IssuedAt time.Time
	// Generation is the account's token generation when the token was
	// issued (the gen claim): revoking an account's sessions raises the
	// account's, and a token of an older one is refused. Tokens from
	// before generations existed read as 0, an account's first.
	Generation int64
}

// jwtClaims is Claims as encoded in the token.
type jwtClaims struct {
	Role       string `json:"role"`
	Name       string `json:"name,omitempty"`
	Generation int64  `json:"gen,omitempty"`
	jwt.RegisteredClaims
}

// Signer issues and verifies HS256 tokens with one key. Safe for concurrent use.
type Signer struct {
	key    []byte
	now    func() time.Time
	parser *jwt.Parser
}

// NewSigner returns a Signer for key (at least MinKeyLen bytes: a shorter key
// is a programming error and panics). now is the clock; nil means time.Now.
func NewSigner(key []byte, now func() time.Time) *Signer {
	if len(key) < MinKeyLen {
		panic(fmt.Sprintf("auth: signing key is %d bytes, need at least %d", len(key), MinKeyLen))
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{
		key: append([]byte(nil), key...),
		now: now,
		parser: jwt.NewParser(
			// Only HS256: refuses "none" and an RS/HS confusion.
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(issuer),
			jwt.WithTimeFunc(now),
			jwt.WithStrictDecoding(), // one encoding per token: no malleable variants
		),
	}
}

// Issue signs c. It refuses claims that Verify would refuse: an empty subject,
// an unknown role, a negative generation, or an expiry not in the future.
func (s *Signer) Issue(c Claims) (string, error) {
	if err := checkClaims(c); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	now := s.now()
	if !c.ExpiresAt.After(now) {
		return "", fmt.Errorf("issue token: expiry %v is not after now", c.ExpiresAt)
	}
	if c.ID == "" {
		c.ID = newTokenID()
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwtClaims{
		Role:       c.Role,
		Name:       c.Name,
		Generation: c.Generation,
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        c.ID,
			Issuer:    issuer,
			Subject:   c.Subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
	})
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return signed, nil
}

// Verify checks token's signature, algorithm, issuer and expiry and returns
// its claims. Errors are ErrTokenExpired for a genuine token past its expiry,
// and ErrTokenInvalid (with a short reason) for anything else.
//
// The signature is compared by jwt's HS256 method with hmac.Equal, in
// constant time. Nothing else compares a token: what it proves is read from
// the claims once the signature holds, never by matching the token itself.
func (s *Signer) Verify(token string) (Claims, error) {
	if len(token) > maxTokenLen {
		return Claims{}, fmt.Errorf("%w: too long", ErrTokenInvalid)
	}
	var jc jwtClaims
	_, err := s.parser.ParseWithClaims(token, &jc, func(*jwt.Token) (any, error) { return s.key, nil })
	if err != nil {
		return Claims{}, verifyError(err)
	}
	c := Claims{Subject: jc.Subject, Role: jc.Role, Name: jc.Name, ExpiresAt: jc.ExpiresAt.Time, ID: jc.ID, Generation: jc.Generation}
	if jc.IssuedAt != nil {
		c.IssuedAt = jc.IssuedAt.Time
	}
	if c.ID == "" {
		c.ID = legacyID(token)
	}
	if err := checkClaims(c); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	return c, nil
}

// newTokenID returns a random jti: 128 bits, unguessable and unique.
func newTokenID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails: it crashes the program rather than return an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// legacyID names a token issued before tokens carried a jti, so that it
// too can be signed out alone. The token's text is its identity: the
// signature covers the rest and strict decoding allows one encoding of it.
// The prefix keeps it apart from any random jti.
func legacyID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:16])
}

// checkClaims holds the rules on claims shared by Issue and Verify.
func checkClaims(c Claims) error {
	if c.Subject == "" {
		return errors.New("no subject")
	}
	if c.Generation < 0 {
		return errors.New("negative generation")
	}
	switch c.Role {
	case RoleAgent, RoleSupervisor, RoleCustomer:
		return nil
	}
	return fmt.Errorf("unknown role %q", c.Role)
}

// verifyError maps a jwt error to ErrTokenExpired or ErrTokenInvalid with a
// fixed reason: the library's messages can quote the token's contents.
func verifyError(err error) error {
	// jwt checks the signature before the claims, so an expired token
	// reaching here was genuinely issued by us.
	reasons := []struct {
		err    error
		reason string
	}{
		{jwt.ErrTokenMalformed, "malformed"},
		{jwt.ErrTokenSignatureInvalid, "bad signature or algorithm"},
		{jwt.ErrTokenInvalidIssuer, "wrong issuer"},
		{jwt.ErrTokenRequiredClaimMissing, "missing claim"},
		{jwt.ErrTokenNotValidYet, "not valid yet"},
		{jwt.ErrTokenUsedBeforeIssued, "used before issued"},
	}
	if errors.Is(err, jwt.ErrTokenExpired) {
		return ErrTokenExpired
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return fmt.Errorf("%w: %s", ErrTokenInvalid, r.reason)
		}
	}
	return ErrTokenInvalid
}
