package nodes

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// fakeKube is as much of the Kubernetes API as the k8s provider uses:
// get a pod, list and watch pods by label, and replace a pod's labels with
// a JSON patch. The members run in child processes on one host, so they
// share a host name, which the provider takes for the pod's name: each
// member's bearer token says which pod it is instead.
type fakeKube struct {
	srv *httptest.Server

	mu       sync.Mutex
	pods     map[string]*v1.Pod // by name
	tokens   map[string]string  // bearer token → the pod asking
	watchers map[*kubeWatcher]bool
}

type kubeWatcher struct {
	selector labels.Selector
	events   chan []byte // bounded; a watcher too slow is a failed test
}

func newFakeKube(t *testing.T) *fakeKube {
	t.Helper()
	k := &fakeKube{pods: map[string]*v1.Pod{}, tokens: map[string]string{}, watchers: map[*kubeWatcher]bool{}}
	k.srv = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(k.srv.Close)
	return k
}

// addPod adds a running pod at 127.0.0.1 whose member authenticates with
// token; ready is its container's readiness.
func (k *fakeKube) addPod(name, token string, ready bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.tokens[token] = name
	k.pods[name] = &v1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: kubeNamespace, UID: types.UID("uid-" + name), Labels: map[string]string{"app": "kefu"}},
		Status: v1.PodStatus{
			Phase:             v1.PodRunning,
			PodIP:             "127.0.0.1",
			PodIPs:            []v1.PodIP{{IP: "127.0.0.1"}},
			ContainerStatuses: []v1.ContainerStatus{{Name: "kefu", Ready: ready}},
		},
	}
}

// update changes a pod as the kubelet or a process would, and tells the
// watchers.
func (k *fakeKube) update(name string, change func(*v1.Pod)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	pod := k.pods[name]
	before := labels.Set(pod.Labels)
	change(pod)
	k.notify(pod, before)
}

// labelsOf returns a copy of a pod's labels.
func (k *fakeKube) labelsOf(name string) map[string]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]string{}
	for key, v := range k.pods[name].Labels {
		out[key] = v
	}
	return out
}

// notify sends pod to each watcher that selects it now (MODIFIED) or
// selected it before (DELETED, as the API server does). Lock held.
func (k *fakeKube) notify(pod *v1.Pod, before labels.Set) {
	for w := range k.watchers {
		typ := watch.Modified
		switch {
		case w.selector.Matches(labels.Set(pod.Labels)):
		case w.selector.Matches(before):
			typ = watch.Deleted
		default:
			continue
		}
		w.events <- watchEvent(typ, pod)
	}
}

func watchEvent(typ watch.EventType, pod *v1.Pod) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "object": pod})
	return b
}

func (k *fakeKube) serve(w http.ResponseWriter, r *http.Request) {
	// /api/v1/pods[/NAME] or /api/v1/namespaces/NS/pods[/NAME]
	path := strings.TrimPrefix(r.URL.Path, "/api/v1/")
	if rest, ok := strings.CutPrefix(path, "namespaces/"); ok {
		_, path, _ = strings.Cut(rest, "/")
	}
	_, name, named := strings.Cut(path, "/")
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case r.Method == http.MethodGet && named:
		k.getSelf(w, token)
	case r.Method == http.MethodPatch && named:
		k.patch(w, r, name)
	case r.Method == http.MethodGet && r.URL.Query().Get("watch") == "true":
		k.watch(w, r)
	case r.Method == http.MethodGet:
		k.list(w, r)
	default:
		http.Error(w, "not in the fake", http.StatusNotImplemented)
	}
}

// getSelf answers a member's read of its own pod, whatever name it gave.
func (k *fakeKube) getSelf(w http.ResponseWriter, token string) {
	k.mu.Lock()
	pod, ok := k.pods[k.tokens[token]]
	var b []byte
	if ok {
		b, _ = json.Marshal(pod)
	}
	k.mu.Unlock()
	if !ok {
		http.Error(w, "no such pod", http.StatusNotFound)
		return
	}
	writeJSON(w, b)
}

func (k *fakeKube) patch(w http.ResponseWriter, r *http.Request, name string) {
	var ops []struct {
		Op    string            `json:"op"`
		Path  string            `json:"path"`
		Value map[string]string `json:"value"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &ops); err != nil || len(ops) != 1 || ops[0].Op != "replace" || ops[0].Path != "/metadata/labels" {
		http.Error(w, "the fake patches labels only: "+string(body), http.StatusUnprocessableEntity)
		return
	}
	k.mu.Lock()
	pod, ok := k.pods[name]
	if ok {
		before := labels.Set(pod.Labels)
		pod.Labels = ops[0].Value
		k.notify(pod, before)
	}
	b, _ := json.Marshal(pod)
	k.mu.Unlock()
	if !ok {
		http.Error(w, "no such pod", http.StatusNotFound)
		return
	}
	writeJSON(w, b)
}

func (k *fakeKube) list(w http.ResponseWriter, r *http.Request) {
	sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	list := v1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}}
	k.mu.Lock()
	for _, p := range k.pods {
		if sel.Matches(labels.Set(p.Labels)) {
			list.Items = append(list.Items, *p)
		}
	}
	b, _ := json.Marshal(list)
	k.mu.Unlock()
	writeJSON(w, b)
}

// watch streams events until the client goes: first an ADDED for each pod
// selected now, as the API server does for a watch without a version.
func (k *fakeKube) watch(w http.ResponseWriter, r *http.Request) {
	sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	wt := &kubeWatcher{selector: sel, events: make(chan []byte, 256)}
	k.mu.Lock()
	for _, p := range k.pods {
		if sel.Matches(labels.Set(p.Labels)) {
			wt.events <- watchEvent(watch.Added, p)
		}
	}
	k.watchers[wt] = true
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		delete(k.watchers, wt)
		k.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev := <-wt.events:
			if _, err := w.Write(append(ev, '\n')); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
