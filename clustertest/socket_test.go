package clustertest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// The native protocol as the clients speak it (docs/protocol.md is the
// authority), and each socket's reader.

// Bounds on one client's sockets.
const (
	dialWait    = 5 * time.Second  // dial and handshake
	welcomeWait = 5 * time.Second  // hello to welcome: a server that is slower is treated as gone
	readIdle    = 15 * time.Second // three heartbeats without a frame: the server is gone (docs/protocol.md)
	writeWait   = 5 * time.Second  // one frame written
	retryEvery  = 100 * time.Millisecond
	frameQueue  = 64 // frames read ahead of the client's loop
)

// frame holds the fields of every server frame the clients read
// (docs/protocol.md).
type frame struct {
	Type     string  `json:"type"`
	You      *party  `json:"you"`
	Token    string  `json:"token"`
	State    string  `json:"state"`
	Conv     string  `json:"conv"`
	Why      string  `json:"why"`
	After    uint64  `json:"after"`
	Customer *party  `json:"customer"`
	Agent    *party  `json:"agent"`
	History  []frame `json:"history"`
	Seq      uint64  `json:"seq"`
	From     *party  `json:"from"`
	Text     string  `json:"text"`
	CID      string  `json:"cid"`
	Reason   string  `json:"reason"`
	Code     string  `json:"code"`
	Message  string  `json:"message"`
}

type party struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Name string `json:"name"`
}

// inbound is a frame from a socket's reader, or the socket's end.
type inbound struct {
	f    frame
	lost error
}

// read is a socket's only reader: it hands each frame to out until the
// socket ends or quit closes.
func read(ws *websocket.Conn, out chan<- inbound, quit <-chan struct{}) {
	for {
		_ = ws.SetReadDeadline(time.Now().Add(readIdle))
		_, data, err := ws.ReadMessage()
		var in inbound
		if err == nil {
			if jerr := json.Unmarshal(data, &in.f); jerr != nil {
				err = fmt.Errorf("frame %q is not JSON: %w", data, jerr)
			}
		}
		in.lost = err
		select {
		case out <- in:
		case <-quit:
			return
		}
		if err != nil {
			return
		}
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
