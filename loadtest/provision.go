package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Provisioning goes through the server's own HTTP API, as an operator's
// tool would: a supervisor logs in, lists the accounts, creates the missing
// agents, then every agent logs in for its token. Each creation and login
// hashes or checks a bcrypt password on the server, so a small pool keeps
// the server's cores busy without queueing thousands of requests.
const (
	provisionWorkers = 16
	apiWait          = 30 * time.Second // one API call
	maxAPIReply      = 4 << 20          // the account list of a big run
)

// newHTTPClient is the client for the API and /getroom, with enough idle
// connections for the harness's parallel requests.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = dialParallel
	return &http.Client{Transport: t, Timeout: apiWait}
}

// api calls one endpoint with a JSON body (or none) and decodes the JSON
// answer into out when the status is want.
func api(ctx context.Context, client *http.Client, method, url, bearer string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(res.Body, maxAPIReply))
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if res.StatusCode != want {
		return &apiError{Status: res.StatusCode, Body: string(bytes.TrimSpace(reply))}
	}
	if out != nil {
		if err := json.Unmarshal(reply, out); err != nil {
			return fmt.Errorf("decoding the answer: %w", err)
		}
	}
	return nil
}

// apiError is an answer with an unexpected status.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d: %s%s", e.Status, e.Body, limitsHint(e.Status))
}

// limitsHint explains a 429: the server's abuse limits fit the internet,
// not a harness that opens every socket and logs every agent in from one
// address.
func limitsHint(status int) string {
	if status != http.StatusTooManyRequests {
		return ""
	}
	return " (the server's abuse limits: serve with them raised as .ci/bench.sh does; docs/operations.md)"
}

// login returns an account's token.
func login(ctx context.Context, client *http.Client, base, name, password string) (string, error) {
	var r struct {
		Token string `json:"token"`
	}
	err := api(ctx, client, http.MethodPost, base+"/api/login", "", map[string]string{"name": name, "password": password}, &r, http.StatusOK)
	if err != nil {
		return "", fmt.Errorf("logging in as %s: %w", name, err)
	}
	return r.Token, nil
}

// provision makes sure the agent accounts exist and returns a token for
// each, in order. Agent i is made and logged in on its own server (see
// servers.go): a cluster's nodes share the store, so this only spreads the
// bcrypt work, and independent servers each get the accounts their agents
// need.
func provision(ctx context.Context, h *harness, client *http.Client) ([]string, error) {
	cfg, servers, home := h.cfg, h.servers, h.home
	admins := make([]string, len(servers))
	exists := make([]map[string]bool, len(servers))
	for s, base := range servers {
		var err error
		if admins[s], exists[s], err = existingAgents(ctx, cfg, client, base); err != nil {
			return nil, err
		}
	}
	err := parallel(ctx, cfg.Agents, func(i int) error {
		name, s := agentName(cfg.AgentPrefix, i), home(i)
		if exists[s][name] {
			return nil
		}
		body := map[string]any{"name": name, "password": agentPassword, "role": "agent", "capacity": cfg.Capacity}
		err := api(ctx, client, http.MethodPost, servers[s]+"/api/agents", admins[s], body, nil, http.StatusCreated)
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusConflict {
			return nil // created meanwhile, by another run
		}
		if err != nil {
			return fmt.Errorf("creating agent %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tokens := make([]string, cfg.Agents)
	err = parallel(ctx, cfg.Agents, func(i int) error {
		name := agentName(cfg.AgentPrefix, i)
		token, err := login(ctx, client, servers[home(i)], name, agentPassword)
		var refused *apiError
		if errors.As(err, &refused) && refused.Status == http.StatusUnauthorized {
			return fmt.Errorf("%w (an account of that name with another password? use another -agent-prefix)", err)
		}
		if err != nil {
			return err
		}
		tokens[i] = token
		return nil
	})
	return tokens, err
}

// existingAgents logs the supervisor in on one server and lists the
// accounts there.
func existingAgents(ctx context.Context, cfg *Config, client *http.Client, base string) (admin string, exists map[string]bool, err error) {
	admin, err = login(ctx, client, base, cfg.Admin, cfg.AdminPassword)
	if err != nil {
		return "", nil, fmt.Errorf("-admin: %w", err)
	}
	var list struct {
		Agents []struct {
			Name string `json:"name"`
		} `json:"agents"`
	}
	if err := api(ctx, client, http.MethodGet, base+"/api/agents", admin, nil, &list, http.StatusOK); err != nil {
		return "", nil, fmt.Errorf("listing the agent accounts (is -admin a supervisor?): %w", err)
	}
	exists = make(map[string]bool, len(list.Agents))
	for _, a := range list.Agents {
		exists[a.Name] = true
	}
	return admin, exists, nil
}

// parallel runs do(0..n-1) on a small pool and returns the first error;
// the rest stop at the next item.
func parallel(ctx context.Context, n int, do func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(provisionWorkers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(i); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}
