package transport

import (
	"net/http/httptest"
	"testing"
)

func TestOriginPolicy(t *testing.T) {
	p := OriginPolicy{Allowed: []string{"https://Shop.Example.com"}, PagesPort: "3001"}
	cases := map[string]struct {
		host, origin string
		want         bool
	}{
		"NoOrigin":           {"localhost:3000", "", true},
		"SameHostPort":       {"localhost:3000", "http://localhost:3000", true},
		"PagesPort":          {"localhost:3000", "http://localhost:3001", true},
		"AllowListed":        {"localhost:3000", "https://shop.example.com", true},
		"ErrOtherHost":       {"localhost:3000", "http://evil.test:3001", false},
		"ErrOtherPort":       {"localhost:3000", "http://localhost:8080", false},
		"ErrDefaultPort":     {"localhost:3000", "http://localhost", false},
		"ErrNull":            {"localhost:3000", "null", false},
		"ErrGarbage":         {"localhost:3000", "%%%", false},
		"ErrAllowListPrefix": {"localhost:3000", "https://shop.example.com.evil.test", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://"+tc.host+"/", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if got := p.Check(r); got != tc.want {
				t.Fatalf("Check(host %s, origin %q)=%v, want %v", tc.host, tc.origin, got, tc.want)
			}
		})
	}
	t.Run("NoPagesPort", func(t *testing.T) {
		r := httptest.NewRequest("GET", "http://localhost:3001/", nil)
		r.Header.Set("Origin", "http://localhost:3000")
		if (OriginPolicy{}).Check(r) {
			t.Fatal("another port admitted without PagesPort")
		}
	})
}
