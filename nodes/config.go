package nodes

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/k8s"
	"k8s.io/client-go/rest"
)

// Providers a node can find its peers with.
const (
	ProviderAutomanaged = "automanaged" // peers poll each other's health port; no external service
	ProviderK8s         = "k8s"         // the pods of the cluster's name, listed and watched through the Kubernetes API
)

// providers lists the values -cluster-provider accepts, for its messages.
var providers = []string{ProviderAutomanaged, ProviderK8s}

// Config is what a node needs to join a cluster. Its zero value is not a
// cluster: kefu runs as one node when Addr is empty.
type Config struct {
	Name     string   // cluster name; members of other names are ignored
	Addr     string   // HOST:PORT of this node's remote (gRPC) listener
	Peers    []string // every member's Addr, optionally "/MANAGEPORT"; may include this node
	Provider string
	// ManagePort is automanaged's health listener on this node. Zero: the
	// port of Addr plus one.
	ManagePort int
	// Refresh is how often automanaged polls its peers.
	Refresh time.Duration
	Grains  GrainConfig

	// kube is the Kubernetes API the k8s provider talks to. nil: the pod's
	// own (in-cluster) configuration; tests point it at a fake API server.
	kube *kubeAccess
}

// kubeAccess is a Kubernetes API other than the pod's own, for tests.
type kubeAccess struct {
	config    *rest.Config
	namespace string
	// opts reach into the library's provider, which takes its namespace
	// only from the pod's service account files.
	opts []k8s.Option
}

// DefaultName is the cluster name when none is given.
const DefaultName = "kefu"

// Enabled reports whether c asks for a cluster.
func (c Config) Enabled() bool { return c.Addr != "" }

// hostPort splits Addr.
func (c Config) hostPort() (string, int, error) { return splitHostPort(c.Addr) }

// managePort is the health port of this node.
func (c Config) managePort() (int, error) {
	if c.ManagePort != 0 {
		return c.ManagePort, nil
	}
	_, port, err := c.hostPort()
	return port + 1, err
}

// peerManageAddrs are the HOST:PORT automanaged polls: each peer's health
// port, its remote port plus one unless written "HOST:PORT/MANAGEPORT".
func (c Config) peerManageAddrs() ([]string, error) {
	out := make([]string, 0, len(c.Peers))
	for _, p := range c.Peers {
		addr, manage, found := strings.Cut(strings.TrimSpace(p), "/")
		host, port, err := splitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("peer %q: %w", p, err)
		}
		mport := port + 1
		if found {
			if mport, err = strconv.Atoi(manage); err != nil || mport <= 0 || mport > 65535 {
				return nil, fmt.Errorf("peer %q: bad manage port %q", p, manage)
			}
		}
		out = append(out, net.JoinHostPort(host, strconv.Itoa(mport)))
	}
	return out, nil
}

// Validate says what is wrong with c, for a node that asks for a cluster.
func (c Config) Validate() error {
	host, _, err := c.hostPort()
	if err != nil {
		return fmt.Errorf("-cluster-addr: %w", err)
	}
	switch c.Provider {
	case ProviderAutomanaged:
		if len(c.Peers) == 0 {
			return fmt.Errorf("-cluster-peers: empty; list every member's -cluster-addr")
		}
		if _, err := c.peerManageAddrs(); err != nil {
			return fmt.Errorf("-cluster-peers: %w", err)
		}
	case ProviderK8s:
		// The members are the pods the API server lists, so a list of
		// peers would only mislead (it is neither dialled nor counted).
		if len(c.Peers) != 0 {
			return fmt.Errorf("-cluster-peers: not used with -cluster-provider %s, which finds the members through the Kubernetes API; remove it", ProviderK8s)
		}
		if c.ManagePort != 0 {
			return fmt.Errorf("-cluster-manage-port: automanaged's health port; not used with -cluster-provider %s", ProviderK8s)
		}
		// The provider publishes a member as its pod's IP and this port,
		// and kefu matches members to leases by that address: anything
		// but the pod's IP here would never match.
		if ip := net.ParseIP(host); ip == nil || ip.To4() == nil {
			return fmt.Errorf("-cluster-addr: with -cluster-provider %s the host must be this pod's IPv4 address (KEFU_CLUSTER_ADDR=$(POD_IP):7000, from the downward API), not %q", ProviderK8s, host)
		}
	default:
		return fmt.Errorf("-cluster-provider: %q is not one of %s", c.Provider, strings.Join(providers, ", "))
	}
	return nil
}

// Majority is how many live members a node must see to keep serving: a
// majority of -cluster-peers. With the k8s provider there is no list, so
// it is one (the node itself): membership then comes from the API server,
// which every member reads alike, and the store's fencing still decides
// who may write (docs/cluster.md, "Kubernetes").
func (c Config) Majority() int { return len(c.Peers)/2 + 1 }

func splitHostPort(addr string) (string, int, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port <= 0 || port >= 65535 {
		return "", 0, fmt.Errorf("bad port in %q", addr)
	}
	if host == "" {
		return "", 0, fmt.Errorf("no host in %q: peers must be able to reach it", addr)
	}
	return host, port, nil
}
