package transport

import (
	"fmt"
	"time"

	"kefu/actors"
	"kefu/store"
)

// The offline form and the teams' inboxes in the native protocol (issue
// 18, docs/protocol.md "leave", "inbox", "take"): a customer leaves a
// message for a team; the team's agents list the inbox and take a form.

// decodeLeave: the text follows msg's rules (the connection checks its
// length), the email is one address, the language a short tag.
func decodeLeave(in *nativeIn) (any, error) {
	switch {
	case in.Text == nil:
		return nil, badFrame(actors.ErrCodeMissingField, `leave needs "text"`)
	case len(in.CID) > maxCIDLen:
		return nil, badFrame(actors.ErrCodeBadValue, fmt.Sprintf("cid is longer than %d bytes", maxCIDLen))
	case len(in.Team) > maxCIDLen:
		return nil, badFrame(actors.ErrCodeBadValue, fmt.Sprintf("team is longer than %d bytes", maxCIDLen))
	case len(in.Lang) > store.MaxLangBytes:
		return nil, badFrame(actors.ErrCodeBadValue, fmt.Sprintf("lang is longer than %d bytes", store.MaxLangBytes))
	}
	if err := emailOK(in.Email); err != nil {
		return nil, err
	}
	return &actors.CmdLeave{Team: in.Team, Email: in.Email, Lang: in.Lang, Text: *in.Text, CID: in.CID}, nil
}

// emailOK checks an address a customer gave ("" is none): a bare address,
// as the store keeps it.
func emailOK(email string) error {
	if email != "" && store.ValidEmail(email) != nil {
		return badFrame(actors.ErrCodeBadValue, "email is not one address")
	}
	return nil
}

func decodeInbox(in *nativeIn) (any, error) {
	if in.Team == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `inbox needs "team"`)
	}
	return &actors.CmdInbox{Team: in.Team, After: in.After}, nil
}

func decodeTake(in *nativeIn) (any, error) {
	if in.Conv == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `take needs "conv"`)
	}
	return &actors.CmdTake{Conv: actors.ConvID(in.Conv)}, nil
}

type leftOut struct {
	Type  string     `json:"type"`
	Conv  string     `json:"conv"`
	Team  string     `json:"team"`
	CID   string     `json:"cid,omitempty"`
	At    *time.Time `json:"at,omitempty"`
	Token string     `json:"token,omitempty"`
}

func leftFrame(m *actors.FormLeft) leftOut {
	out := leftOut{Type: frameLeft, Conv: string(m.Conv), Team: m.Team, CID: m.CID, Token: m.Token}
	if !m.At.IsZero() {
		at := m.At.UTC()
		out.At = &at
	}
	return out
}

type inboxItemOut struct {
	Conv     string    `json:"conv"`
	Customer *partyOut `json:"customer"`
	Email    string    `json:"email,omitempty"`
	Preview  string    `json:"preview"`
	Ticket   uint64    `json:"ticket"`
	At       time.Time `json:"at"`
}

func inboxItem(i *actors.InboxItem) inboxItemOut {
	return inboxItemOut{Conv: string(i.Conv), Customer: party(i.Customer), Email: i.Email, Preview: i.Preview, Ticket: i.Ticket, At: i.At.UTC()}
}

type inboxOut struct {
	Type  string         `json:"type"`
	Team  string         `json:"team"`
	Items []inboxItemOut `json:"items"`
	More  bool           `json:"more"`
}

func inboxFrame(m *actors.InboxPage) inboxOut {
	out := inboxOut{Type: frameInbox, Team: m.Team, Items: make([]inboxItemOut, 0, len(m.Items)), More: m.More}
	for i := range m.Items {
		out.Items = append(out.Items, inboxItem(&m.Items[i]))
	}
	return out
}

type inboxedOut struct {
	Type string       `json:"type"`
	Team string       `json:"team"`
	Item inboxItemOut `json:"item"`
}

type unboxedOut struct {
	Type string    `json:"type"`
	Team string    `json:"team"`
	Conv string    `json:"conv"`
	By   *partyOut `json:"by"`
}

func inboxChangedFrame(m *actors.InboxChanged) any {
	if m.Added != nil {
		return inboxedOut{Type: frameInboxed, Team: m.Team, Item: inboxItem(m.Added)}
	}
	out := unboxedOut{Type: frameUnboxed, Team: m.Team, Conv: string(m.Taken)}
	if m.By != nil {
		out.By = party(*m.By)
	}
	return out
}
