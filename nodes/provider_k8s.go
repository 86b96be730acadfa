package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/k8s"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// The k8s provider (protoactor-go's cluster/clusterproviders/k8s) labels
// this node's pod with the cluster's name, its cluster port, a member id
// and its kinds, and watches the pods labelled with the same cluster name:
// a member is such a pod that is Running with every container ready, at
// its pod IP and the labelled port. So kefu's service account needs get,
// list, watch and patch on pods in its namespace, and -cluster-addr must
// be the pod's IP (Config.Validate). The provider reads the pod's name as
// the host name and its namespace from the service account's files, as
// kefu does here.

// namespaceFile is where the provider reads the pod's namespace (without
// it, the provider cannot read its own pod).
const namespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// Bounds of the checks around the provider's start: one API call, and the
// wait for the provider's first label patch, which it retries on failure
// without telling anyone.
const (
	apiCallWait  = 5 * time.Second
	registerWait = 10 * time.Second
	registerPoll = 100 * time.Millisecond
)

// rbacHint names what a refused call usually lacks.
const rbacHint = "does kefu's ServiceAccount have get, list, watch and patch on pods (deploy/kubernetes/kefu-k8s.yaml)?"

// newK8sProvider builds the Kubernetes provider, after checking that this
// process is in a pod the API lets it read and label: the library would
// otherwise retry for ever in the background while the node runs unseen.
func newK8sProvider(cfg Config) (provider, error) {
	access := cfg.kube
	if access == nil {
		kube, err := inClusterConfig()
		if err != nil {
			return provider{}, err
		}
		access = &kubeAccess{config: kube}
	}
	kube := access.config
	client, err := kubernetes.NewForConfig(kube)
	if err != nil {
		return provider{}, fmt.Errorf("%s: %w", k8sFlag, err)
	}
	self, err := newPodSelf(client, access.namespace)
	if err != nil {
		return provider{}, fmt.Errorf("%s: %w", k8sFlag, err)
	}
	host, _, _ := cfg.hostPort()
	if err := self.prepare(cfg.Name, host); err != nil {
		return provider{}, fmt.Errorf("%s: %w", k8sFlag, err)
	}
	p, err := k8s.NewWithConfig(kube, access.opts...)
	if err != nil {
		return provider{}, fmt.Errorf("%s: %w", k8sFlag, err)
	}
	return provider{
		ClusterProvider: p,
		check: func(*actor.ActorSystem) error {
			if err := self.registered(cfg.Name); err != nil {
				return fmt.Errorf("%s: %w", k8sFlag, err)
			}
			return nil
		},
	}, nil
}

// k8sFlag names the choice in errors.
const k8sFlag = "-cluster-provider " + ProviderK8s

// inClusterConfig is the pod's own API configuration, or an error that
// says kefu is not in a pod.
func inClusterConfig() (*rest.Config, error) {
	kube, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("%s: not inside a Kubernetes pod (%v); elsewhere use -cluster-provider %s", k8sFlag, err, ProviderAutomanaged)
	}
	return kube, nil
}

// podSelf is this node's own pod, as the provider finds it.
type podSelf struct {
	client    kubernetes.Interface
	name      string
	namespace string
}

// newPodSelf finds this pod as the provider does: by the host name, in
// namespace or else the service account's.
func newPodSelf(client kubernetes.Interface, namespace string) (*podSelf, error) {
	name, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("cannot read the host name, which names the pod: %w", err)
	}
	if namespace == "" {
		ns, err := os.ReadFile(namespaceFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read this pod's namespace: %w", err)
		}
		namespace = strings.TrimSpace(string(ns))
	}
	return &podSelf{client: client, name: name, namespace: namespace}, nil
}

func (s *podSelf) get() (*v1.Pod, error) {
	ctx, cancel := context.WithTimeout(context.Background(), apiCallWait)
	defer cancel()
	pod, err := s.client.CoreV1().Pods(s.namespace).Get(ctx, s.name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("cannot read this pod %q (its host name) in namespace %q: %w; %s", s.name, s.namespace, err, rbacHint)
	}
	return pod, nil
}

// prepare checks, before the provider starts, what it will need: this
// pod, readable, at the address kefu advertises; the right to list and
// watch the cluster's pods. And it removes the labels a previous process
// in this pod left (one that was killed, or exited on a lost lease, does
// not deregister): the provider keeps an existing label over its own, so
// the new process would go on under the old member id, which the peers
// blocked for good when the old one left (cluster.MemberList blocks a
// member that leaves, by id), and the pod would never be a member again.
func (s *podSelf) prepare(name, host string) error {
	pod, err := s.get()
	if err != nil {
		return err
	}
	if pod.Status.PodIP != "" && pod.Status.PodIP != host {
		return fmt.Errorf("-cluster-addr's host %s is not this pod's IP %s: the provider publishes members at their pod IP (KEFU_CLUSTER_ADDR=$(POD_IP):7000)", host, pod.Status.PodIP)
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiCallWait)
	defer cancel()
	selector := metav1.ListOptions{LabelSelector: k8s.LabelCluster + "=" + name}
	if _, err := s.client.CoreV1().Pods(s.namespace).List(ctx, selector); err != nil {
		return fmt.Errorf("cannot list the cluster's pods: %w; %s", err, rbacHint)
	}
	w, err := s.client.CoreV1().Pods(s.namespace).Watch(ctx, selector)
	if err != nil {
		return fmt.Errorf("cannot watch the cluster's pods: %w; %s", err, rbacHint)
	}
	w.Stop()
	labels, stale := map[string]string{}, false
	for k, v := range pod.Labels {
		if strings.HasPrefix(k, k8s.LabelPrefix) {
			stale = true
			continue
		}
		labels[k] = v
	}
	if !stale {
		return nil
	}
	return s.setLabels(pod, labels)
}

// setLabels replaces the pod's labels as the provider does (a JSON patch
// of /metadata/labels), so it needs no other permission.
func (s *podSelf) setLabels(pod *v1.Pod, labels map[string]string) error {
	patch, err := json.Marshal([]map[string]any{{"op": "replace", "path": "/metadata/labels", "value": labels}})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiCallWait)
	defer cancel()
	if _, err := s.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("cannot clear a previous process's labels from this pod: %w; %s", err, rbacHint)
	}
	return nil
}

// registered waits until the provider has labelled this pod a member of
// the cluster name: from then on the peers see it once it is ready.
func (s *podSelf) registered(name string) error {
	deadline := time.Now().Add(registerWait)
	var last error
	for time.Now().Before(deadline) {
		pod, err := s.get()
		if err == nil {
			l := pod.Labels
			if l[k8s.LabelCluster] == name && l[k8s.LabelMemberID] != "" {
				if _, err := strconv.Atoi(l[k8s.LabelPort]); err == nil {
					return nil
				}
			}
			err = fmt.Errorf("labels %v", l)
		}
		last = err
		time.Sleep(registerPoll) // a poll's pause under the deadline above
	}
	return fmt.Errorf("the provider did not label this pod a member within %v (%v); %s", registerWait, last, rbacHint)
}
