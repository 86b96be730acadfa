package transport

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"kefu/actors"
)

// The server's frames of the native protocol, as encoded for the wire
// (docs/protocol.md); native_codec.go decodes the client's.

// Frames the server sends.
type (
	partyOut struct {
		ID   string `json:"id"`
		Role string `json:"role,omitempty"`
		Name string `json:"name"`
	}
	msgOut struct {
		Type string    `json:"type"`
		Conv string    `json:"conv,omitempty"`
		Seq  uint64    `json:"seq,omitempty"`
		From partyOut  `json:"from"`
		Text string    `json:"text"`
		CID  string    `json:"cid,omitempty"`
		At   time.Time `json:"at"`
	}
)

type readOut struct {
	By  string `json:"by"`
	Seq uint64 `json:"seq"`
}

// handoffOut is one hand-off in a conv frame to an agent: to is null for
// a trip back to the queue.
type handoffOut struct {
	By   *partyOut `json:"by"`
	To   *partyOut `json:"to"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

func handoffs(hs []actors.Handoff) []handoffOut {
	if len(hs) == 0 {
		return nil
	}
	out := make([]handoffOut, len(hs))
	for i, h := range hs {
		out[i] = handoffOut{By: party(h.By), To: party(h.To), Note: h.Note, At: h.At.UTC()}
	}
	return out
}

// reads lists read marks in a stable order.
func reads(marks map[string]uint64) []readOut {
	out := make([]readOut, 0, len(marks))
	for by, seq := range marks {
		out = append(out, readOut{By: by, Seq: seq})
	}
	slices.SortFunc(out, func(a, b readOut) int { return strings.Compare(a.By, b.By) })
	return out
}

func party(p actors.Party) *partyOut {
	if p.ID == "" {
		return nil
	}
	return &partyOut{ID: p.ID, Role: p.Role.String(), Name: p.Name}
}

func message(m *actors.ConvMessage) msgOut {
	return msgOut{Type: "msg", Conv: string(m.Conv), Seq: m.Seq, From: *party(m.From), Text: m.Text, CID: m.ClientID, At: m.At.UTC()}
}

// messages turns a page of history into msg objects, [] for none.
func messages(ms []actors.ConvMessage) []msgOut {
	out := make([]msgOut, len(ms))
	for i := range ms {
		out[i] = message(&ms[i])
	}
	return out
}

// Encode implements actors.Codec.
func (NativeCodec) Encode(msg any) []byte {
	var out any
	switch m := msg.(type) {
	case *actors.Welcome:
		w := struct {
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
		}{"welcome", actors.ProtocolVersion, party(m.You), m.Token, string(m.Status), m.Capacity, m.MaxCapacity, m.State, m.Heartbeat.Milliseconds(), m.MaxTextBytes}
		out = w
	case *actors.Queued:
		var eta *int64 // null: no agent is available, so no honest estimate
		if m.ETA >= 0 {
			secs := int64(m.ETA.Seconds())
			eta = &secs
		}
		out = struct {
			Type     string `json:"type"`
			Position int    `json:"position"`
			ETA      *int64 `json:"eta"`
			Reason   string `json:"reason,omitempty"` // only when the position moved back
		}{"queued", m.Position, eta, m.Moved}
	case *actors.Dequeued:
		out = struct {
			Type string `json:"type"`
		}{"dequeued"}
	case *actors.ConvOpened:
		out = struct {
			Type     string       `json:"type"`
			Conv     string       `json:"conv"`
			Why      string       `json:"why"`
			Customer *partyOut    `json:"customer"`
			Agent    *partyOut    `json:"agent"`
			After    uint64       `json:"after"`
			History  []msgOut     `json:"history"`
			More     bool         `json:"more,omitempty"`
			Reads    []readOut    `json:"reads,omitempty"`
			Handoffs []handoffOut `json:"handoffs,omitempty"`
		}{"conv", string(m.Conv), m.Why, party(m.Customer), party(m.Agent), m.After, messages(m.History), m.More, reads(m.Reads), handoffs(m.Handoffs)}
	case *actors.History:
		out = struct {
			Type    string   `json:"type"`
			Conv    string   `json:"conv"`
			Before  uint64   `json:"before"`
			History []msgOut `json:"history"`
			More    bool     `json:"more"`
		}{"history", string(m.Conv), m.Before, messages(m.Messages), m.More}
	case *actors.Ack:
		out = struct {
			Type string    `json:"type"`
			Conv string    `json:"conv"`
			CID  string    `json:"cid"`
			Seq  uint64    `json:"seq"`
			At   time.Time `json:"at"`
		}{"ack", string(m.Conv), m.ClientID, m.Seq, m.At.UTC()}
	case *actors.ReadNotice:
		out = struct {
			Type string    `json:"type"`
			Conv string    `json:"conv"`
			By   *partyOut `json:"by"`
			Seq  uint64    `json:"seq"`
		}{"read", string(m.Conv), party(m.By), m.Seq}
	case *actors.ConvMessage:
		if m.Conv == "" {
			return nil // a compat-only echo
		}
		out = message(m)
	case *actors.TypingNotice:
		out = struct {
			Type string    `json:"type"`
			Conv string    `json:"conv"`
			From *partyOut `json:"from"`
		}{"typing", string(m.Conv), party(m.From)}
	case *actors.AgentChanged:
		out = struct {
			Type  string    `json:"type"`
			Conv  string    `json:"conv"`
			Agent *partyOut `json:"agent"`
		}{"agent", string(m.Conv), party(m.Agent)}
	case *actors.Requeued:
		out = struct {
			Type   string `json:"type"`
			Conv   string `json:"conv"`
			Reason string `json:"reason"`
		}{"requeued", string(m.Conv), m.Reason}
	case *actors.ConvClosed:
		out = struct {
			Type   string    `json:"type"`
			Conv   string    `json:"conv"`
			By     *partyOut `json:"by"`
			Reason string    `json:"reason"`
		}{"ended", string(m.Conv), party(m.By), m.Reason}
	case *actors.AgentState:
		out = struct {
			Type     string `json:"type"`
			Status   string `json:"status"`
			Capacity int    `json:"capacity"`
		}{"state", string(m.Status), m.Capacity}
	case *actors.AgentList:
		type agentOut struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Status   string `json:"status"`
			Load     int    `json:"load"`
			Capacity int    `json:"capacity"`
		}
		list := make([]agentOut, 0, len(m.Agents))
		for _, a := range m.Agents {
			list = append(list, agentOut{a.ID, a.Name, string(a.Status), a.Load, a.Capacity})
		}
		out = struct {
			Type   string     `json:"type"`
			Agents []agentOut `json:"agents"`
		}{"agents", list}
	case *actors.FrameError:
		out = struct {
			Type    string `json:"type"`
			Code    string `json:"code"`
			Message string `json:"message"`
			CID     string `json:"cid,omitempty"`
		}{"error", m.Code, m.Message, m.Ref}
	case *actors.Rated:
		out = struct {
			Type   string `json:"type"`
			Conv   string `json:"conv"`
			Rating int    `json:"rating"`
		}{"rated", string(m.Conv), m.Rating}
	case *actors.Heartbeat:
		out = struct {
			Type string `json:"type"`
		}{"ping"}
	case *actors.Pong:
		out = struct {
			Type string `json:"type"`
		}{"pong"}
	default:
		return nil // *Kick: the close frame says it all
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil // unreachable: these types always marshal
	}
	return b
}
