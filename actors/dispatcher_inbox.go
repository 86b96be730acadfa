package actors

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/limit"
)

// The offline form and each team's inbox, in the dispatcher (issue 18,
// docs/teams-plan.md §4). A customer who finds nobody leaves a message: a
// conversation is started that writes itself and parks (ConvParked); the
// dispatcher keeps the team's inbox in memory, oldest first, and an agent
// of the team takes an item when it has a free slot. The inbox is
// restored from the store (Restore.Inbox), like the queue.

type (
	// LeaveForm is a customer's offline form (connection → dispatcher).
	// Answered only on refusal, with *FrameError; once stored, the
	// customer's connection hears FormLeft from the conversation.
	LeaveForm struct {
		Customer string
		Addr     netip.Addr
		Team     string // "": the general team
		Email    string
		Lang     string
		Text     string
		CID      string
	}
	// FormLeft tells the customer its form is stored in the team's inbox
	// (conversation → connection; dispatcher → connection on a return).
	FormLeft struct {
		Conv  ConvID
		Team  string
		CID   string
		At    time.Time
		Token string // set by the customer's connection: a resume token that lasts -form-token-ttl
	}
	// ConvParked: a form's record and message are stored; it waits in its
	// team's inbox, and its actor stops (conversation → dispatcher). It
	// carries the whole item, so that a dispatcher that moved meanwhile
	// (its restore read the store before the commit) files it all the
	// same.
	ConvParked struct {
		Item InboxItem
		CID  string // the form's, for the customer's "left"
	}
	// ListInbox asks for a page of a team's inbox, oldest first, after
	// ticket After (agent connection → dispatcher): *InboxPage, or
	// *FrameError (unknown_team for a team the agent is not in).
	ListInbox struct {
		Agent string
		Team  string
		After uint64
	}
	InboxPage struct {
		Team  string
		Items []InboxItem
		More  bool
	}
	// InboxItem is one form waiting in an inbox.
	InboxItem struct {
		Conv     ConvID
		Team     string
		Customer Party
		Email    string
		Preview  string // the start of the message
		Ticket   uint64
		At       time.Time
	}
	// TakeInbox is an agent taking a form (agent connection →
	// dispatcher). Answered only on refusal; the conversation greets the
	// agent's tabs.
	TakeInbox struct {
		Agent string
		Conv  ConvID
	}
	// InboxChanged tells a team's agents' tabs a form came in (Added) or
	// was taken (Taken, By) (dispatcher → agent actor → connections).
	InboxChanged struct {
		Team  string
		Added *InboxItem
		Taken ConvID
		By    *Party
	}
)

// DefaultInboxMax bounds each team's inbox (-inbox-max).
const DefaultInboxMax = 1000

// inboxPageMax is the most items an inbox page carries.
const inboxPageMax = 50

// inboxEntry is one form in a team's inbox.
type inboxEntry struct {
	item InboxItem
	team *teamRec
}

// leaveForm starts a form: a conversation that writes itself with the
// customer's message and parks in the team's inbox. A customer has one
// open conversation at most, a form included.
func (d *dispatcher) leaveForm(ctx actor.Context, msg *LeaveForm) {
	c := d.customers[msg.Customer]
	switch {
	case c == nil || !c.pool.rules().queues:
		ctx.Respond(&FrameError{Code: ErrCodeForbidden, Message: "not a customer here", Ref: msg.CID})
		return
	case c.wait != nil || c.conv != nil || d.inboxOf[c.ID] != nil:
		ctx.Respond(&FrameError{Code: ErrCodeState, Message: "already waiting, chatting or with a message left", Ref: msg.CID})
		return
	}
	team := d.teamFor(msg.Team)
	if team == nil || team.cfg.Archived() {
		ctx.Respond(&FrameError{Code: ErrCodeUnknownTeam, Message: "no such team", Ref: msg.CID})
		return
	}
	if len(team.inbox) >= d.inboxMax() {
		ctx.Respond(&FrameError{Code: ErrCodeInboxFull, Message: "this team's inbox is full; try again later", Ref: msg.CID})
		return
	}
	if msg.Addr.IsValid() {
		if ok, retry := d.forms.Allow(msg.Addr); !ok {
			ctx.Respond(&OverLimit{Kind: limit.Forms, Err: &FrameError{Code: ErrCodeRateLimited, Ref: msg.CID,
				Message: fmt.Sprintf("too many messages left from your address; try again in %d s", retrySeconds(retry))}})
			return
		}
	}
	d.ticket++
	now := d.Now()
	conv := &convRec{id: ConvID(ids.Conv + ids.New()), customer: c, team: team, ticket: d.ticket, started: now, asked: now, email: msg.Email, form: true}
	d.convs[conv.id] = conv
	c.conv = conv
	start := d.convStart(conv, nil, false)
	start.Inbox = &InboxStart{Email: msg.Email, Lang: msg.Lang, Text: msg.Text, CID: msg.CID}
	if err := d.activateConv(ctx, conv, start); err != nil {
		d.Log.Error("cannot start a form", "conv", conv.id, "err", err)
		d.drop(conv)
		ctx.Respond(&FrameError{Code: ErrCodeNotStored, Message: "the message was not stored; send it again", Ref: msg.CID})
	}
}

