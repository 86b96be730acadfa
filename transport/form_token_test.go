package transport

import (
	"testing"
	"time"

	"kefu/actors"
	"kefu/auth"
)

// TestFormTokenOutlastsAChat: the token a customer gets with its offline
// form lasts FormTokenTTL (7 days by default), a chat's 24 hours; both
// resume the same customer.
func TestFormTokenOutlastsAChat(t *testing.T) {
	signer := auth.NewSigner(make([]byte, 32), nil)
	id := &Identity{Signer: signer}
	p, chatToken, err := id.Customer("", "Dan")
	if err != nil {
		t.Fatal(err)
	}
	formToken, err := id.FormToken(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token string
		ttl   time.Duration
	}{{chatToken, CustomerTokenTTL}, {formToken, DefaultFormTokenTTL}} {
		claims, err := signer.Verify(c.token)
		if err != nil || claims.Subject != p.ID || claims.Role != auth.RoleCustomer {
			t.Fatalf("claims %+v, %v: want %s as a customer", claims, err, p.ID)
		}
		if left := time.Until(claims.ExpiresAt); left < c.ttl-time.Minute || left > c.ttl {
			t.Fatalf("token lasts %v, want %v", left, c.ttl)
		}
	}
	var _ actors.FormTokens = id
}
