package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"kefu/transport"
)

// TestNativeHostileText: text is text. Control characters, NUL, a bidi
// override and markup are relayed and stored byte for byte (the pages
// render them as text); emoji count by their UTF-8 bytes against the text
// limit; a 100,000-emoji message is over the frame limit and closes only
// its own socket, with 1009 and a reason.
func TestNativeHostileText(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.addAgent(t, "Hostile", 3)
	agent := ts.agentOnline(t, a)
	cust := ts.customerOnline(t, "<img src=x onerror=alert(1)>")
	conv := assign(t, agent, cust)

	texts := []string{
		"nul\x00 bell\a esc\x1b[31m del\x7f",
		"\u202eevil\u202c right-to-left override",
		`<script>alert(1)</script><img src=x onerror=alert(1)>`,
		strings.Repeat("😀", transport.DefaultMaxTextBytes/4), // exactly the limit in bytes
	}
	for i, text := range texts {
		cust.post(conv, text, "")
		agent.expectMsg(conv, uint64(i+1), cust.me, text)
		cust.expectMsg(conv, uint64(i+1), cust.me, text)
	}
	t.Run("OneEmojiOverTheLimit", func(t *testing.T) {
		cust.post(conv, strings.Repeat("😀", transport.DefaultMaxTextBytes/4+1), "")
		cust.expectError("text_too_long")
	})
	t.Run("StoredByteForByte", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ts.Addr()+"/api/conversations/"+conv+"/messages", nil)
		req.Header.Set("Authorization", "Bearer "+a.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct {
			Messages []struct {
				Text string `json:"text"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("history: %s, %v", resp.Status, err)
		}
		if len(got.Messages) != len(texts) {
			t.Fatalf("history has %d messages, want %d", len(got.Messages), len(texts))
		}
		for i, m := range got.Messages {
			if m.Text != texts[i] {
				t.Errorf("stored text %d = %q, want %q", i+1, m.Text, texts[i])
			}
		}
	})
	t.Run("HundredThousandEmoji", func(t *testing.T) {
		big := ts.customerOnline(t, "Flood")
		big.send(obj{"type": "msg", "conv": conv, "text": strings.Repeat("😀", 100_000), "cid": "huge"})
		big.expectClosed(websocket.CloseMessageTooBig, "frame too large: limit 65536 bytes")
		// Nobody else noticed.
		agent.post(conv, "still here", "")
		cust.expectMsg(conv, uint64(len(texts)+1), agent.me, "still here")
	})
}
