package actors

import "sync"

// Session is the login token an agent's connection said hello with: enough
// to tell, later, whether that token has been signed out or revoked.
type Session struct {
	ID         string // the token's jti
	Generation int64  // the account's token generation it was issued under
}

// Sessions knows which open agent connections said hello with which login
// token, so that signing one token out, or revoking an account's sessions,
// closes exactly the sockets that used them. Connection actors add
// themselves once their token is verified and remove themselves when they
// stop; the HTTP side asks who to kick.
//
// It is shared state, unlike the rest of the actors: the alternative, asking
// the dispatcher to ask each agent actor to ask each connection, would put a
// question about tokens through the routing path for no gain. A nil
// *Sessions keeps nothing. Safe for concurrent use.
type Sessions struct {
	mu      sync.Mutex
	byAgent map[string]map[ConnID]Session // agent id → its connections
}

// NewSessions returns an empty registry.
func NewSessions() *Sessions {
	return &Sessions{byAgent: map[string]map[ConnID]Session{}}
}

// add records that conn said hello as agent with s.
func (r *Sessions) add(agent string, conn ConnID, s Session) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	conns := r.byAgent[agent]
	if conns == nil {
		conns = map[ConnID]Session{}
		r.byAgent[agent] = conns
	}
	conns[conn] = s
}

// remove forgets conn; a no-op if it was never added.
func (r *Sessions) remove(agent string, conn ConnID) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byAgent[agent], conn)
	if len(r.byAgent[agent]) == 0 {
		delete(r.byAgent, agent)
	}
}

// Conns returns the agent's open connections whose session match accepts.
func (r *Sessions) Conns(agent string, match func(Session) bool) []ConnID {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ConnID
	for conn, s := range r.byAgent[agent] {
		if match(s) {
			out = append(out, conn)
		}
	}
	return out
}
