package transport

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestClientKey(t *testing.T) {
	for name, tc := range map[string]struct {
		remote string
		xff    []string
		trust  bool
		want   string
	}{
		"OKv4":               {"192.0.2.7:5555", nil, false, "192.0.2.7"},
		"OKv6By64":           {"[2001:db8:1:2:aaaa::1]:5555", nil, false, "2001:db8:1:2::"},
		"OKv4InV6":           {"[::ffff:192.0.2.7]:5555", nil, false, "192.0.2.7"},
		"OKZoneDropped":      {"[fe80::1%eth0]:5555", nil, false, "fe80::"},
		"OKForwardedIgnored": {"192.0.2.7:5555", []string{"203.0.113.9"}, false, "192.0.2.7"},
		"OKForwardedLast":    {"192.0.2.7:5555", []string{"198.51.100.1, 203.0.113.9"}, true, "203.0.113.9"},
		"OKForwardedLines":   {"192.0.2.7:5555", []string{"198.51.100.1", "203.0.113.9"}, true, "203.0.113.9"},
		"OKForwardedBad":     {"192.0.2.7:5555", []string{"203.0.113.9, unknown"}, true, "192.0.2.7"},
		"OKForwardedV6":      {"192.0.2.7:5555", []string{"2001:db8::1"}, true, "2001:db8::"},
		"OKUnreadable":       {"@", nil, false, "invalid IP"},
	} {
		t.Run(name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
			for _, line := range tc.xff {
				r.Header.Add("X-Forwarded-For", line)
			}
			if got := clientKey(r, tc.trust); got.String() != tc.want {
				t.Fatalf("clientKey=%v, want %s", got, tc.want)
			}
		})
	}
	if clientKey(&http.Request{RemoteAddr: "@"}, false) != (netip.Addr{}) {
		t.Fatal("an unreadable address must share the zero key")
	}
}
