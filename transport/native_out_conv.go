package transport

import (
	"time"

	"kefu/actors"
)

// The native protocol's server frames about one conversation: opened (or
// synced), a page of history, an ack of the client's message, read marks,
// typing, its agent changing, a trip back to the queue, its end and its
// rating. A msg is message, in native_out.go. Field order is wire order.

type convOpenedOut struct {
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
	Notes    []noteOut    `json:"notes,omitempty"`
}

func convFrame(m *actors.ConvOpened) convOpenedOut {
	return convOpenedOut{frameConv, string(m.Conv), m.Why, party(m.Customer), party(m.Agent), m.After, messages(m.History), m.More, reads(m.Reads), handoffs(m.Handoffs), notes(m.Notes)}
}

type historyOut struct {
	Type    string   `json:"type"`
	Conv    string   `json:"conv"`
	Before  uint64   `json:"before"`
	History []msgOut `json:"history"`
	More    bool     `json:"more"`
}

func historyFrame(m *actors.History) historyOut {
	return historyOut{frameHistory, string(m.Conv), m.Before, messages(m.Messages), m.More}
}

type ackOut struct {
	Type string    `json:"type"`
	Conv string    `json:"conv"`
	CID  string    `json:"cid"`
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
}

func ackFrame(m *actors.Ack) ackOut {
	return ackOut{frameAck, string(m.Conv), m.ClientID, m.Seq, m.At.UTC()}
}

type readNoticeOut struct {
	Type string    `json:"type"`
	Conv string    `json:"conv"`
	By   *partyOut `json:"by"`
	Seq  uint64    `json:"seq"`
}

func readFrame(m *actors.ReadNotice) readNoticeOut {
	return readNoticeOut{frameRead, string(m.Conv), party(m.By), m.Seq}
}

type typingOut struct {
	Type string    `json:"type"`
	Conv string    `json:"conv"`
	From *partyOut `json:"from"`
}

func typingFrame(m *actors.TypingNotice) typingOut {
	return typingOut{frameTyping, string(m.Conv), party(m.From)}
}

type agentChangedOut struct {
	Type  string    `json:"type"`
	Conv  string    `json:"conv"`
	Agent *partyOut `json:"agent"`
}

func agentFrame(m *actors.AgentChanged) agentChangedOut {
	return agentChangedOut{frameAgent, string(m.Conv), party(m.Agent)}
}

type requeuedOut struct {
	Type   string `json:"type"`
	Conv   string `json:"conv"`
	Reason string `json:"reason"`
}

func requeuedFrame(m *actors.Requeued) requeuedOut {
	return requeuedOut{frameRequeued, string(m.Conv), m.Reason}
}

type endedOut struct {
	Type   string    `json:"type"`
	Conv   string    `json:"conv"`
	By     *partyOut `json:"by"`
	Reason string    `json:"reason"`
}

func endedFrame(m *actors.ConvClosed) endedOut {
	return endedOut{frameEnded, string(m.Conv), party(m.By), m.Reason}
}

type ratedOut struct {
	Type   string `json:"type"`
	Conv   string `json:"conv"`
	Rating int    `json:"rating"`
}

func ratedFrame(m *actors.Rated) ratedOut {
	return ratedOut{frameRated, string(m.Conv), m.Rating}
}
