package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/store"
	"kefu/transport"
)

// BenchmarkRelay measures chat throughput through the whole server: real
// sockets, actors and (when on) the SQLite store. Each customer sends in a
// closed loop, the next message once the last is acknowledged, while its
// agent reads everything. The metric is acknowledged messages per second;
// store=off swaps the store for one that discards, so the difference is
// what durability costs. goroutines=plain runs the actors on Proto.Actor's
// default dispatcher instead of the server's pool.
//
//	go test -run=NONE -bench=Relay -benchtime=20000x ./server
func BenchmarkRelay(b *testing.B) {
	for _, conversations := range []int{1, 50} {
		for _, off := range []bool{false, true} {
			store := "on"
			if off {
				store = "off"
			}
			b.Run(fmt.Sprintf("convs=%d/store=%s", conversations, store), func(b *testing.B) { benchRelay(b, conversations, off, false) })
		}
		b.Run(fmt.Sprintf("convs=%d/store=off/goroutines=plain", conversations), func(b *testing.B) { benchRelay(b, conversations, true, true) })
	}
}

func benchRelay(b *testing.B, conversations int, storeOff, plain bool) {
	srv, err := New(Config{
		Addr: "127.0.0.1:0", DataDir: b.TempDir(), StoreOff: storeOff, PlainGoroutines: plain, Passwords: testPasswords,
		Abuse: transport.NoAbuseLimits(), // hundreds of sockets from one address, as fast as they can
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	type pair struct {
		customer, agent *benchClient
		conv            string
	}
	pairs := make([]pair, conversations)
	for i := range pairs {
		agent := benchAgent(b, srv, fmt.Sprintf("agent%d", i))
		cust := benchDial(b, srv, map[string]any{"type": "hello", "v": 1, "role": "customer", "name": fmt.Sprintf("c%d", i)})
		cust.send(b, map[string]any{"type": "request"})
		conv := cust.until(b, "conv")["conv"].(string)
		agent.until(b, "conv")
		pairs[i] = pair{customer: cust, agent: agent, conv: conv}
	}

	// Agents drain everything so nobody is cut off as a slow reader.
	var drain sync.WaitGroup
	for _, p := range pairs {
		drain.Add(1)
		go func() {
			defer drain.Done()
			for {
				if _, _, err := p.agent.ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}

	per := b.N/conversations + 1
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, p := range pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range per {
				cid := strconv.Itoa(n)
				p.customer.send(b, map[string]any{"type": "msg", "conv": p.conv, "text": "benchmark line " + cid, "cid": cid})
				for {
					f, err := p.customer.next()
					if err != nil {
						b.Error(err)
						return
					}
					if f["type"] == "ack" && f["cid"] == cid {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(per*conversations)/b.Elapsed().Seconds(), "msgs/s")
	for _, p := range pairs {
		p.agent.ws.Close()
		p.customer.ws.Close()
	}
	drain.Wait()
}

type benchClient struct{ ws *websocket.Conn }

func benchAgent(b *testing.B, srv *Server, name string) *benchClient {
	hash, err := testPasswords.Hash("password-" + name)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := srv.Store().CreateAgent(context.Background(), name, hash, store.RoleAgent, 1); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"name": name, "password": "password-" + name})
	res, err := http.Post("http://"+srv.Addr()+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var login struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&login); err != nil || login.Token == "" {
		b.Fatalf("login %s: %v", name, err)
	}
	return benchDial(b, srv, map[string]any{"type": "hello", "v": 1, "role": "agent", "token": login.Token})
}

func benchDial(b *testing.B, srv *Server, hello map[string]any) *benchClient {
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+srv.Addr()+"/ws", nil)
	if err != nil {
		b.Fatal(err)
	}
	c := &benchClient{ws: ws}
	c.send(b, hello)
	c.until(b, "welcome")
	return c
}

func (c *benchClient) send(b *testing.B, v any) {
	data, _ := json.Marshal(v)
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		b.Error(err)
	}
}

// next reads one frame; safe from any goroutine.
func (c *benchClient) next() (map[string]any, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	var f map[string]any
	return f, json.Unmarshal(data, &f)
}

func (c *benchClient) until(b *testing.B, typ string) map[string]any {
	for {
		f, err := c.next()
		if err != nil {
			b.Fatal(err)
		}
		if f["type"] == typ {
			return f
		}
	}
}