func (d *dispatcher) inboxMax() int {
	if d.InboxMax > 0 {
		return d.InboxMax
	}
	return DefaultInboxMax
}

// convParked puts a stored form in its team's inbox, tells the team, and
// tells the customer's connection of now (it may have reconnected during
// the write) that its message was left.
func (d *dispatcher) convParked(ctx actor.Context, msg *ConvParked) {
	item := msg.Item
	if d.inbox[item.Conv] != nil {
		return // parked again after a move: it is in the inbox already
	}
	c := d.customers[item.Customer.ID]
	if conv := d.convs[item.Conv]; conv != nil {
		if item.Preview == "" && conv.takenFrom != nil {
			// Sent back with its first message out of the actor's window.
			item.Preview = conv.takenFrom.Preview
		}
		delete(d.convs, conv.id)
		if conv.pid != nil {
			delete(d.convPIDs, pidKey(conv.pid)) // its stop is no failure
		}
		if c != nil && c.conv == conv {
			c.conv = nil
		}
	}
	d.addToInbox(ctx, item)
	if c == nil {
		return
	}
	if c.conn != "" {
		ctx.Send(d.Dir.PID(KindConn, string(c.conn)), &FormLeft{Conv: item.Conv, Team: d.inbox[item.Conv].team.id, CID: msg.CID, At: item.At})
	} else if c.wait == nil && c.conv == nil {
		d.forgetCustomer(c)
	}
}

// backToInbox sends a taken form whose customer is away back to its
// team's inbox (requeue, when its agent is lost or hands it back): in the
// queue an away customer is passed over, so nobody would see it until the
// customer returned. The conversation stores that it is in the inbox and
// parks (ConvParked), and only then is it filed, as a new form is; until
// then it stays in convs with no agent, and its customer with it.
func (d *dispatcher) backToInbox(ctx actor.Context, c *convRec, reason string, h *Handoff) {
	c.agent, c.toInbox = nil, true // takenFrom stays: a failure before it parks files it again
	ctx.Send(c.pid, &Unassign{Reason: reason, Handoff: h, Team: c.team.id, ToInbox: true})
	d.publish(ctx, RoutingRequeued, c, nil)
}

// addToInbox files item in its team's inbox, in ticket order, and tells
// the team's agents; ctx nil at a restore, when nobody is online yet.
func (d *dispatcher) addToInbox(ctx actor.Context, item InboxItem) {
	t := d.teamOrGeneral(item.Team)
	if t.cfg.Archived() {
		t = d.general() // nobody lists an archived team's inbox
	}
	item.Team = t.id
	e := &inboxEntry{item: item, team: t}
	i, _ := slices.BinarySearchFunc(t.inbox, item.Ticket, func(x *inboxEntry, k uint64) int { return compareTicket(x.item.Ticket, k) })
	t.inbox = slices.Insert(t.inbox, i, e)
	d.inbox[item.Conv] = e
	d.inboxOf[item.Customer.ID] = e
	if ctx != nil {
		d.tellTeam(ctx, t, &InboxChanged{Team: t.id, Added: &e.item})
	}
}

