package actors

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

	"kefu/metrics"
	"kefu/store"
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
	// Read says From has read up to Seq.
	Read struct {
		From Party
		Seq  uint64
	}
	// End is a member ending the conversation.
	End struct {
		By   Party
		Conn ConnID
	}
	// Attach adds a customer's new connection before its old one is sent
	// away (from the dispatcher), so the conversation never sees the
	// customer without one and ends for nothing.
	Attach struct{ Conn ConnID }
	// Sync asks for the conversation on one connection, from sequence
	// number After on: a customer resuming, an agent's new tab. A
	// customer's connection is attached.
	Sync struct {
		Conn  ConnID
		Party Party
		After uint64
	}
	// Reassign gives the conversation to Agent (from the dispatcher).
	Reassign struct {
		Agent      Party
		AgentActor string
		Why        string
		Handoff    *Handoff // the transfer that made it; nil for an assignment
	}
	// Unassign sends the conversation back to the queue (from the
	// dispatcher, which tells the customer); its customer stays.
	Unassign struct {
		Reason  string
		Handoff *Handoff // the agent who sent it back; nil when no agent asked
	}
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
	// retryStore is the conversation's timer after a failed write.
	retryStore struct{}
)

// typingEvery is the most often one side's typing reaches the other.
const typingEvery = time.Second

// storeRetry is how long a conversation waits before writing again after
// the store failed.
const storeRetry = time.Second

// ConversationConfig is everything a conversation starts with.
type ConversationConfig struct {
	ID            ConvID
	Ticket        uint64
	Customer      Party
	CustomerConn  ConnID // "" if the customer is away at the start
	Agent         Party
	AgentActor    string
	CustomerGrace time.Duration // 0: the conversation ends when the customer leaves
	// HistoryPage bounds the history a conv frame carries: the newest
	// page; older ones are read on request (zero: the defaults).
	HistoryPage HistoryLimits
	// Restore says the conversation was open before a restart: its
	// messages are loaded from Store instead of starting empty.
	Restore bool
	Store   store.Conversations
	Dir     Directory
	Log     *slog.Logger
	Now     func() time.Time
}

// keepInMemory is how many of its newest messages a conversation keeps;
// it trims back to this when it holds twice as many.
const keepInMemory = 8

// accepted is a message given its sequence number, waiting to be stored.
type accepted struct {
	msg  ConvMessage
	conn ConnID // the sender's connection, to acknowledge
}

// conversation owns one conversation: its members, its messages in order,
// and its end. It numbers messages without gaps and delivers each only once
// it is stored, so what anyone has seen survives a crash. Chat goes
// connection → conversation → connections (the agent's through the agent
// actor), never through the dispatcher.
//
// One write is in flight at a time: messages that arrive meanwhile wait in
// pending and go together in the next, so a failed write can never leave a
// gap behind a later one that succeeded.
type conversation struct {
	ConversationConfig
	timers    *scheduler.TimerScheduler
	agent     *actor.PID            // the agent actor; nil while queued
	custConns map[string]*actor.PID // the customer's live connections
	typedAt   map[string]time.Time  // last typing forwarded, by party id

	// messages are the newest stored messages, seq base+1..last(): a
	// window, so a long conversation costs bounded memory; older ones are
	// read back from the store on the rare sync that reaches that far.
	messages []ConvMessage
	base     uint64
	pending  []accepted          // numbered, not yet sent to the store
	writing  []accepted          // in the write now in flight
	token    uint64              // of the write in flight; 0 when none
	cids     clientIDs           // where each sender's client ids went, for resends
	waiters  map[uint64][]ConnID // resends waiting for their original's ack
	reads    map[string]uint64   // last read seq by party id

	record      store.Conversation
	recordDirty bool
	events      []store.ConvEvent
	handoffs    []Handoff // the newest keepHandoffs, oldest first
	readMarks   []store.ReadMark
	inFlight    store.Batch // the non-message part of the write in flight

	graceGen uint64
	ending   *ConvClosed // set once the end is decided; sent when stored

	// Addresses used for every message, looked up once (see connPIDs).
	storePID *actor.PID
	ackPIDs  connPIDs
}

// NewConversationProps returns the props of a conversation actor.
func NewConversationProps(cfg ConversationConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &conversation{
			ConversationConfig: cfg,
			custConns:          map[string]*actor.PID{},
			typedAt:            map[string]time.Time{},
			waiters:            map[uint64][]ConnID{},
			reads:              map[string]uint64{},
		}
	})
}

