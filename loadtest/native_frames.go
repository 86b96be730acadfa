package loadtest

import (
	"encoding/json"
	"strconv"
)

// The native protocol as the harness speaks it: docs/protocol.md and
// transport/native_codec.go are the authority.

// nParty is a party as the server names it.
type nParty struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Name string `json:"name"`
}

// nFrame holds the fields of every server frame the harness reads.
type nFrame struct {
	Type     string   `json:"type"`
	You      *nParty  `json:"you"`
	Token    string   `json:"token"`
	State    string   `json:"state"`
	Status   string   `json:"status"`
	Capacity int      `json:"capacity"`
	Position int      `json:"position"`
	Conv     string   `json:"conv"`
	Why      string   `json:"why"`
	After    uint64   `json:"after"`
	Customer *nParty  `json:"customer"`
	Agent    *nParty  `json:"agent"`
	History  []nFrame `json:"history"`
	Seq      uint64   `json:"seq"`
	From     *nParty  `json:"from"`
	Text     string   `json:"text"`
	CID      string   `json:"cid"`
	Reason   string   `json:"reason"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	More     bool     `json:"more"`
}

func decodeNative(b []byte, f *nFrame) error { return json.Unmarshal(b, f) }

// Client frames. Each is built by hand from constant parts and JSON-quoted
// strings: the hot path sends tens of thousands a second.
var (
	framePong    = []byte(`{"type":"pong"}`)
	frameRequest = []byte(`{"type":"request"}`)
	frameAvail   = []byte(`{"type":"status","status":"available"}`)
)

func quoteJSON(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func frameHelloCustomer(name, token string, resume map[string]uint64) []byte {
	who := `"name":` + quoteJSON(name)
	if token != "" {
		who = `"token":` + quoteJSON(token)
	}
	return []byte(`{"type":"hello","v":1,"role":"customer",` + who + resumeField(resume) + `}`)
}

func frameHelloAgent(token string, resume map[string]uint64) []byte {
	return []byte(`{"type":"hello","v":1,"role":"agent","token":` + quoteJSON(token) + resumeField(resume) + `}`)
}

func resumeField(resume map[string]uint64) string {
	if len(resume) == 0 {
		return ""
	}
	b, _ := json.Marshal(resume) // a map of strings to numbers always marshals
	return `,"resume":` + string(b)
}

func frameCapacity(n int) []byte {
	return []byte(`{"type":"capacity","capacity":` + strconv.Itoa(n) + `}`)
}

func frameMsg(conv, text, cid string) []byte {
	return []byte(`{"type":"msg","conv":` + quoteJSON(conv) + `,"text":` + quoteJSON(text) + `,"cid":` + quoteJSON(cid) + `}`)
}

// codeUnavailable refuses a history request the store did not answer:
// ask again.
const codeUnavailable = "unavailable"

// firstSeq is the seq of the first message of a page, 0 for none.
func firstSeq(page []nFrame) uint64 {
	if len(page) == 0 {
		return 0
	}
	return page[0].Seq
}

func frameHistory(conv string, before uint64, limit int) []byte {
	return []byte(`{"type":"history","conv":` + quoteJSON(conv) + `,"before":` + strconv.FormatUint(before, 10) +
		`,"limit":` + strconv.Itoa(limit) + `}`)
}

func frameEnd(conv string) []byte {
	return []byte(`{"type":"end","conv":` + quoteJSON(conv) + `}`)
}
