package auth

import (
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
}

// jwtClaims is Claims as encoded in the token.
type jwtClaims struct {
	Role string `json:"role"`
	Name string `json:"name,omitempty"`
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
// an unknown role, or an expiry not in the future.
func (s *Signer) Issue(c Claims) (string, error) {
	if err := checkClaims(c); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	now := s.now()
	if !c.ExpiresAt.After(now) {
		return "", fmt.Errorf("issue token: expiry %v is not after now", c.ExpiresAt)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwtClaims{
		Role: c.Role,
		Name: c.Name,
		RegisteredClaims: jwt.RegisteredClaims{
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
	c := Claims{Subject: jc.Subject, Role: jc.Role, Name: jc.Name, ExpiresAt: jc.ExpiresAt.Time}
	if err := checkClaims(c); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	return c, nil
}

// checkClaims holds the rules on claims shared by Issue and Verify.
func checkClaims(c Claims) error {
	if c.Subject == "" {
		return errors.New("no subject")
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