// Receive handles one message; state changes only here.
func (c *conversation) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		c.started(ctx)
	case *Stored:
		c.stored(ctx, msg.Token)
	case *StoreFailed:
		c.storeFailed(ctx, msg)
	case *retryStore:
		c.flush(ctx)
	case *Post:
		c.post(ctx, msg)
	case *Typing:
		c.typing(ctx, msg)
	case *Read:
		c.read(ctx, msg)
	case *End:
		if !c.isMember(msg.By) {
			c.refuse(ctx, msg.Conn, ErrCodeForbidden, "not your conversation", "")
			return
		}
		reason := ReasonCustomerEnded
		if msg.By.Role == RoleAgent {
			reason = ReasonAgentEnded
		}
		c.finish(ctx, msg.By, reason)
	case *Sync:
		c.sync(ctx, msg)
	case *Attach:
		c.attach(ctx, msg.Conn)
	case *Reassign:
		c.reassign(ctx, msg)
	case *Unassign:
		if c.agent != nil {
			ctx.Send(c.agent, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: msg.Reason})
		}
		// The dispatcher tells the customer, in order with its position.
		c.agent, c.Agent, c.AgentActor = nil, Party{}, ""
		c.record.AgentID, c.record.AgentName = "", ""
		c.change(ctx, "requeued", Party{}, msg.Reason, msg.Handoff)
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
	c.record = store.Conversation{
		ID: string(c.ID), CustomerID: c.Customer.ID, CustomerName: c.Customer.Name,
		AgentID: c.Agent.ID, AgentName: c.Agent.Name, Ticket: c.Ticket, StartedAt: c.Now(),
	}
	if c.Restore {
		if err := c.load(); err != nil {
			// Numbering from 1 again would clash with what is stored: this
			// conversation cannot go on. Its parties are told it failed.
			c.Log.Error("cannot load conversation", "conv", c.ID, "err", err)
			ctx.Stop(ctx.Self())
			return
		}
	} else {
		c.recordDirty = true
		if c.agent != nil {
			c.events = append(c.events, store.ConvEvent{Conv: string(c.ID), Kind: "assigned", AgentID: c.Agent.ID, AgentName: c.Agent.Name, At: c.Now()})
		}
		c.flush(ctx)
	}
	if c.CustomerConn != "" {
		c.attach(ctx, c.CustomerConn)
	} else {
		c.customerAway(ctx)
	}
	if c.Restore {
		// Restored at start: each party's connection asks for what it
		// lacks (Sync, with its resume) when it is admitted, and that Sync
		// waits in this mailbox if it came first. A sync from 0 here
		// reached an agent's tab admitted before this actor started and
		// gave it the whole history again (TestChurnCrash, once agents
		// kept their tokens across the restart as the console does).
		return
	}
	opened := c.opened(WhyAssigned, 0) // read-only to those it goes to
	c.toCustomer(ctx, opened)
	if c.agent != nil {
		ctx.Send(c.agent, opened)
	}
}

// load reads back a conversation that was open before a restart.
func (c *conversation) load() error {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	stored, err := c.Store.Messages(ctx, string(c.ID), 0, 0)
	if err != nil {
		return err
	}
	for _, m := range stored {
		c.messages = append(c.messages, fromStored(c.ID, m))
		if m.ClientID != "" {
			c.cids.put(m.SenderID, sentID{cid: m.ClientID, seq: m.Seq, at: m.At}, c.last())
		}
	}
	c.trim()
	if rec, err := c.Store.Conversation(ctx, string(c.ID)); err == nil {
		c.record = rec
	}
	marks, err := c.Store.ReadMarks(ctx, string(c.ID))
	if err != nil {
		c.Log.Error("cannot load read marks", "conv", c.ID, "err", err)
	}
	for _, m := range marks {
		c.reads[m.PartyID] = m.Seq
	}
	events, err := c.Store.ConvEvents(ctx, string(c.ID))
	if err != nil {
		c.Log.Error("cannot load hand-offs", "conv", c.ID, "err", err)
	}
	c.handoffs = handoffsOf(events)
	return nil
}

// last is the sequence number of the newest stored message.
func (c *conversation) last() uint64 { return c.base + uint64(len(c.messages)) }

// trim drops the oldest messages from memory once there are twice the
// window, moving the newest to the front of the same array: its capacity
// stays about twice the window, whatever the conversation's length.
func (c *conversation) trim() {
	if len(c.messages) < 2*keepInMemory {
		return
	}
	drop := len(c.messages) - keepInMemory
	n := copy(c.messages, c.messages[drop:])
	clear(c.messages[n:]) // let the dropped texts go
	c.messages = c.messages[:n]
	c.base += uint64(drop)
}

