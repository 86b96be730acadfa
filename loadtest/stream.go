package loadtest

import (
	"slices"
	"sync/atomic"
)

// stream is what one party received of one conversation, by position, and
// what it knows the conversation holds. On the native protocol the position
// is the server's seq; on the compat protocol, which has none, each sender's
// messages form their own stream numbered by the sender (see compat_*.go).
//
// A stream belongs to one client's goroutine while the run goes on, and is
// read by the verification only after every client has stopped.
type stream struct {
	conv string  // the conversation (compat: the customer's name)
	key  string  // what is checked together: conv, and on compat the sender
	got  []msgID // got[i] is the message at position i+1; 0: not received
	own  map[uint64]msgID
	top  uint64 // the highest position this party knows exists
	cut  bool   // the party left before the end: only what it had is checked
	side byte   // 'c' customer or 'a' agent, to spot a one-sided conversation

	dups, reorders int64

	// received counts the positions received, each once: top-received
	// are known to exist and not here (yet). unseen, when set, adds that
	// up across the run for the drain (see awaited).
	received uint64
	unseen   *atomic.Int64

	// leftOut are the positions a conv frame said it left out ("more"),
	// oldest range first: they come back as history pages, older than
	// what came before them but not out of order.
	leftOut []span
}

// span is the positions from lo to hi, both included.
type span struct{ lo, hi uint64 }

// pageAsk is the history request waiting for its answer on a connection
// (a client has one at a time): its conversation, and the before it was
// made with, which names the left-out range the answer is for. The zero
// value: none waits.
type pageAsk struct {
	conv   string
	before uint64 // at least 2: a range starts at 1 or later
}

func (p pageAsk) waiting() bool { return p.before != 0 }

func newStream(conv, key string, side byte) *stream {
	return &stream{conv: conv, key: key, side: side}
}

// last is the highest position received in order, but for those left
// out to be paged: the resume number, so that nothing received comes again.
func (s *stream) last() uint64 {
	for i, id := range s.got {
		if id == 0 && !s.isLeftOut(uint64(i+1)) {
			return uint64(i)
		}
	}
	return uint64(len(s.got))
}

// leave records that the positions from lo to hi were left out of a conv
// frame, to be paged back.
func (s *stream) leave(lo, hi uint64) {
	if lo > hi {
		return
	}
	before := s.missing()
	s.leftOut = append(s.leftOut, span{lo, hi})
	s.top = max(s.top, hi)
	s.changed(before)
}

func (s *stream) isLeftOut(pos uint64) bool {
	for _, r := range s.leftOut {
		if r.lo <= pos && pos <= r.hi {
			return true
		}
	}
	return false
}

// nextPage is the history request for the newest positions left out:
// those below before, at most limit of them.
func (s *stream) nextPage() (before uint64, limit int, ok bool) {
	if len(s.leftOut) == 0 {
		return 0, 0, false
	}
	r := s.leftOut[len(s.leftOut)-1]
	return r.hi + 1, int(r.hi - r.lo + 1), true
}

// paged takes the answer to the request nextPage made with before: a page
// starting at first (0: empty), and whether older messages are left. The
// answer is for the range the request was made for, found by before, which
// need not be the newest any more: a conv frame that arrived while the
// request waited (an agent asks for one conversation's page while the
// syncs of its others are still coming) may have left out a newer range.
// What the page did not bring of its range is given up on when nothing
// older is left: the verification counts it lost.
func (s *stream) paged(before, first uint64, more bool) {
	i := slices.IndexFunc(s.leftOut, func(r span) bool { return r.hi+1 == before })
	if i < 0 {
		return // nothing of it is left out any more
	}
	r := &s.leftOut[i]
	if first == 0 || !more || first <= r.lo {
		s.leftOut = slices.Delete(s.leftOut, i, i+1)
		return
	}
	r.hi = min(r.hi, first-1)
}

// awaited makes the run's drain wait until this party holds every position
// it knows of (what it lacks is added to unseen), and returns s. Acks and
// deliveries do not show that: a native agent's own message comes back
// through its agent actor, while the ack comes straight from the
// conversation and can arrive first. (On compat the echo is the ack.)
func (s *stream) awaited(unseen *atomic.Int64) *stream {
	s.unseen = unseen
	s.unseen.Add(s.missing())
	return s
}

// missing is how many positions this party knows of and has not received.
func (s *stream) missing() int64 { return int64(s.top - s.received) }

// changed reports to unseen how missing moved from before; a cut stream is
// no longer waited for.
func (s *stream) changed(before int64) {
	if s.unseen != nil && !s.cut {
		s.unseen.Add(s.missing() - before)
	}
}

// abandon marks the stream cut (the party left before the end): only what
// it had is checked, and the drain stops waiting for the rest.
func (s *stream) abandon() {
	if s.unseen != nil && !s.cut {
		s.unseen.Add(-s.missing())
	}
	s.cut = true
}

// receive records that position pos holds id and says whether this is the
// first time it arrived. A position past the next leaves a gap, which is
// lost unless it arrives later (then out of order, unless it was left out
// to be paged); one that arrived before is a duplicate.
func (s *stream) receive(pos uint64, id msgID) bool {
	n := uint64(len(s.got))
	before := s.missing()
	switch {
	case pos == 0:
		return false
	case pos == n+1:
		s.got = append(s.got, id)
	case pos > n+1:
		s.got = append(s.got, make([]msgID, pos-n-1)...)
		s.got = append(s.got, id)
	case s.got[pos-1] == 0:
		s.got[pos-1] = id
		if !s.isLeftOut(pos) {
			s.reorders++
		}
	default:
		s.dups++
		return false
	}
	s.received++
	s.top = max(s.top, pos)
	s.changed(before)
	return true
}

// owned records that the server put one of this party's own messages at
// pos (an ack); the other side must have it there.
func (s *stream) owned(pos uint64, id msgID) {
	if s.own == nil {
		s.own = map[uint64]msgID{}
	}
	s.own[pos] = id
	before := s.missing()
	s.top = max(s.top, pos)
	s.changed(before)
}

// verdict is the delivery check over every stream of a run.
type verdict struct {
	Verify
	mismatched int64 // positions holding another message than the one acknowledged there
	oneSided   int64 // conversations only one side ever saw
}

// verify checks that every party of every conversation received every
// position the conversation is known to hold, exactly once, in order, and
// that each acknowledged position holds the acknowledged message.
func verify(streams []*stream) verdict {
	var v verdict
	byKey := map[string][]*stream{}
	convs := map[string]bool{}
	for _, s := range streams {
		byKey[s.key] = append(byKey[s.key], s)
		convs[s.conv] = true
	}
	v.Conversations = len(convs)
	for _, group := range byKey {
		var top uint64
		truth := map[uint64]msgID{}
		sides := map[byte]bool{}
		for _, s := range group {
			top = max(top, s.top)
			for pos, id := range s.own {
				truth[pos] = id
			}
			sides[s.side] = true
		}
		if !sides['c'] || !sides['a'] {
			// Everything in it should have reached the side that is
			// missing.
			v.oneSided++
			v.Lost += int64(top)
		}
		for _, s := range group {
			v.Duplicated += s.dups
			v.OutOfOrder += s.reorders
			limit := top
			if s.cut {
				limit = uint64(len(s.got))
			}
			for pos := uint64(1); pos <= limit; pos++ {
				switch {
				case pos > uint64(len(s.got)) || s.got[pos-1] == 0:
					v.Lost++
				case truth[pos] != 0 && truth[pos] != s.got[pos-1]:
					v.mismatched++
					v.Lost++
				}
			}
		}
	}
	return v
}
