package clustertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// driver runs a scenario's clients: agents answering every customer
// message, customers asking for an agent, chatting perConv messages at
// pace, ending and asking again until the load is over.
type driver struct {
	servers func() []string // where a socket may go now; the scenario changes it
	pace    time.Duration   // one customer message per pace, answered at once
	perConv int             // customer messages in each conversation

	stop          chan struct{} // closed when the load ends: no new conversations
	customersDone chan struct{} // closed when every customer has finished
	acked         atomic.Int64  // acks received, all clients together

	agents, customers []*client
}

// newDriver makes a client per agent account and count customers.
func newDriver(servers func() []string, agents []string, customers int, seed uint64) *driver {
	d := &driver{servers: servers, pace: time.Second, perConv: 5, stop: make(chan struct{}), customersDone: make(chan struct{})}
	for i, name := range agents {
		d.agents = append(d.agents, newClient(d, fmt.Sprintf("a%d", i), "agent", name, seed+uint64(i)))
	}
	for i := range customers {
		d.customers = append(d.customers, newClient(d, fmt.Sprintf("c%d", i), "customer", fmt.Sprintf("Customer%02d", i), seed+1000+uint64(i)))
	}
	return d
}

// start runs every client; wait returns once all have finished (or ctx
// ended), with their failures.
func (d *driver) start(ctx context.Context) (wait func() []error) {
	var mu sync.Mutex
	var errs []error
	run := func(group *sync.WaitGroup, c *client) {
		defer group.Done()
		if err := c.run(ctx); err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	var agents, customers sync.WaitGroup
	for _, c := range d.agents {
		agents.Add(1)
		go run(&agents, c)
	}
	for _, c := range d.customers {
		customers.Add(1)
		go run(&customers, c)
	}
	go func() {
		customers.Wait()
		close(d.customersDone)
	}()
	return func() []error {
		customers.Wait()
		agents.Wait()
		return errs
	}
}

// endLoad: customers start no new conversation; those open or waiting
// finish theirs (the drain).
func (d *driver) endLoad() { close(d.stop) }

// records is every client's log; only once wait has returned.
func (d *driver) records() []*Record {
	var out []*Record
	for _, c := range append(append([]*client(nil), d.agents...), d.customers...) {
		out = append(out, c.rec)
	}
	return out
}

// summary counts what the clients went through, for the test's log.
func (d *driver) summary() string {
	var drops, lostRequests, resends, sent, ends int
	for _, c := range append(append([]*client(nil), d.agents...), d.customers...) {
		drops += c.drops
		lostRequests += c.lostRequests
		resends += c.resends
		sent += len(c.rec.Sent)
		if !c.agent() {
			ends += len(c.rec.Ends)
		}
	}
	return fmt.Sprintf("%d messages sent, %d conversations ended, %d sockets lost, %d resends, %d requests lost in a crash", sent, ends, drops, resends, lostRequests)
}

// login logs an agent in on the server at addr and returns its token.
func login(ctx context.Context, addr, name, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	ctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var r struct {
		Token string `json:"token"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(reply, &r) != nil || r.Token == "" {
		return "", errors.New("login " + name + ": " + res.Status + ": " + strings.TrimSpace(string(reply)))
	}
	return r.Token, nil
}
