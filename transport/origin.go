package transport

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// OriginPolicy decides which web pages may open a WebSocket here. Browsers
// send the page's origin with every upgrade; without a check any site a
// support agent visits could open a socket with the agent's cookies.
type OriginPolicy struct {
	// Allowed lists extra origins, such as "https://shop.example.com",
	// compared case-insensitively and exactly.
	Allowed []string
	// PagesPort, when set, also admits pages served from this port on the
	// same host: the compat listener runs on its own port while the pages
	// that call it are served from the main one.
	PagesPort string
}

// Check reports whether the request's origin is acceptable: no Origin
// header (not a browser), the same host and port as the request, the pages
// port on the same host, or an allow-listed origin.
func (p OriginPolicy) Check(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, a := range p.Allowed {
		if strings.EqualFold(a, origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if p.PagesPort == "" {
		return false
	}
	reqHost, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		reqHost = r.Host
	}
	return strings.EqualFold(u.Hostname(), reqHost) && originPort(u) == p.PagesPort
}

func originPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}
