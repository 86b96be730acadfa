package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"kefu/nodes"
	"kefu/server"
)

// aStore is a PostgreSQL URL nothing listens at: the cluster flags only
// need one given, and a test that got as far as dialling it has failed.
const aStore = "postgres://kefu@127.0.0.1:1/kefu"

// parseCluster parses args (and the KEFU_ environment) as serve does and
// returns the cluster it would give the server.
func parseCluster(t *testing.T, args ...string) (nodes.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := addClusterFlags(fs)
	if err := parseFlags(fs, args, "KEFU_"); err != nil {
		return nodes.Config{}, err
	}
	cfg := server.Config{Store: aStore}
	err := f.apply(&cfg)
	return cfg.Cluster, err
}

// outsideKubernetes makes the process look like it runs outside a pod,
// even where the tests run in one.
func outsideKubernetes(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
}

func TestClusterProviderFlag(t *testing.T) {
	outsideKubernetes(t)
	t.Run("OKAutomanagedDefault", func(t *testing.T) {
		c, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000", "-cluster-peers", "10.0.0.1:7000,10.0.0.2:7000")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Provider, nodes.ProviderAutomanaged; got != want {
			t.Fatalf("Provider=%q, want %q", got, want)
		}
	})
	t.Run("ErrUnknownProvider", func(t *testing.T) {
		_, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000", "-cluster-peers", "10.0.0.1:7000", "-cluster-provider", "consul")
		wantErr(t, err, `-cluster-provider: "consul" is not one of automanaged, k8s`)
	})
	t.Run("ErrUnknownProviderFromEnv", func(t *testing.T) {
		t.Setenv("KEFU_CLUSTER_PROVIDER", "etcd")
		_, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000", "-cluster-peers", "10.0.0.1:7000")
		wantErr(t, err, `-cluster-provider: "etcd" is not one of`)
	})
	// k8s needs no peers: it passes validation and is refused only for
	// where it runs, which is a test's machine, not a pod.
	t.Run("ErrK8sOutsideKubernetes", func(t *testing.T) {
		_, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000", "-cluster-provider", "k8s")
		wantErr(t, err, "-cluster-provider k8s: not inside a Kubernetes pod")
	})
	t.Run("ErrK8sFromEnvOutsideKubernetes", func(t *testing.T) {
		t.Setenv("KEFU_CLUSTER_PROVIDER", "k8s")
		t.Setenv("KEFU_CLUSTER_ADDR", "10.0.0.1:7000")
		_, err := parseCluster(t)
		wantErr(t, err, "-cluster-provider k8s: not inside a Kubernetes pod")
	})
	t.Run("ErrK8sWithPeers", func(t *testing.T) {
		_, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000", "-cluster-provider", "k8s", "-cluster-peers", "10.0.0.1:7000")
		wantErr(t, err, "-cluster-peers: not used with -cluster-provider k8s")
	})
	t.Run("ErrK8sWithManagePort", func(t *testing.T) {
		_, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000", "-cluster-provider", "k8s", "-cluster-manage-port", "7001")
		wantErr(t, err, "-cluster-manage-port: automanaged's health port")
	})
	t.Run("ErrK8sAddrByName", func(t *testing.T) {
		_, err := parseCluster(t, "-cluster-addr", "kefu-0.kefu:7000", "-cluster-provider", "k8s")
		wantErr(t, err, "-cluster-addr: with -cluster-provider k8s the host must be this pod's IPv4 address")
	})
	t.Run("ErrAutomanagedWithoutPeers", func(t *testing.T) {
		_, err := parseCluster(t, "-cluster-addr", "10.0.0.1:7000")
		wantErr(t, err, "-cluster-peers: empty")
	})
}

// TestServeK8sOutsideKubernetes runs serve as the binary does: outside a
// pod, -cluster-provider k8s ends it at once with an error naming the
// flag, before the store is dialled (aStore would refuse) or anything
// waits on an API server.
func TestServeK8sOutsideKubernetes(t *testing.T) {
	outsideKubernetes(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"-addr", "127.0.0.1:0", "-metrics-addr", "", "-data", t.TempDir(), "-store", aStore,
			"-cluster-addr", "10.0.0.1:7000", "-cluster-provider", "k8s"}, io.Discard)
	}()
	select {
	case err := <-done:
		wantErr(t, err, "-cluster-provider k8s: not inside a Kubernetes pod")
	case <-ctx.Done():
		t.Fatal("serve -cluster-provider k8s outside Kubernetes did not return within 10s")
	}
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err=%v, want one containing %q", err, want)
	}
}
