package loadtest

import (
	"slices"
	"time"
)

// pending is one of a client's own messages, written and not yet
// acknowledged: after a reconnection it is sent again, byte for byte.
type pending struct {
	conv   string
	cid    string
	text   string
	id     msgID
	sentAt time.Time
	st     *stream // the conversation's record, for the ack's position
}

// outbox holds a client's unacknowledged messages, oldest first. A client
// has a few at most, so a slice beats a map.
type outbox []pending

// take removes and returns the message with that client id.
func (o *outbox) take(cid string) (pending, bool) {
	i := slices.IndexFunc(*o, func(p pending) bool { return p.cid == cid })
	if i < 0 {
		return pending{}, false
	}
	p := (*o)[i]
	*o = slices.Delete(*o, i, i+1)
	return p, true
}

// has says whether the message with that client id waits here.
func (o outbox) has(cid string) bool {
	return slices.ContainsFunc(o, func(p pending) bool { return p.cid == cid })
}

// acked takes the acknowledged message out of o and records its ack: the
// counters, the ack latency under client idx, and its position in its
// stream. ok is false for an ack of nothing waiting (a resend's second).
func (o *outbox) acked(m *metrics, idx int, f *nFrame) (p pending, ok bool) {
	p, ok = o.take(f.CID)
	if !ok {
		return p, false
	}
	m.ackedAt(idx, p.sentAt)
	p.st.owned(f.Seq, p.id)
	return p, true
}

// refused handles an error frame naming one of o's messages: not_stored
// (the store failed) sends it again through write; any other refusal is
// final, and the message will never be acknowledged. who names the side
// in the error counts.
func (o *outbox) refused(m *metrics, who string, f *nFrame, write func(frame []byte)) {
	m.errs.add(who + ":error_frame:" + f.Code)
	if f.CID == "" || !o.has(f.CID) {
		return
	}
	if f.Code == "not_stored" {
		for _, p := range *o {
			if p.cid == f.CID {
				write(frameMsg(p.conv, p.text, p.cid))
			}
		}
		return
	}
	o.take(f.CID)
	m.outstanding.Add(-1)
}
