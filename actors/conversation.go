package actors

import (
	"log/slog"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
)

// Messages a conversation receives.
type (
	// Post is one chat message. From and Conn are stamped by the sender's
	// connection actor from its own records, never taken from the client.
	Post struct {
		From     Party
		Conn     ConnID
		Text     string
		ClientID string
	}
	// Typing says From is typing; forwarded to the other side, throttled.
	Typing struct{ From Party }
	// End is a member ending the conversation.
	End struct {
		By   Party
		Conn ConnID
	}
	// Sync asks for the whole conversation on one connection: a customer
	// resuming, an agent's new tab. A customer's connection is attached.
	Sync struct {
		Conn  ConnID
		Party Party
	}
	// Reassign gives the conversation to Agent (from the dispatcher).
	Reassign struct {
		Agent      Party
		AgentActor string
		Why        string
	}
	// Unassign sends the conversation back to the queue (from the
	// dispatcher, which tells the customer); its customer stays.
	Unassign struct{ Reason string }
	// Finish ends the conversation (from the dispatcher).
	Finish struct {
		By     Party
		Reason string
	}

	// memberGone is the conversation's note that a watched connection
	// ended, queued behind that member's last messages.
	memberGone struct{ Who *actor.PID }
	// customerGraceOver is the conversation's own timer.
	customerGraceOver struct{ Gen uint64 }
)

// typingEvery is the most often one side's typing reaches the other.
const typingEvery = time.Second

// ConversationConfig is everything a conversation starts with.
type ConversationConfig struct {
	ID            ConvID
	Customer      Party
	CustomerConn  ConnID // "" if the customer is away at the start
	Agent         Party
	AgentActor    string
	CustomerGrace time.Duration // 0: the conversation ends when the customer leaves
	Dir           Directory
	Log           *slog.Logger
	Now           func() time.Time
}

// conversation owns one conversation: its members, its messages in order,
// and its end. Chat goes connection → conversation → connections (the
// agent's through the agent actor), never through the dispatcher.
type conversation struct {
	ConversationConfig
	timers    *scheduler.TimerScheduler
	agent     *actor.PID            // the agent actor; nil while queued
	custConns map[string]*actor.PID // the customer's live connections
	messages  []ConvMessage         // every message, seq 1..n
	typedAt   map[string]time.Time  // last typing forwarded, by party id
	graceGen  uint64
	over      bool
}

// NewConversationProps returns the props of a conversation actor.
func NewConversationProps(cfg ConversationConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &conversation{ConversationConfig: cfg, custConns: map[string]*actor.PID{}, typedAt: map[string]time.Time{}}
	})
}

// Receive handles one message; state changes only here.
func (c *conversation) Receive(ctx actor.Context) {
	if c.over {
		return // finishing: nothing more is accepted
	}
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		c.started(ctx)
	case *Post:
		c.post(ctx, msg)
	case *Typing:
		c.typing(ctx, msg)
	case *End:
		if !c.isMember(msg.By) {
			c.refuse(ctx, msg.Conn, ErrCodeForbidden, "not your conversation")
			return
		}
		reason := ReasonCustomerEnded
		if msg.By.Role == RoleAgent {
			reason = ReasonAgentEnded
		}
		c.finish(ctx, msg.By, reason)
	case *Sync:
		c.sync(ctx, msg)
	case *Reassign:
		c.reassign(ctx, msg)
	case *Unassign:
		if c.agent != nil {
			ctx.Send(c.agent, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: msg.Reason})
		}
		// The dispatcher tells the customer, in order with its position.
		c.agent, c.Agent, c.AgentActor = nil, Party{}, ""
	case *Finish:
		c.finish(ctx, msg.By, msg.Reason)
	case *actor.Terminated:
		// Terminated overtakes the member's last messages, still queued;
		// handle the departure behind them.
		ctx.Send(ctx.Self(), &memberGone{Who: msg.Who})
	case *memberGone:
		c.customerConnGone(ctx, msg.Who)
	case *customerGraceOver:
		if msg.Gen == c.graceGen && len(c.custConns) == 0 {
			c.finish(ctx, c.Customer, ReasonCustomerLeft)
		}
	}
}

func (c *conversation) started(ctx actor.Context) {
	c.timers = scheduler.NewTimerScheduler(ctx.ActorSystem().Root)
	if c.AgentActor != "" {
		c.agent = c.Dir.PID(KindAgent, c.AgentActor)
	}
	opened := c.opened(WhyAssigned)
	if c.CustomerConn != "" {
		c.attach(ctx, c.CustomerConn)
	} else {
		c.customerAway(ctx)
	}
	c.toCustomer(ctx, opened)
	if c.agent != nil {
		ctx.Send(c.agent, opened)
	}
}

