package loadtest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// A run drives one server or several: the nodes of a cluster, which share
// one store and let a client connect to any of them. -server lists their
// base URLs, comma-separated. Customer i and agent i each belong to server
// i mod n (round-robin by index within each kind), so every node gets
// agents and customers alike. A client stays on the server it last got
// into: a reconnection (churn) dials it again, and only a failed dial
// moves the client on to the next server in the list, where it resumes
// with its token (a cluster node that died, or refuses sockets, loses its
// clients to its neighbour). Provisioning follows the same rule: agent i's
// account is made, and its token got, on agent i's server.

// serverSep separates the base URLs of -server and the ids of -server-pid.
const serverSep = ","

// serverList splits -server into its base URLs, each without a trailing
// slash.
func serverList(s string) ([]string, error) {
	var out []string
	for _, one := range strings.Split(s, serverSep) {
		one = strings.TrimSpace(one)
		u, err := url.Parse(one)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("want http://HOST:PORT (or several, comma-separated), got %q", one)
		}
		out = append(out, strings.TrimSuffix(one, "/"))
	}
	return out, nil
}

// servers is -server's list. validate refuses a bad one; a Config built
// without it (in tests) is taken as one server, as it always was.
func (c *Config) servers() []string {
	if s, err := serverList(c.Server); err == nil {
		return s
	}
	return []string{strings.TrimSuffix(c.Server, "/")}
}

// pids is -server-pid's list, in -server's order: empty when not given.
func (c *Config) pids() []int {
	if c.ServerPID == 0 {
		return nil
	}
	out := []int{c.ServerPID}
	if c.MorePIDs != "" {
		for _, f := range strings.Split(c.MorePIDs, serverSep) {
			pid, _ := strconv.Atoi(f) // pidFlag wrote them
			out = append(out, pid)
		}
	}
	return out
}

// pidFlag is -server-pid: one process id, or one per server. The first
// goes to Config.ServerPID, the others to Config.MorePIDs, so that a
// single server's Config is what it always was.
type pidFlag struct {
	first *int
	rest  *string
}

func (f pidFlag) String() string {
	if f.first == nil || *f.first == 0 {
		return ""
	}
	if *f.rest == "" {
		return strconv.Itoa(*f.first)
	}
	return strconv.Itoa(*f.first) + serverSep + *f.rest
}

func (f pidFlag) Set(s string) error {
	var ids []string
	for _, field := range strings.Split(s, serverSep) {
		pid, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || pid <= 0 {
			return fmt.Errorf("want a process id (or several, comma-separated), got %q", field)
		}
		ids = append(ids, strconv.Itoa(pid))
	}
	*f.first, _ = strconv.Atoi(ids[0])
	*f.rest = strings.Join(ids[1:], serverSep)
	return nil
}

// home is the server client i of a kind starts on.
func (h *harness) home(i int) int { return i % len(h.servers) }

// next is the server after srv, where a client goes when srv refused it.
func (h *harness) next(srv int) int { return (srv + 1) % len(h.servers) }

// nativeURL is server srv's native WebSocket: /ws on its main listener.
func (h *harness) nativeURL(srv int) string { return wsBase(h.servers[srv]) + "/ws" }
