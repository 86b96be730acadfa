// Package freeport reserves loopback ports for processes a test starts
// that must know each other's ports before any of them listens: the nodes
// of a cluster, each given its peers' addresses. Everything else a test
// starts listens on port 0.
//
// The ports are taken below the kernel's ephemeral range: a port from that
// range, found free and closed again, was seen taken moments later as the
// source port of one of the test's own outgoing connections. Below it only
// a listener can take a port, and only one bound to a fixed number does.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
)

// lowest is the bottom of the range ports are drawn from: above the
// well-known and the usual fixed service ports.
const lowest = 20000

// Pair returns "127.0.0.1:P" where P and P+1 were both free: a node's
// cluster port and automanaged's health port beside it, which listens on
// every interface (the library's choice), so both are checked there.
func Pair(t testing.TB) string {
	t.Helper()
	top := ephemeralStart() - 2
	for range 1000 {
		port := lowest + rand.IntN(top-lowest)
		if free(port) && free(port+1) {
			return fmt.Sprintf("127.0.0.1:%d", port)
		}
	}
	t.Fatal("no free pair of ports below the ephemeral range in 1000 tries")
	return ""
}

// Pairs returns n addresses as Pair does, none of whose two ports is
// another's: drawn one by one, the second node's cluster port could be the
// first's health port (seen in a run: "bind: address already in use", and
// the health poll answered by gRPC).
func Pairs(t testing.TB, n int) []string {
	t.Helper()
	taken := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		addr := Pair(t)
		var port int
		fmt.Sscanf(addr, "127.0.0.1:%d", &port)
		next := fmt.Sprintf("127.0.0.1:%d", port+1)
		if taken[addr] || taken[next] {
			continue
		}
		taken[addr], taken[next] = true, true
		out = append(out, addr)
	}
	return out
}

func free(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// ephemeralStart is the first port the kernel gives outgoing connections
// (Linux's default when it cannot be read).
func ephemeralStart() int {
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &lo)
	}
	return max(lo, lowest+100)
}
