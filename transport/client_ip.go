package transport

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientKey is the address per-address limits count a request against:
// the peer's address, or with trustProxy the last X-Forwarded-For entry
// (the one our proxy added; entries before it are whatever the client
// wrote). An IPv6 address counts by its /64, which one subscriber usually
// holds whole: per address, one home could have 2^64 budgets. A request
// whose address cannot be read counts against the zero key, shared by all
// such requests.
func clientKey(r *http.Request, trustProxy bool) netip.Addr {
	addr := peerAddr(r.RemoteAddr)
	if trustProxy {
		if fwd, ok := lastForwarded(r.Header.Values("X-Forwarded-For")); ok {
			addr = fwd
		}
	}
	return addrKey(addr)
}

// addrKey is the key per-address limits count addr under: an IPv6 address
// by its /64.
func addrKey(addr netip.Addr) netip.Addr {
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return addr
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, _ := netip.ParseAddr(host)
	return addr.WithZone("")
}

// lastForwarded returns the last address of X-Forwarded-For, across all
// the header's lines.
func lastForwarded(lines []string) (netip.Addr, bool) {
	if len(lines) == 0 {
		return netip.Addr{}, false
	}
	list := lines[len(lines)-1]
	last := strings.TrimSpace(list[strings.LastIndexByte(list, ',')+1:])
	addr, err := netip.ParseAddr(last)
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.WithZone(""), true
}