// oldestForm is when the form that has waited longest in t's inbox was
// left: the inbox is in ticket order, and a ticket is not always a time
// (a form sent back keeps its ticket), so every entry is looked at.
func (t *teamRec) oldestForm() time.Time {
	var oldest time.Time
	for _, e := range t.inbox {
		if oldest.IsZero() || e.item.At.Before(oldest) {
			oldest = e.item.At
		}
	}
	return oldest
}

func compareTicket(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// removeFromInbox takes e out of its team's inbox.
func (d *dispatcher) removeFromInbox(e *inboxEntry) {
	t := e.team
	if i := slices.Index(t.inbox, e); i >= 0 {
		t.inbox = slices.Delete(t.inbox, i, i+1)
	}
	delete(d.inbox, e.item.Conv)
	if d.inboxOf[e.item.Customer.ID] == e {
		delete(d.inboxOf, e.item.Customer.ID)
	}
}

// tellTeam sends msg to the agent actor of each of t's members, which
// tells its tabs.
func (d *dispatcher) tellTeam(ctx actor.Context, t *teamRec, msg any) {
	for _, a := range d.agents {
		if a.pid != nil && t.has(a.ID) {
			ctx.Send(a.pid, msg)
		}
	}
}

// listInbox answers a page of a team's inbox to one of its agents; a team
// the agent is not in gets the same answer as one that does not exist.
func (d *dispatcher) listInbox(ctx actor.Context, msg *ListInbox) {
	t := d.teamFor(msg.Team)
	if t == nil || !t.has(msg.Agent) {
		ctx.Respond(&FrameError{Code: ErrCodeUnknownTeam, Message: "no such team"})
		return
	}
	page := &InboxPage{Team: t.id}
	for _, e := range t.inbox {
		if e.item.Ticket <= msg.After {
			continue
		}
		if len(page.Items) == inboxPageMax {
			page.More = true
			break
		}
		page.Items = append(page.Items, e.item)
	}
	ctx.Respond(page)
}

// takeInbox gives a form to an agent of its team with a free slot: the
// conversation is activated again with the agent and greets both sides.
func (d *dispatcher) takeInbox(ctx actor.Context, msg *TakeInbox) {
	a := d.agents[msg.Agent]
	e := d.inbox[msg.Conv]
	switch {
	case a == nil || e == nil || !e.team.has(a.ID):
		ctx.Respond(&FrameError{Code: ErrCodeUnknownConv, Message: "no such message in your teams' inboxes"})
		return
	case len(a.conns) == 0 || a.status != StatusAvailable || a.load() >= a.capacity:
		ctx.Respond(&FrameError{Code: ErrCodeUnavailable, Message: "you are away or at capacity"})
		return
	}
	d.removeFromInbox(e)
	c := d.customers[e.item.Customer.ID]
	if c == nil {
		c = &customerRec{Party: e.item.Customer, pool: d.Pool}
		d.customers[c.ID] = c
	}
	conv := &convRec{id: e.item.Conv, customer: c, team: e.team, ticket: e.item.Ticket, started: d.Now(), asked: e.item.At, email: e.item.Email, awaitCustomer: true}
	d.convs[conv.id] = conv
	d.seat(conv, a)
	start := d.convStart(conv, a, true)
	start.Taken = true
	if err := d.activateConv(ctx, conv, start); err != nil {
		d.Log.Error("cannot start a form taken", "conv", conv.id, "err", err)
		d.drop(conv)
		d.addToInbox(ctx, e.item)
		ctx.Respond(&FrameError{Code: ErrCodeUnavailable, Message: "the message could not be opened; try again"})
		return
	}
	conv.takenFrom = &e.item
	d.publish(ctx, RoutingAssigned, conv, a) // no queue wait: a form waits in the inbox, apart from the time to assignment
	d.tellTeam(ctx, e.team, &InboxChanged{Team: e.team.id, Taken: conv.id, By: &a.Party})
}
