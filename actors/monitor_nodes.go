package actors

import "time"

// The messages clients send are counted by the node that holds their
// socket, and the monitor may live on any node: each node's reporter
// (node_reporter.go) sends its running count, and the monitor adds up the
// differences between one node's samples. A running count makes a lost
// sample harmless (the next one carries it), and a node that restarts
// comes back under a new id (its actor system's), so its count from zero
// is a new node's baseline, never a step backwards.

// nodeSilentSamples is how many of its samples a node may miss before the
// monitor drops it: enough to ride out a slow hop or a lost sample, few
// enough that a dead node leaves the count of reporting nodes within
// seconds. A node heard again after it was dropped starts from a new
// baseline, so what it counted while silent is left out of the rate
// rather than landing in one sample as a spike. Dropping also bounds the
// map, which would otherwise keep every node id a restart ever made.
const nodeSilentSamples = 3

// nodeCount is one reporting node's latest sample.
type nodeCount struct {
	messages uint64
	heard    time.Time // the monitor's clock when it arrived
}

// heard adds a node's messages since its previous sample to the total. A
// node's first sample (a new node, or the monitor new on its node after a
// move) is only its baseline: its count so far happened before the
// monitor could place it in time.
func (m *monitor) heard(s *NodeSample) {
	last, known := m.nodes[s.Node]
	if known && s.Messages >= last.messages {
		m.messages += s.Messages - last.messages
	}
	m.nodes[s.Node] = nodeCount{messages: s.Messages, heard: m.Now()}
}

// dropSilent forgets the nodes not heard from for nodeSilentSamples
// samples.
func (m *monitor) dropSilent() {
	now := m.Now()
	for node, c := range m.nodes {
		if now.Sub(c.heard) > nodeSilentSamples*m.SampleEvery {
			delete(m.nodes, node)
		}
	}
}
