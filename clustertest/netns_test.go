package clustertest

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"kefu/internal/hostnet"
)

// A private network for the partition scenario (issue 16): each node in a
// network namespace of its own, joined through a router namespace, and the
// host (the driver, PostgreSQL) through one more veth to the router.
//
//	host  kptTAG 10.231.0.1 ── tohost 10.231.0.254 ┐
//	node0 eth0   10.231.1.1 ── n0     10.231.1.254 ├ router (forwarding)
//	node1 eth0   10.231.2.1 ── n1     10.231.2.254 │
//	node2 eth0   10.231.3.1 ── n2     10.231.3.254 ┘
//
// No namespace has a default route, and the host only gains a route for
// netSubnet through its own veth: no packet of the test can leave the
// hosts it made. Everything is deleted when the test ends, and leftovers
// of a run that was killed are deleted at the next start (by netPrefix).
//
// 10.231.0.0/16: private (RFC 1918), and away from the ranges that Docker
// (172.17/16, 10.0.x-10.10.x pools), libvirt (192.168.122/24), Kubernetes
// (10.96/12, 10.244/16) and cloud VPC defaults (10.0/16, 172.31/16) take;
// newNetwork refuses to run if the host already routes or holds any of it.
const (
	netSubnet  = "10.231.0.0/16"
	netPrefix  = "kefupt-" // every namespace of the test's; host veths start with linkPrefix
	linkPrefix = "kpt"
	hostAddr   = "10.231.0.1" // the host's end: PostgreSQL listens here
	routerHost = "254"        // the router's address on each /24
	hostPort   = "tohost"     // the router's end of the host's veth
	// clusterPort is each node's -cluster-addr port (and automanaged's
	// health port the next one): fixed, as each namespace has its own
	// ports and nothing else listens there.
	clusterPort = 7100
)

// network is one run's namespaces.
type network struct {
	t      *testing.T
	router string   // the router namespace
	nodes  []string // node i's namespace
	link   string   // the host's veth
}

// requireNetns skips t unless it may build namespaces (Linux, root, ip);
// under CI=true it fails instead, so CI never passes by skipping it.
func requireNetns(t *testing.T) {
	t.Helper()
	switch {
	case runtime.GOOS != "linux":
		needNetns(t, "Linux")
	case os.Geteuid() != 0:
		needNetns(t, "root (it creates network namespaces)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		needNetns(t, "iproute2's ip on the PATH")
	}
}

func needNetns(t *testing.T, what string) {
	t.Helper()
	msg := "the partition test needs " + what
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: failing rather than skipping)")
	}
	t.Skip("skipping: " + msg)
}

// newNetwork builds the router, count node namespaces and the host's
// link, torn down when t ends.
func newNetwork(t *testing.T, count int) *network {
	t.Helper()
	requireNetns(t)
	release, err := hostnet.Change() // before the host's veth: see hostnet
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release) // after n.remove, which is registered later
	removeLeftovers(t)
	if out := ipOut(t, "-4", "route", "show", "root", netSubnet) + ipOut(t, "-4", "-o", "addr", "show", "to", netSubnet); out != "" {
		needNetns(t, "the host not to use "+netSubnet+" already; it has:\n"+out)
	}
	tag := strings.ToLower(rand.Text()[:6])
	n := &network{t: t, router: netPrefix + tag + "-r", link: linkPrefix + tag}
	t.Cleanup(n.remove)
	if err := command("ip", "netns", "add", n.router); err != nil {
		needNetns(t, "permission to create network namespaces: "+err.Error())
	}
	n.ip(n.router, "link", "set", "dev", "lo", "up")
	n.exec(n.router, "sysctl", "-qw", "net.ipv4.ip_forward=1") // the router's own namespace only
	// The host's end: a route for netSubnet only, through the router.
	n.must("ip", "link", "add", n.link, "type", "veth", "peer", "name", hostPort, "netns", n.router)
	n.must("ip", "addr", "add", hostAddr+"/24", "dev", n.link)
	n.must("ip", "link", "set", "dev", n.link, "up")
	n.ip(n.router, "addr", "add", subnetAddr(0, routerHost)+"/24", "dev", hostPort)
	n.ip(n.router, "link", "set", "dev", hostPort, "up")
	n.must("ip", "route", "add", netSubnet, "via", subnetAddr(0, routerHost), "dev", n.link)
	for i := range count {
		ns := fmt.Sprintf("%s%s-n%d", netPrefix, tag, i)
		n.must("ip", "netns", "add", ns)
		n.nodes = append(n.nodes, ns)
		port := fmt.Sprintf("n%d", i)
		n.ip(n.router, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
		n.ip(n.router, "addr", "add", subnetAddr(i+1, routerHost)+"/24", "dev", port)
		n.ip(n.router, "link", "set", "dev", port, "up")
		n.ip(ns, "link", "set", "dev", "lo", "up")
		n.ip(ns, "addr", "add", n.nodeAddr(i)+"/24", "dev", "eth0")
		n.ip(ns, "link", "set", "dev", "eth0", "up")
		n.ip(ns, "route", "add", netSubnet, "via", subnetAddr(i+1, routerHost))
	}
	return n
}

