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
