package transport

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"kefu/actors"
)

// outFrame is one frame the server sent a fuzz session's client, in a form
// both protocols share.
type outFrame struct {
	// Type is the native frame's type; on compat, "msg" for a chat line,
	// "error" for an error line, "notice" for another system line and
	// "close" for the tutorial's order to leave.
	Type  string
	Code  string // an error's code
	CID   string // the client id an ack, msg or error carries
	Conv  string
	Token string // a customer's resume token, in welcome
	Text  string
	From  string // the sender's name
}

// nativeServerTypes are the types docs/protocol.md lists for server frames.
var nativeServerTypes = map[string]bool{
	"welcome": true, "queued": true, "dequeued": true, "conv": true, "ack": true,
	"read": true, "msg": true, "typing": true, "agent": true, "requeued": true,
	"ended": true, "state": true, "agents": true, "error": true, "ping": true, "pong": true, "rated": true,
	"history": true,
}

// decodeOut parses and checks one server frame: it must be what the
// protocol documents, and chat text in it must be within the rules the
// server enforces on the way in.
func (c *client) decodeOut(frame []byte) outFrame {
	c.s.t.Helper()
	if !utf8.Valid(frame) {
		c.s.t.Fatalf("%s got a frame that is not UTF-8: %q", c.name, frame)
	}
	if c.pool == actors.PoolCompat {
		return c.decodeCompatOut(frame)
	}
	var in struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		CID     string `json:"cid"`
		Conv    string `json:"conv"`
		Token   string `json:"token"`
		Text    string `json:"text"`
		Seq     uint64 `json:"seq"`
		After   uint64 `json:"after"`
		From    *struct {
			Name string `json:"name"`
		} `json:"from"`
		History []struct {
			Seq  uint64 `json:"seq"`
			Text string `json:"text"`
		} `json:"history"`
	}
	if err := json.Unmarshal(frame, &in); err != nil || !nativeServerTypes[in.Type] {
		c.s.t.Fatalf("%s got a frame that is not a native server frame (%v): %.300s", c.name, err, frame)
	}
	f := outFrame{Type: in.Type, Code: in.Code, CID: in.CID, Conv: in.Conv, Token: in.Token, Text: in.Text}
	switch in.Type {
	case "error":
		if in.Code == "" || in.Message == "" {
			c.s.t.Fatalf("%s got an error without code or message: %s", c.name, frame)
		}
	case "msg":
		if in.From == nil {
			c.s.t.Fatalf("%s got a msg without a sender: %.300s", c.name, frame)
		}
		f.From = in.From.Name
		c.checkRelayed(in.Text)
		// Exactly once and in order on each connection, without gaps
		// (docs/reliability.md): the next after what it was last given.
		if want := c.seqs[in.Conv] + 1; in.Seq != want {
			c.s.t.Fatalf("%s got msg %d of %s, want %d: %.300s", c.name, in.Seq, in.Conv, want, frame)
		}
		c.seqs[in.Conv] = in.Seq
	case "conv":
		last := in.After
		for _, m := range in.History {
			c.checkRelayed(m.Text)
			if m.Seq != last+1 {
				c.s.t.Fatalf("%s got a history with %d after %d: %.300s", c.name, m.Seq, last, frame)
			}
			last = m.Seq
		}
		c.seqs[in.Conv] = last
	case "history":
		// Older messages: in order and without gaps, but apart from the
		// count of what the connection was given.
		for i, m := range in.History {
			c.checkRelayed(m.Text)
			if i > 0 && m.Seq != in.History[i-1].Seq+1 {
				c.s.t.Fatalf("%s got a history page with %d after %d: %.300s", c.name, m.Seq, in.History[i-1].Seq, frame)
			}
		}
	}
	return f
}

// compatErrorPrefix starts every compat error line: 错误：<message> (<code>).
const compatErrorPrefix = "错误："

func (c *client) decodeCompatOut(frame []byte) outFrame {
	c.s.t.Helper()
	var out compatOut
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil || !bytes.HasPrefix(frame, []byte(`{"neiRong":`)) || bytes.HasSuffix(frame, []byte("\n")) {
		c.s.t.Fatalf("%s got a frame that is not the tutorial's (%v): %.300s", c.name, err, frame)
	}
	f := outFrame{Text: out.NeiRong, From: out.ShuiFaDe}
	switch {
	case out.ShuiFaDe == compatCodeSender:
		if out.NeiRong != compatCloseCommand {
			c.s.t.Fatalf("%s got a code frame that is not close: %s", c.name, frame)
		}
		f.Type = "close"
	case out.ShuiFaDe == compatSystemSender && strings.HasPrefix(out.NeiRong, compatErrorPrefix):
		open := strings.LastIndex(out.NeiRong, " (")
		if open < 0 || !strings.HasSuffix(out.NeiRong, ")") {
			c.s.t.Fatalf("%s got an error line without a code: %s", c.name, frame)
		}
		f.Type, f.Code = "error", out.NeiRong[open+2:len(out.NeiRong)-1]
	case out.ShuiFaDe == compatSystemSender:
		f.Type = "notice"
	default:
		f.Type = "msg"
		c.checkRelayed(out.NeiRong)
	}
	return f
}

// checkRelayed checks a chat text the server passed on: no client can make
// it relay an empty, overlong or invalid one.
func (c *client) checkRelayed(text string) {
	c.s.t.Helper()
	if strings.TrimSpace(text) == "" || len(text) > DefaultMaxTextBytes || !utf8.ValidString(text) {
		c.s.t.Fatalf("%s was relayed a text the server must refuse (%d bytes): %.100q", c.name, len(text), text)
	}
}
