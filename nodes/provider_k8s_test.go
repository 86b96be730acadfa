package nodes

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/k8s"
	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"

	"kefu/internal/freeport"
	"kefu/internal/poll"
	"kefu/internal/racelog"
)

// A member child joins with the k8s provider when given a fake API server
// and the token naming its pod.
const (
	kubeEnv      = "KEFU_NODES_KUBE"
	kubeTokenEnv = "KEFU_NODES_KUBE_TOKEN"
)

func childK8sConfig() (Config, bool) {
	api := os.Getenv(kubeEnv)
	if api == "" {
		return Config{}, false
	}
	return Config{Name: childCluster, Addr: os.Getenv("KEFU_NODES_ADDR"), Provider: ProviderK8s, kube: &kubeAccess{
		config:    &rest.Config{Host: api, BearerToken: os.Getenv(kubeTokenEnv)},
		namespace: kubeNamespace,
		opts:      []k8s.Option{providerNamespace(kubeNamespace)},
	}}, true
}

// kubeNamespace is the fake API's pods' namespace.
const kubeNamespace = "default"

// providerNamespace sets the library provider's namespace, which it
// otherwise reads from the service account's file only: the field is
// unexported and no option sets it, so the test reaches it by reflection.
func providerNamespace(ns string) k8s.Option {
	return func(p *k8s.Provider) {
		f := reflect.ValueOf(p).Elem().FieldByName("namespace")
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetString(ns)
	}
}

// startK8sMember starts a member process that is pod (authenticating as
// token) of kube's cluster, and waits for it to have joined.
func startK8sMember(t *testing.T, kube *fakeKube, token, races string) *child {
	t.Helper()
	c := &child{addr: freeport.Pair(t), lines: make(chan string, 16)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), childEnv+"=1", "KEFU_NODES_ADDR="+c.addr, kubeEnv+"="+kube.srv.URL, kubeTokenEnv+"="+token, racelog.Env(races))
	c.cmd.Stderr = os.Stderr
	c.in, _ = c.cmd.StdinPipe()
	out, _ := c.cmd.StdoutPipe()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go c.read(out)
	t.Cleanup(c.kill)
	if line := c.next(t, 30*time.Second); line != "ready" {
		t.Fatalf("member %s: %s", c.addr, line)
	}
	return c
}

// members is how many members c sees.
func (c *child) memberCount(t *testing.T) int {
	t.Helper()
	var n int
	fmt.Sscanf(c.do(t, "members"), "members %d", &n)
	return n
}

func setReady(ready bool) func(*v1.Pod) {
	return func(p *v1.Pod) { p.Status.ContainerStatuses[0].Ready = ready }
}

// TestK8sMembersFindEachOther runs two members with the k8s provider
// against a fake API server: each labels its pod, each sees the other
// through the watch once its pod is ready, and a grain asked for on
// either is one activation. The second pod first holds the labels of a
// process of its own that died without deregistering, which the first
// member saw leave (and so blocked by member id): kefu must clear them,
// or the pod would never be a member again.
func TestK8sMembersFindEachOther(t *testing.T) {
	races := t.TempDir()
	t.Cleanup(func() { racelog.Check(t, races) })
	kube := newFakeKube(t)
	kube.addPod("kefu-0", "token-0", true)
	kube.addPod("kefu-1", "token-1", false)

	a := startK8sMember(t, kube, "token-0", races)
	if l := kube.labelsOf("kefu-0"); l[k8s.LabelCluster] != childCluster || l[k8s.LabelMemberID] == "" || l[k8s.LabelKind+"-"+echoKind] != "true" {
		t.Fatalf("kefu-0's labels after joining: %v", l)
	}
	poll.Until(t, 10*time.Second, "the first member sees itself", func() bool { return a.memberCount(t) == 1 })

	// A previous process in kefu-1: registered, ready, then killed.
	kube.update("kefu-1", func(p *v1.Pod) {
		p.Labels[k8s.LabelCluster] = childCluster
		p.Labels[k8s.LabelPort] = "1"
		p.Labels[k8s.LabelMemberID] = "dead-process"
		setReady(true)(p)
	})
	poll.Until(t, 10*time.Second, "the first member sees the dead process join", func() bool { return a.memberCount(t) == 2 })
	kube.update("kefu-1", setReady(false))
	poll.Until(t, 10*time.Second, "the first member sees the dead process leave", func() bool { return a.memberCount(t) == 1 })

	b := startK8sMember(t, kube, "token-1", races)
	if l := kube.labelsOf("kefu-1"); l[k8s.LabelMemberID] == "dead-process" {
		t.Fatalf("kefu-1 joined under its dead predecessor's member id: %v", l)
	}
	kube.update("kefu-1", setReady(true)) // the kubelet, once kefu answers its probe
	for _, c := range []*child{a, b} {
		poll.Until(t, 10*time.Second, "member "+c.addr+" sees both", func() bool { return c.memberCount(t) == 2 })
	}
	nodeA, _ := a.ask(t, "shared")
	nodeB, seen := b.ask(t, "shared")
	if nodeA != nodeB || seen != 2 {
		t.Fatalf("asked from both members: answered by %s and %s (seen %d), want one activation", nodeA, nodeB, seen)
	}
}

// TestK8sJoinOutsideKubernetes: Join itself (a server configured without
// the flags) fails at once outside a pod, naming the flag.
func TestK8sJoinOutsideKubernetes(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	system := actor.NewActorSystem()
	start := time.Now()
	_, err := Join(system, Config{Addr: "127.0.0.1:7000", Provider: ProviderK8s}, nil)
	if err == nil || !strings.Contains(err.Error(), "-cluster-provider k8s: not inside a Kubernetes pod") {
		t.Fatalf("err=%v, want not inside a Kubernetes pod", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Join took %v to refuse", took)
	}
}
