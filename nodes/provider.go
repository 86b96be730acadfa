package nodes

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// provider is how this node finds its peers (-cluster-provider): the
// library's cluster provider, and a check, once the member has started,
// that the peers can find it. Both providers only log what goes wrong (a
// health port in use, a pod the API refuses to label) and would leave the
// node running unseen, so Join fails instead.
type provider struct {
	cluster.ClusterProvider
	check func(system *actor.ActorSystem) error
}

// newProvider builds cfg's provider. It fails at once where the provider
// cannot work (outside Kubernetes, for k8s) rather than start a member
// that is never found.
func newProvider(cfg Config) (provider, error) {
	if cfg.Provider == ProviderK8s {
		return newK8sProvider(cfg)
	}
	return newAutomanaged(cfg)
}

// CheckEnvironment says whether cfg's provider can work where this process
// runs, without starting anything: the k8s provider needs to be inside a
// pod (the in-cluster configuration). Join checks it again, and more.
func (c Config) CheckEnvironment() error {
	if c.Provider != ProviderK8s || c.kube != nil {
		return nil
	}
	_, err := inClusterConfig()
	return err
}
