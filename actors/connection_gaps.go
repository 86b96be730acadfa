package actors

import (
	"cmp"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Gaps in a conversation's numbering, and the answers that fill them. A
// conversation numbers its messages without gaps and sends them in order,
// so on one node a connection never sees one. On a cluster it can: a
// message lost between nodes (remote delivery is at most once), or one a
// conversation stored just before it moved and never delivered. The
// connection never shows the client a message past a gap: it holds it,
// asks the conversation once for what came after the last one delivered
// (a Sync), and when the answer fills the gap delivers in order what the
// answer and the held messages carry, each once. The same answer ends a
// repair after a move (connection_moved.go).

// maxHeld bounds the messages held behind a gap per conversation. The
// answer to the Sync carries them anyway (it is made after they were
// stored), so past the bound the held ones are dropped rather than kept:
// holding only saves the answer's round trip for a gap filled by a late
// message.
const maxHeld = 32

// live delivers a conversation's live message exactly once and in order.
// Until the conversation has answered this connection's sync, live messages
// are left out: the sync's history will carry them. One past a gap waits
// for what comes before it.
func (c *connection) live(ctx actor.Context, v *convView, m *ConvMessage) {
	switch {
	case !v.synced || m.Seq <= v.last:
	case m.Seq > v.last+1:
		c.hold(ctx, v, m)
	default:
		c.deliver(ctx, v, m)
		c.release(ctx, v)
	}
}

// deliver sends the client m, the next message it lacks.
func (c *connection) deliver(ctx actor.Context, v *convView, m *ConvMessage) {
	v.last = m.Seq
	if c.send(ctx, m) {
		c.Metrics.Delivered(c.Pool.Metric(), m.Stored)
	}
}

// hold keeps m, which came past a gap, until what comes before it is
// delivered, and asks once for what the connection lacks.
func (c *connection) hold(ctx actor.Context, v *convView, m *ConvMessage) {
	c.Log.Warn("sequence gap; asking for what is missing", "conv", m.Conv, "have", v.last, "got", m.Seq)
	if len(v.held) < maxHeld {
		if i, dup := slices.BinarySearchFunc(v.held, m.Seq, bySeq); !dup {
			v.held = slices.Insert(v.held, i, m)
		}
	} else {
		v.held = nil // the answer to the Sync carries them
	}
	if !v.asked {
		c.probeSoon(ctx)
		c.askAfter(ctx, m.Conv, v)
	}
}

// bySeq orders held messages by their place in the conversation.
func bySeq(m *ConvMessage, seq uint64) int { return cmp.Compare(m.Seq, seq) }

// release delivers the held messages that are next in order, and forgets
// those the client has had since.
func (c *connection) release(ctx actor.Context, v *convView) {
	for len(v.held) > 0 && v.held[0].Seq <= v.last+1 {
		m := v.held[0]
		v.held = v.held[1:]
		if m.Seq == v.last+1 {
			c.deliver(ctx, v, m)
		}
	}
	if len(v.held) == 0 {
		v.held = nil
	}
}

// askAfter asks the conversation for what came after the last message
// delivered. Its answer, a ConvOpened (WhySync), goes to filled once this
// connection has been synced; before that it is the connection's first
// opening, as on admission.
func (c *connection) askAfter(ctx actor.Context, id ConvID, v *convView) {
	v.asked = v.synced
	v.askedAt = time.Now()
	ctx.Send(v.pid, &Sync{Conn: c.ID, Party: c.me, After: v.last})
}

// filled takes the conversation's answer to askAfter: the messages the
// client lacks go to it as messages, in order, then what was held behind
// them. An answer whose page starts past what the client has (more was
// missed than a page) goes as a conv frame instead, whose more flag has the
// client ask for the older pages, as on a resume. A gap still open (held
// messages the answer did not reach) is asked for again.
func (c *connection) filled(ctx actor.Context, v *convView, o *ConvOpened) {
	v.asked = false
	missed := o.History
	for len(missed) > 0 && missed[0].Seq <= v.last {
		missed = missed[1:]
	}
	if len(missed) > 0 && missed[0].Seq > v.last+1 {
		had := v.last
		out := *o
		out.History = missed
		out.After = missed[0].Seq - 1
		out.More = out.After > had
		v.last = missed[len(missed)-1].Seq
		v.notesShown(out.Notes) // the client has them from the frame
		c.send(ctx, &out)
	} else {
		for i := range missed {
			v.last = missed[i].Seq
			c.send(ctx, &missed[i])
		}
	}
	c.release(ctx, v)
	c.missedNotes(ctx, v, o)
	if len(v.held) > 0 {
		c.askAfter(ctx, o.Conv, v)
	}
}
