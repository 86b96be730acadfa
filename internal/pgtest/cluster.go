package pgtest

import (
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Cluster is a PostgreSQL server of one test's own, for tests that stop
// and start the server: the shared one of KEFU_TEST_POSTGRES serves every
// other test running meanwhile, and must stay up. It is .ci/postgres.sh's
// throwaway cluster in a directory of its own.
type Cluster struct {
	URL    string // its postgres database, as the superuser
	dir    string // KEFU_PG_DIR for the script
	script string
	fsync  bool
	listen string // KEFU_PG_LISTEN: an address beside 127.0.0.1; "" for none
	trust  string // KEFU_PG_CLIENTS: the CIDR trusted from there
}

// NewCluster starts a cluster, deleted when tb ends. It needs PostgreSQL
// where KEFU_TEST_POSTGRES is set (it skips, or fails under CI=true, as
// ServerURL does): the same machine that can run the other tests. Like the
// shared test cluster it runs with fsync off; see NewDurableCluster.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	return newCluster(tb, &Cluster{})
}

// NewDurableCluster is NewCluster with fsync on, as a production server
// runs: for benchmarks, where the cost of flushing each commit counts.
func NewDurableCluster(tb testing.TB) *Cluster {
	tb.Helper()
	return newCluster(tb, &Cluster{fsync: true})
}

// NewClusterListening is NewCluster listening on addr too, beside
// 127.0.0.1, and trusting clients from the CIDR trust there: for nodes in
// network namespaces of the test's own, which cannot reach the host's
// loopback (clustertest's partition test). URL names addr. addr must be
// one of the test's own making, a veth it set up.
func NewClusterListening(tb testing.TB, addr, trust string) *Cluster {
	tb.Helper()
	return newCluster(tb, &Cluster{listen: addr, trust: trust})
}

func newCluster(tb testing.TB, c *Cluster) *Cluster {
	tb.Helper()
	ServerURL(tb)
	c.dir = filepath.Join(os.TempDir(), "kefu-pg-"+strings.ToLower(rand.Text()[:12]))
	c.script = filepath.Join(repoRoot(tb), ".ci", "postgres.sh")
	tb.Cleanup(func() { c.run(tb, "stop") })
	c.URL = c.run(tb, "start")
	return c
}

// Kill stops the server at once, as a crash would; Start brings it back.
func (c *Cluster) Kill(tb testing.TB) {
	tb.Helper()
	c.run(tb, "kill")
}

// Start starts the server again after Kill, on the same port.
func (c *Cluster) Start(tb testing.TB) {
	tb.Helper()
	c.run(tb, "start")
}

// run runs the script with cmd and returns its output, trimmed.
func (c *Cluster) run(tb testing.TB, cmd string) string {
	tb.Helper()
	sh := exec.Command("bash", c.script, cmd)
	sh.Env = append(os.Environ(), "KEFU_PG_DIR="+c.dir)
	if c.fsync {
		sh.Env = append(sh.Env, "KEFU_PG_FSYNC=on")
	}
	if c.listen != "" {
		sh.Env = append(sh.Env, "KEFU_PG_LISTEN="+c.listen, "KEFU_PG_CLIENTS="+c.trust)
	}
	out, err := sh.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		tb.Fatalf(".ci/postgres.sh %s: %v\n%s", cmd, err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// repoRoot is the directory holding go.mod, found from the test's own
// directory upwards.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
