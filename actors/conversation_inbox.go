package actors

import (
	"fmt"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// A conversation that begins as an offline form (issue 18,
// docs/teams-plan.md §4): its record and the customer's message are
// written as any first write is, and then it parks in its team's inbox:
// the dispatcher is told (ConvParked), the customer hears "left", and the
// actor stops, for a form may wait days. An agent who takes it activates
// it again (StartConv.Taken): it loads itself, takes its agent, and greets
// both sides as a new conversation does.

// InboxStart is what a form conversation starts with: what the customer
// wrote on the form.
type InboxStart struct {
	Email string // "" when none was given
	Lang  string // the page's language, for the email
	Text  string
	CID   string // the form's client id: a resend is answered once
}

// WhyTaken is a conv frame's why for a form an agent took from its inbox.
const WhyTaken = "taken"

// startInbox writes a new form conversation: its record, in its team's
// inbox, and the customer's message as message 1.
func (c *conversation) startInbox(ctx actor.Context) {
	c.record.Inbox, c.record.Origin = true, store.OriginForm
	c.record.CustomerEmail, c.record.CustomerLang = c.Inbox.Email, c.Inbox.Lang
	c.fenceOnStarter()
	c.recordDirty = true
	c.pending = append(c.pending, accepted{conn: c.CustomerConn, msg: ConvMessage{
		Conv: c.ID, Seq: 1, From: c.Customer, Text: c.Inbox.Text, ClientID: c.Inbox.CID, At: c.Now(),
	}})
	c.flush(ctx)
}

// parkStored ends the first write of a form: it is stored, so the
// dispatcher puts it in the inbox and tells the customer (on whatever
// connection it has now); the actor has nothing more to do until an agent
// takes it. Nothing else was taken meanwhile: posts are refused while the
// form is written (post).
func (c *conversation) parkStored(ctx actor.Context) {
	first := c.writing[0].msg
	c.messages = append(c.messages, first)
	c.writing = nil
	c.park(ctx, c.Inbox.CID)
}

// park tells the dispatcher the conversation waits in its team's inbox,
// as the store has it, and stops.
func (c *conversation) park(ctx actor.Context, cid string) {
	r := c.record
	item := InboxItem{Conv: c.ID, Team: store.TeamOrGeneral(r.Team), Customer: Party{Role: RoleCustomer, ID: r.CustomerID, Name: r.CustomerName},
		Email: r.CustomerEmail, Preview: preview(c.firstText()), Ticket: r.Ticket, At: r.StartedAt}
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID(c.Pool)), &ConvParked{Item: item, CID: cid})
	ctx.Stop(ctx.Self())
}

// formWriting reports whether this is a form's first write on its way:
// a taken form sent back to its inbox is in convInbox too, but writes as
// any conversation does until it parks.
func (c *conversation) formWriting() bool { return c.state == convInbox && c.Inbox != nil }

// formFailed gives up a form whose first write failed: the customer is
// told to send it again (its cid), the dispatcher forgets it.
func (c *conversation) formFailed(ctx actor.Context) {
	c.refuse(ctx, c.CustomerConn, ErrCodeNotStored, refusedNotStored, c.Inbox.CID)
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID(c.Pool)), &ConvFinished{Conv: c.ID, Reason: ReasonFailed})
	ctx.Stop(ctx.Self())
}

// taken starts a form an agent took: loaded, it leaves the inbox for its
// agent and stores that; start then greets both sides, as for a new one.
func (c *conversation) taken(ctx actor.Context) {
	c.record.Inbox = false
	c.record.AgentID, c.record.AgentName = c.Agent.ID, c.Agent.Name
	c.recordDirty = true
	c.events = append(c.events, store.ConvEvent{Conv: string(c.ID), Kind: store.EventAssigned, AgentID: c.Agent.ID, AgentName: c.Agent.Name, At: c.Now()})
	c.flush(ctx)
}

// firstText is message 1's text while it is in the window, else "".
func (c *conversation) firstText() string {
	if len(c.messages) > 0 && c.messages[0].Seq == 1 {
		return c.messages[0].Text
	}
	return ""
}

// previewBytes bounds an inbox item's preview of its first message.
const previewBytes = 120

// preview is the start of text, cut at a character boundary.
func preview(text string) string {
	if len(text) <= previewBytes {
		return text
	}
	cut := previewBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}

// mailAnswer queues, with the end, the answer of a form's conversation
// for the mailer: when the customer left an email, mail is on, and an
// agent wrote after the customer last read. The mail names the messages
// after the customer's read mark; its Message-ID is the conversation and
// its last seq, so a write retried does not queue it twice.
func (c *conversation) mailAnswer() {
	if c.MailDomain == "" || c.record.Origin != store.OriginForm || c.record.CustomerEmail == "" {
		return
	}
	read := c.reads[c.Customer.ID]
	unread := false
	for _, m := range c.messages {
		unread = unread || (m.Seq > read && m.From.Role == RoleAgent)
	}
	for _, a := range append(c.writing, c.pending...) {
		unread = unread || (a.msg.Seq > read && a.msg.From.Role == RoleAgent)
	}
	if !unread {
		return
	}
	last := c.last() + uint64(len(c.writing)+len(c.pending))
	c.mail = append(c.mail, store.MailItem{
		MessageID: fmt.Sprintf("%s.%d@%s", c.ID, last, c.MailDomain), Conv: string(c.ID),
		To: c.record.CustomerEmail, Lang: c.record.CustomerLang, AfterSeq: read, At: c.Now(),
	})
}