func (c *conversation) opened(why string) *ConvOpened {
	return &ConvOpened{Conv: c.ID, Customer: c.Customer, Agent: c.Agent, Why: why, History: slices.Clone(c.messages)}
}

func (c *conversation) isMember(p Party) bool {
	switch p.Role {
	case RoleCustomer:
		return p.ID == c.Customer.ID
	case RoleAgent:
		return c.agent != nil && p.ID == c.Agent.ID
	}
	return false
}

// post gives the message the next sequence number and delivers it to
// both sides, the sender's own connections included (their echo).
func (c *conversation) post(ctx actor.Context, p *Post) {
	if !c.isMember(p.From) {
		c.refuse(ctx, p.Conn, ErrCodeForbidden, "not your conversation")
		return
	}
	m := ConvMessage{Conv: c.ID, Seq: uint64(len(c.messages)) + 1, From: p.From, Text: p.Text, ClientID: p.ClientID, At: c.Now()}
	c.messages = append(c.messages, m)
	c.toCustomer(ctx, &m)
	if c.agent != nil {
		ctx.Send(c.agent, &m)
	}
}

func (c *conversation) typing(ctx actor.Context, t *Typing) {
	if !c.isMember(t.From) {
		return // ephemeral: not worth an error
	}
	now := c.Now()
	if now.Sub(c.typedAt[t.From.ID]) < typingEvery {
		return
	}
	c.typedAt[t.From.ID] = now
	n := &TypingNotice{Conv: c.ID, From: t.From}
	if t.From.Role == RoleCustomer {
		if c.agent != nil {
			ctx.Send(c.agent, n)
		}
		return
	}
	c.toCustomer(ctx, n)
}

func (c *conversation) sync(ctx actor.Context, s *Sync) {
	conn := c.Dir.PID(KindConn, string(s.Conn))
	if !c.isMember(s.Party) {
		// An agent's tab that still lists a conversation moved elsewhere.
		ctx.Send(conn, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: ReasonTransferred})
		return
	}
	if s.Party.Role == RoleCustomer {
		c.attach(ctx, s.Conn)
	}
	ctx.Send(conn, c.opened(WhySync))
}

func (c *conversation) reassign(ctx actor.Context, r *Reassign) {
	if c.agent != nil && c.Agent.ID != r.Agent.ID {
		ctx.Send(c.agent, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: ReasonTransferred})
	}
	c.Agent, c.AgentActor = r.Agent, r.AgentActor
	c.agent = c.Dir.PID(KindAgent, r.AgentActor)
	ctx.Send(c.agent, c.opened(r.Why))
	c.toCustomer(ctx, &AgentChanged{Conv: c.ID, Agent: r.Agent})
}

func (c *conversation) attach(ctx actor.Context, conn ConnID) {
	pid := c.Dir.PID(KindConn, string(conn))
	c.custConns[pidKey(pid)] = pid
	ctx.Watch(pid)
	c.graceGen++ // the customer is back: a pending grace timer is stale
}

func (c *conversation) customerConnGone(ctx actor.Context, who *actor.PID) {
	key := pidKey(who)
	if _, ok := c.custConns[key]; !ok {
		return
	}
	delete(c.custConns, key)
	if len(c.custConns) == 0 {
		c.customerAway(ctx)
	}
}

// customerAway starts the customer's grace, or ends the conversation at
// once when there is none (the tutorial's rule).
func (c *conversation) customerAway(ctx actor.Context) {
	if c.CustomerGrace <= 0 {
		c.finish(ctx, c.Customer, ReasonCustomerLeft)
		return
	}
	c.graceGen++
	c.timers.SendOnce(c.CustomerGrace, ctx.Self(), &customerGraceOver{Gen: c.graceGen})
}

// finish tells both sides and the dispatcher, then stops.
func (c *conversation) finish(ctx actor.Context, by Party, reason string) {
	c.over = true
	c.toCustomer(ctx, &ConvClosed{Conv: c.ID, By: by, Other: c.Agent, Reason: reason})
	if c.agent != nil {
		ctx.Send(c.agent, &ConvClosed{Conv: c.ID, By: by, Other: c.Customer, Reason: reason})
	}
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID), &ConvFinished{Conv: c.ID, Reason: reason})
	ctx.Stop(ctx.Self())
}

func (c *conversation) toCustomer(ctx actor.Context, msg any) {
	for _, pid := range c.custConns {
		ctx.Send(pid, msg)
	}
}

func (c *conversation) refuse(ctx actor.Context, conn ConnID, code, message string) {
	if conn != "" {
		ctx.Send(c.Dir.PID(KindConn, string(conn)), &FrameError{Code: code, Message: message})
	}
}