// opened is the conversation for a party that has it up to seq after: its
// history is what came after, but only the newest page of it (HistoryPage);
// the client asks for older pages when it needs them.
func (c *conversation) opened(why string, after uint64) *ConvOpened {
	page := c.HistoryPage.OrDefault()
	after = max(min(after, c.last()), c.last()-min(c.last(), uint64(page.Messages)))
	var history []ConvMessage
	from := after // the first in-memory index to take, once the store's part is in
	if after < c.base {
		from = c.base
		// Further back than memory: the store has it (a page at most).
		ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
		older, err := c.Store.Messages(ctx, string(c.ID), after, int(c.base-after))
		cancel()
		if err != nil || len(older) != int(c.base-after) {
			c.Log.Error("cannot read older messages", "conv", c.ID, "after", after, "err", err)
			older = nil // what memory has, rather than a gap
		}
		for _, m := range older {
			history = append(history, fromStored(c.ID, m))
		}
	}
	history = append(history, c.messages[from-c.base:]...)
	history = page.newest(history, page.Messages)
	if len(history) > 0 {
		after = history[0].Seq - 1
	} else {
		after = c.last()
	}
	return &ConvOpened{Conv: c.ID, Customer: c.Customer, Agent: c.Agent, Why: why, After: after, History: history, Reads: maps.Clone(c.reads)}
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

// post numbers a new message and asks for it to be stored. A resend of a
// message already taken (same sender, same client id) is not taken again:
// it gets the original's acknowledgement, now or when it is stored.
func (c *conversation) post(ctx actor.Context, p *Post) {
	switch {
	case !c.isMember(p.From):
		c.refuse(ctx, p.Conn, ErrCodeForbidden, "not your conversation", p.ClientID)
		return
	case c.ending != nil:
		if p.ClientID != "" { // the tutorial's pages have no words for it
			c.refuse(ctx, p.Conn, ErrCodeEnded, "the conversation has ended", p.ClientID)
		}
		return
	}
	if p.ClientID != "" {
		if sent, seen := c.cids.find(p.From.ID, p.ClientID); seen {
			if sent.seq <= c.last() {
				c.ack(ctx, p.Conn, &ConvMessage{Seq: sent.seq, ClientID: p.ClientID, At: sent.at})
			} else {
				c.waiters[sent.seq] = append(c.waiters[sent.seq], p.Conn)
			}
			return
		}
		if c.cids.maybeSeen(p.From.ID, p.ClientID) && c.answerOldResend(ctx, p) {
			return
		}
	}
	seq := c.last() + uint64(len(c.writing)+len(c.pending)) + 1
	c.pending = append(c.pending, accepted{conn: p.Conn, msg: ConvMessage{
		Conv: c.ID, Seq: seq, From: p.From, Text: p.Text, ClientID: p.ClientID, At: c.Now(),
	}})
	if p.ClientID != "" {
		c.cids.put(p.From.ID, sentID{cid: p.ClientID, seq: seq}, c.last())
	}
	c.flush(ctx)
}

// answerOldResend acknowledges again a resend older than the client ids
// kept in memory, from the store. It reports whether p was answered: false
// means p is a new message after all. A store that cannot be read gets the
// sender's retry (not_stored) rather than risk storing the message twice.
func (c *conversation) answerOldResend(ctx actor.Context, p *Post) bool {
	rctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	m, err := c.Store.MessageByClientID(rctx, string(c.ID), p.From.ID, p.ClientID)
	cancel()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false
	case err != nil:
		c.Log.Error("cannot look up a resend", "conv", c.ID, "err", err)
		c.refuse(ctx, p.Conn, ErrCodeNotStored, "the message was not stored; send it again", p.ClientID)
		return true
	}
	c.ack(ctx, p.Conn, &ConvMessage{Seq: m.Seq, ClientID: p.ClientID, At: m.At})
	return true
}

// flush sends what waits to the store writer, unless a write is already in
// flight: then it goes with the next.
func (c *conversation) flush(ctx actor.Context) {
	if c.token != 0 || (len(c.pending) == 0 && !c.recordDirty && len(c.events) == 0 && len(c.readMarks) == 0) {
		return
	}
	var b store.Batch
	if c.recordDirty {
		b.Conversations = []store.Conversation{c.record}
	}
	b.ConvEvents, b.Reads = c.events, c.readMarks
	for _, a := range c.pending {
		m := a.msg
		b.Messages = append(b.Messages, store.Message{
			Conv: string(m.Conv), Seq: m.Seq, SenderID: m.From.ID, SenderRole: m.From.Role.String(),
			SenderName: m.From.Name, Text: m.Text, ClientID: m.ClientID, At: m.At,
		})
	}
	c.inFlight = store.Batch{Conversations: b.Conversations, ConvEvents: b.ConvEvents, Reads: b.Reads}
	c.recordDirty, c.events, c.readMarks = false, nil, nil
	c.writing, c.pending = c.pending, nil
	c.token++
	if c.storePID == nil {
		c.storePID = c.Dir.PID(KindStore, StoreWriterID)
	}
	ctx.Send(c.storePID, &StoreWrite{Batch: b, ReplyTo: ctx.Self(), Token: c.token})
}

