package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// SessionsID is the id of the one sessions actor.
const SessionsID = "main"

// Session is the login token an agent's connection said hello with: enough
// to tell, later, whether that token has been signed out or revoked.
type Session struct {
	ID         string // the token's jti
	Generation int64  // the account's token generation it was issued under
}

// SessionOpened: a native agent connection's token was verified at hello.
// SessionClosed: that connection stopped. Both come from the connection,
// in that order (one sender's messages arrive in the order sent).
type (
	SessionOpened struct {
		Agent   string
		Conn    ConnID
		Session Session
	}
	SessionClosed struct {
		Agent string
		Conn  ConnID
	}
)

// KickSessions closes the agent's connections whose session the store has
// just refused: the one token TokenID (a sign-out), or every token issued
// below generation Below (a revoke). Sent once the store has the change,
// so any hello after it fails its own check; connections that passed
// their check before it and open after it is handled are closed as they
// open (see sessions.kicks).
//
// Handling one twice is harmless, and happens on PostgreSQL: the gateway
// sends it here directly and through every node's kick listener (package
// kicks), this node's included. The first forgets the sockets it closes,
// so the second finds none of them; it is only remembered once more.
type KickSessions struct {
	Agent   string
	TokenID string // "" for none
	Below   int64  // 0 for none
}

// sessions knows which open agent connections said hello with which login
// token, so that signing one token out, or revoking an account's sessions,
// closes exactly the sockets that used them. An actor like the rest: its
// map is connection state, and the gateway reaches it by address, as a
// node of a cluster would.
type sessions struct {
	byAgent map[string]map[ConnID]Session // agent id → its connections

	// kicks are the recent KickSessions by agent, kept for kickMemory: a
	// connection whose token was checked just before a sign-out reached
	// the store may announce itself just after the kick; it is closed as
	// it arrives instead of living on until it reconnects.
	kicks map[string][]recentKick
	dir   Directory
	now   func() time.Time
}

type recentKick struct {
	KickSessions
	at time.Time
}

// kickMemory is how long a kick is remembered: longer than a hello's token
// check can take (a store read, at most 5 s) before its SessionOpened.
const kickMemory = time.Minute

// NewSessionsProps returns the props of the sessions actor, which finds
// connections in dir.
func NewSessionsProps(dir Directory) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &sessions{byAgent: map[string]map[ConnID]Session{}, kicks: map[string][]recentKick{}, dir: dir, now: time.Now}
	})
}

// Receive implements actor.Actor.
func (s *sessions) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *SessionOpened:
		if s.kicked(m.Agent, m.Session) {
			s.kick(ctx, m.Conn)
			return
		}
		conns := s.byAgent[m.Agent]
		if conns == nil {
			conns = map[ConnID]Session{}
			s.byAgent[m.Agent] = conns
		}
		conns[m.Conn] = m.Session
	case *SessionClosed:
		delete(s.byAgent[m.Agent], m.Conn)
		if len(s.byAgent[m.Agent]) == 0 {
			delete(s.byAgent, m.Agent)
		}
	case *KickSessions:
		s.remember(*m)
		for conn, sess := range s.byAgent[m.Agent] {
			if m.matches(sess) {
				s.kick(ctx, conn)
				delete(s.byAgent[m.Agent], conn)
			}
		}
		if len(s.byAgent[m.Agent]) == 0 {
			delete(s.byAgent, m.Agent)
		}
	}
}

func (k KickSessions) matches(s Session) bool {
	return (k.TokenID != "" && s.ID == k.TokenID) || s.Generation < k.Below
}

func (s *sessions) kick(ctx actor.Context, conn ConnID) {
	ctx.Send(s.dir.PID(KindConn, string(conn)), &Kick{Reason: DisconnectTokenRevoked})
}

// remember keeps k for kickMemory, forgetting the agent's older ones.
func (s *sessions) remember(k KickSessions) {
	now := s.now()
	kept := s.kicks[k.Agent][:0]
	for _, r := range s.kicks[k.Agent] {
		if now.Sub(r.at) < kickMemory {
			kept = append(kept, r)
		}
	}
	s.kicks[k.Agent] = append(kept, recentKick{KickSessions: k, at: now})
	// Agents kicked long ago are dropped as other kicks come, so the
	// memory is bounded by the kicks of the last minute.
	for agent, rs := range s.kicks {
		if len(rs) > 0 && now.Sub(rs[len(rs)-1].at) >= kickMemory {
			delete(s.kicks, agent)
		}
	}
}

// kicked reports whether a recent kick refused sess.
func (s *sessions) kicked(agent string, sess Session) bool {
	now := s.now()
	for _, r := range s.kicks[agent] {
		if now.Sub(r.at) < kickMemory && r.matches(sess) {
			return true
		}
	}
	return false
}
