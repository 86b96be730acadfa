package main

import (
	"flag"
	"fmt"

	"kefu/nodes"
	"kefu/server"
	"kefu/store/choose"
)

// clusterFlags are serve's flags for running as one node of a cluster
// (docs/cluster.md). Without -cluster-addr kefu is a single node.
type clusterFlags struct {
	addr, peers, provider, name *string
	managePort                  *int
}

func addClusterFlags(fs *flag.FlagSet) *clusterFlags {
	return &clusterFlags{
		addr:       fs.String("cluster-addr", "", "HOST:PORT of this node's cluster listener, reachable by its peers; empty: a single node"),
		peers:      fs.String("cluster-peers", "", "comma-separated -cluster-addr of every member (this node may be among them); a node serves only while it sees a majority of them. automanaged only"),
		provider:   fs.String("cluster-provider", nodes.ProviderAutomanaged, "how members find each other: automanaged (peers poll each other's health port) or k8s (the pods of -cluster-name, through the Kubernetes API; -cluster-addr is then $(POD_IP):PORT)"),
		name:       fs.String("cluster-name", nodes.DefaultName, "members with another name are not peers"),
		managePort: fs.Int("cluster-manage-port", 0, "automanaged's health port, on every interface; 0: the port of -cluster-addr plus one. automanaged only"),
	}
}

// apply puts the flags into cfg, refusing a cluster without a shared store
// or a provider that cannot work where kefu runs.
func (f *clusterFlags) apply(cfg *server.Config) error {
	if *f.addr == "" {
		return nil
	}
	if choose.IsSQLite(cfg.Store) {
		return fmt.Errorf("-cluster-addr: the nodes of a cluster share one PostgreSQL store; set -store postgres://…")
	}
	c := nodes.Config{Name: *f.name, Addr: *f.addr, Peers: splitList(*f.peers), Provider: *f.provider, ManagePort: *f.managePort}
	if err := c.Validate(); err != nil {
		return err
	}
	// Before the store is opened: outside Kubernetes, k8s fails here.
	if err := c.CheckEnvironment(); err != nil {
		return err
	}
	cfg.Cluster = c
	return nil
}