// nodeAddr is node i's address, in its namespace.
func (n *network) nodeAddr(i int) string { return subnetAddr(i+1, "1") }

// prefix is the command that runs a program in node i's namespace.
func (n *network) prefix(i int) []string { return []string{"ip", "netns", "exec", n.nodes[i]} }

// cut partitions node i from every other node, both ways, in the router:
// packets between their subnets are dropped without a word, as on a
// broken link, while node i still reaches the host (PostgreSQL, clients).
func (n *network) cut(i int) { n.rules(i, "add") }

// heal undoes cut.
func (n *network) heal(i int) { n.rules(i, "del") }

func (n *network) rules(i int, op string) {
	for j := range n.nodes {
		if j == i {
			continue
		}
		a, b := subnetAddr(i+1, "0")+"/24", subnetAddr(j+1, "0")+"/24"
		n.ip(n.router, "rule", op, "from", a, "to", b, "blackhole", "priority", "100")
		n.ip(n.router, "rule", op, "from", b, "to", a, "blackhole", "priority", "100")
	}
}

// remove deletes the namespaces (their veths with them) and the host's
// veth (its route with it).
func (n *network) remove() {
	for _, ns := range append([]string{n.router}, n.nodes...) {
		_ = command("ip", "netns", "del", ns)
	}
	_ = command("ip", "link", "del", n.link) // gone already with its router end
}

// removeLeftovers deletes what a killed run left: namespaces named
// netPrefix… and host veths named linkPrefix….
func removeLeftovers(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(ipOut(t, "netns", "list"), "\n") {
		if name, _, _ := strings.Cut(line, " "); strings.HasPrefix(name, netPrefix) {
			_ = command("ip", "netns", "del", name)
		}
	}
	// Lines read "12: kptab12cd@if3: <BROADCAST,…> …".
	for _, line := range strings.Split(ipOut(t, "-o", "link", "show", "type", "veth"), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@"); strings.HasPrefix(name, linkPrefix) {
			_ = command("ip", "link", "del", name)
		}
	}
}

// subnetAddr is 10.231.net.host.
func subnetAddr(net int, host string) string { return fmt.Sprintf("10.231.%d.%s", net, host) }

// ip runs ip in namespace ns.
func (n *network) ip(ns string, args ...string) { n.must("ip", append([]string{"-n", ns}, args...)...) }

// exec runs a command in namespace ns.
func (n *network) exec(ns string, args ...string) {
	n.must("ip", append([]string{"netns", "exec", ns}, args...)...)
}

func (n *network) must(name string, args ...string) {
	n.t.Helper()
	if err := command(name, args...); err != nil {
		n.t.Fatal(err)
	}
}

func command(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// ipOut is ip's output for a query.
func ipOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).Output()
	if err != nil {
		t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestNetwork checks the partition test's network without any kefu: a
// node reaches the host's end (where PostgreSQL listens) through the
// router, has no default route, and the router drops what node0 sends
// node1 once node0 is cut off, and forwards it again once healed.
func TestNetwork(t *testing.T) {
	lan := newNetwork(t, 2)
	l, err := net.Listen("tcp", net.JoinHostPort(hostAddr, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan struct{})
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Close()
			close(accepted)
		}
	}()
	// bash's /dev/tcp: the namespaces have no other client to dial with.
	lan.exec(lan.nodes[0], "bash", "-c", "exec 3<>/dev/tcp/"+strings.Replace(l.Addr().String(), ":", "/", 1))
	<-accepted
	for _, ns := range lan.nodes {
		if got := ipOut(t, "-n", ns, "route", "show", "default"); got != "" {
			t.Errorf("%s has a default route: %s", ns, got)
		}
	}
	if got := ipOut(t, "route", "show", "default"); strings.Contains(got, lan.link) {
		t.Errorf("the host's default route goes through the test's link: %s", got)
	}
	forwards := func() bool {
		return command("ip", "-n", lan.router, "route", "get", lan.nodeAddr(1), "from", lan.nodeAddr(0), "iif", "n0") == nil
	}
	if !forwards() {
		t.Fatal("the router does not forward node0 to node1")
	}
	lan.cut(0)
	if forwards() {
		t.Fatal("the router forwards node0 to node1 after the cut")
	}
	if command("ip", "-n", lan.router, "route", "get", hostAddr, "from", lan.nodeAddr(0), "iif", "n0") != nil {
		t.Fatal("the cut took node0's way to the host too")
	}
	lan.heal(0)
	if !forwards() {
		t.Fatal("the router does not forward node0 to node1 once healed")
	}
}
