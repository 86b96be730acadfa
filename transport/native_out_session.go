package transport

import "kefu/actors"

// The native protocol's server frames about the connection itself rather
// than one conversation: welcome, the customer's place in the queue, the
// agent's state and the agent list, errors, and the bare ping and pong.
// Field order is wire order.

// typeOnly is a frame with nothing but its type: dequeued, ping, pong.
type typeOnly struct {
	Type string `json:"type"`
}

type welcomeOut struct {
	Type      string    `json:"type"`
	V         int       `json:"v"`
	You       *partyOut `json:"you"`
	Token     string    `json:"token,omitempty"`
	Status    string    `json:"status,omitempty"`
	Capacity  int       `json:"capacity,omitempty"`
	MaxCap    int       `json:"maxCapacity,omitempty"`
	State     string    `json:"state,omitempty"`
	Heartbeat int64     `json:"heartbeatMs"`
	MaxText   int       `json:"maxTextBytes,omitempty"`
	MaxFile   int64     `json:"maxFileBytes,omitempty"`
}

func welcomeFrame(m *actors.Welcome) welcomeOut {
	return welcomeOut{frameWelcome, actors.ProtocolVersion, party(m.You), m.Token, string(m.Status), m.Capacity, m.MaxCapacity, m.State, m.Heartbeat.Milliseconds(), m.MaxTextBytes, m.MaxFileBytes}
}

type queuedOut struct {
	Type     string `json:"type"`
	Position int    `json:"position"`
	ETA      *int64 `json:"eta"`
	Reason   string `json:"reason,omitempty"` // only when the position moved back
	Team     string `json:"team,omitempty"`   // the team whose queue it is
}

func queuedFrame(m *actors.Queued) queuedOut {
	var eta *int64 // null: no agent is available, so no honest estimate
	if m.ETA >= 0 {
		secs := int64(m.ETA.Seconds())
		eta = &secs
	}
	return queuedOut{frameQueued, m.Position, eta, m.Moved, m.Team}
}

type stateOut struct {
	Type     string `json:"type"`
	Status   string `json:"status"`
	Capacity int    `json:"capacity"`
}

func stateFrame(m *actors.AgentState) stateOut {
	return stateOut{frameState, string(m.Status), m.Capacity}
}

type (
	listedAgentOut struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Status   string `json:"status"`
		Load     int    `json:"load"`
		Capacity int    `json:"capacity"`
	}
	agentsOut struct {
		Type   string           `json:"type"`
		Agents []listedAgentOut `json:"agents"`
	}
)

func agentsFrame(m *actors.AgentList) agentsOut {
	list := make([]listedAgentOut, 0, len(m.Agents))
	for _, a := range m.Agents {
		list = append(list, listedAgentOut{a.ID, a.Name, string(a.Status), a.Load, a.Capacity})
	}
	return agentsOut{frameAgents, list}
}

type errorOut struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	CID     string `json:"cid,omitempty"`
}

func errorFrame(m *actors.FrameError) errorOut {
	return errorOut{frameError, m.Code, m.Message, m.Ref}
}