// stored delivers what the write made durable: to both sides in order, and
// an acknowledgement to each sender.
func (c *conversation) stored(ctx actor.Context, token uint64) {
	if token != c.token {
		return
	}
	c.token = 0
	stored := metrics.Now() // the real clock, not c.Now: it times delivery
	for i := range c.writing {
		m := c.writing[i].msg
		c.messages = append(c.messages, m)
		m.Stored = stored
		if m.ClientID != "" {
			c.cids.put(m.From.ID, sentID{cid: m.ClientID, seq: m.Seq, at: m.At}, c.last())
		}
		c.toCustomer(ctx, &m)
		if c.agent != nil {
			ctx.Send(c.agent, &m)
		}
		c.ack(ctx, c.writing[i].conn, &m)
		for _, conn := range c.waiters[m.Seq] {
			c.ack(ctx, conn, &m)
		}
		delete(c.waiters, m.Seq)
	}
	c.writing = nil
	c.trim()
	if c.ending != nil && len(c.pending) == 0 {
		c.closed(ctx)
		return
	}
	c.flush(ctx)
}

// storeFailed refuses what the write carried: nothing of it was stored, so
// its senders are told to send again and the messages behind it move up,
// keeping the numbers without gaps. The rest of the write is tried again.
func (c *conversation) storeFailed(ctx actor.Context, f *StoreFailed) {
	if f.Token != c.token {
		return
	}
	c.token = 0
	for _, a := range c.writing {
		c.refuse(ctx, a.conn, ErrCodeNotStored, "the message was not stored; send it again", a.msg.ClientID)
		for _, conn := range c.waiters[a.msg.Seq] {
			c.refuse(ctx, conn, ErrCodeNotStored, "the message was not stored; send it again", a.msg.ClientID)
		}
		delete(c.waiters, a.msg.Seq)
		c.cids.drop(a.msg.From.ID, a.msg.ClientID)
	}
	c.writing = nil
	// Move up what waits behind, waiters included: resends wait under
	// their message's number, which changes here.
	moved := make([][]ConnID, len(c.pending))
	for i := range c.pending {
		moved[i] = c.waiters[c.pending[i].msg.Seq]
		delete(c.waiters, c.pending[i].msg.Seq)
	}
	for i := range c.pending {
		c.pending[i].msg.Seq = c.last() + uint64(i) + 1
		if moved[i] != nil {
			c.waiters[c.pending[i].msg.Seq] = moved[i]
		}
		if id := c.pending[i].msg.ClientID; id != "" {
			c.cids.put(c.pending[i].msg.From.ID, sentID{cid: id, seq: c.pending[i].msg.Seq}, c.last())
		}
	}
	if len(c.inFlight.Conversations) > 0 {
		c.recordDirty = true
	}
	c.events = append(c.inFlight.ConvEvents, c.events...)
	c.readMarks = append(c.inFlight.Reads, c.readMarks...)
	c.timers.SendOnce(storeRetry, ctx.Self(), &retryStore{})
	if c.ending != nil && len(c.pending) == 0 {
		// Ending must not wait on a broken store: the parties are told,
		// and the end record is retried while the actor lives no more.
		c.closed(ctx)
	}
}

func (c *conversation) ack(ctx actor.Context, conn ConnID, m *ConvMessage) {
	if conn != "" && m.ClientID != "" {
		ctx.Send(c.ackPIDs.get(c.Dir, conn), &Ack{Conv: c.ID, ClientID: m.ClientID, Seq: m.Seq, At: m.At})
	}
}

func (c *conversation) typing(ctx actor.Context, t *Typing) {
	if !c.isMember(t.From) || c.ending != nil {
		return // ephemeral: not worth an error
	}
	now := c.Now()
	if now.Sub(c.typedAt[t.From.ID]) < typingEvery {
		return
	}
	c.typedAt[t.From.ID] = now
	c.toOther(ctx, t.From, &TypingNotice{Conv: c.ID, From: t.From})
}

// read records a read mark and tells the other side. Marks only move
// forward, and only over stored messages.
func (c *conversation) read(ctx actor.Context, r *Read) {
	if !c.isMember(r.From) || r.Seq > c.last() || r.Seq <= c.reads[r.From.ID] {
		return
	}
	c.reads[r.From.ID] = r.Seq
	c.readMarks = append(c.readMarks, store.ReadMark{Conv: string(c.ID), PartyID: r.From.ID, Seq: r.Seq})
	c.toOther(ctx, r.From, &ReadNotice{Conv: c.ID, By: r.From, Seq: r.Seq})
	c.flush(ctx)
}

func (c *conversation) toOther(ctx actor.Context, from Party, msg any) {
	if from.Role == RoleCustomer {
		if c.agent != nil {
			ctx.Send(c.agent, msg)
		}
		return
	}
	c.toCustomer(ctx, msg)
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
	opened := c.opened(WhySync, s.After)
	if s.Party.Role == RoleAgent {
		c.forAgent(opened)
	}
	ctx.Send(conn, opened)
}

func (c *conversation) reassign(ctx actor.Context, r *Reassign) {
	if c.agent != nil && c.Agent.ID != r.Agent.ID {
		ctx.Send(c.agent, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: ReasonTransferred})
	}
	c.Agent, c.AgentActor = r.Agent, r.AgentActor
	c.agent = c.Dir.PID(KindAgent, r.AgentActor)
	c.record.AgentID, c.record.AgentName = r.Agent.ID, r.Agent.Name
	kind := "assigned"
	if r.Why == WhyTransferred {
		kind = "transferred"
	}
	c.change(ctx, kind, r.Agent, "", r.Handoff)
	ctx.Send(c.agent, c.forAgent(c.opened(r.Why, 0)))
	c.toCustomer(ctx, &AgentChanged{Conv: c.ID, Agent: r.Agent})
}

// change records who serves the conversation now, and the hand-off that
// made the change, if an agent asked for it.
func (c *conversation) change(ctx actor.Context, kind string, agent Party, reason string, h *Handoff) {
	c.recordDirty = true
	e := store.ConvEvent{Conv: string(c.ID), Kind: kind, AgentID: agent.ID, AgentName: agent.Name, Reason: reason, At: c.Now()}
	if h != nil {
		e = h.event(c.ID, kind, reason)
		c.handedOff(*h)
	}
	c.events = append(c.events, e)
	c.flush(ctx)
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
	if len(c.custConns) == 0 && c.ending == nil {
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

// finish decides the end. Messages already taken are stored and delivered
// first; then both sides and the dispatcher are told.
func (c *conversation) finish(ctx actor.Context, by Party, reason string) {
	if c.ending != nil {
		return
	}
	c.ending = &ConvClosed{Conv: c.ID, By: by, Reason: reason}
	c.record.EndedAt, c.record.EndedBy, c.record.EndReason = c.Now(), by.ID, reason
	c.change(ctx, "ended", c.Agent, reason, nil)
	if c.token == 0 && len(c.pending) == 0 {
		c.closed(ctx) // nothing to wait for (the end record is on its way)
	}
}

// closed tells both sides and the dispatcher, then stops. The end record
// goes to the store on its own: it needs no answer.
func (c *conversation) closed(ctx actor.Context) {
	c.flush(ctx)
	end := *c.ending
	// The order is causal: the agent hears the end before the dispatcher
	// can give it a new conversation, and the dispatcher hears it before
	// the customer can ask for an agent again (else "already in a
	// conversation").
	if c.agent != nil {
		toAgent := end
		toAgent.Other = c.Customer
		ctx.Send(c.agent, &toAgent)
	}
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID), &ConvFinished{Conv: c.ID, Reason: end.Reason})
	toCustomer := end
	toCustomer.Other = c.Agent
	c.toCustomer(ctx, &toCustomer)
	ctx.Stop(ctx.Self())
}

func (c *conversation) toCustomer(ctx actor.Context, msg any) {
	for _, pid := range c.custConns {
		ctx.Send(pid, msg)
	}
}

func (c *conversation) refuse(ctx actor.Context, conn ConnID, code, message, ref string) {
	if conn != "" {
		ctx.Send(c.Dir.PID(KindConn, string(conn)), &FrameError{Code: code, Message: message, Ref: ref})
	}
}

// fromStored turns a stored message back into the one the actors pass on.
func fromStored(conv ConvID, m store.Message) ConvMessage {
	role := RoleCustomer
	if m.SenderRole == RoleAgent.String() {
		role = RoleAgent
	}
	return ConvMessage{Conv: conv, Seq: m.Seq, From: Party{Role: role, ID: m.SenderID, Name: m.SenderName}, Text: m.Text, ClientID: m.ClientID, At: m.At}
}
