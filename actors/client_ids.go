package actors

import (
	"hash/maphash"
	"slices"
	"time"
)

// rememberCIDs is how many of each sender's newest client message ids a
// conversation remembers (and at most twice as many) to answer resends. A
// client resends only what it sent since the last acknowledgement it
// received: a chat client has a handful in flight, not dozens.
const rememberCIDs = 16

// clientIDs is where each sender's newest client message ids went, so a
// resend is answered with the original's seq instead of being stored
// twice. Per sender, because one side talking a lot must not push out the
// other side's ids. Plain slices searched in order rather than a map: a
// conversation has two senders (a few after transfers) and a handful of ids
// each, and ten thousand conversations' maps and composite keys were a
// seventh of the server's heap.
//
// Older ids are not forgotten altogether: every id the conversation took
// is added to seen, a Bloom filter of fixed size. A client id the filter
// has not seen is certainly new; one it may have seen, but that is not
// remembered in full, is looked up in the store. So a resend is never
// stored twice however old it is, and a new message costs no read, except
// for the filter's false positives: under 0.01 % of new messages for a
// conversation of 100, about 1 % at 600, more beyond (each costs one
// store read, never a wrong answer). A first version kept a set of 32-bit
// hashes, which grew with every message: a ten-minute soak with
// conversations that never end grew the server's memory by a quarter.
type clientIDs struct {
	senders []senderIDs
	seen    *cidFilter // nil until the first id
}

// cidSeed keys the hashes: they live only in memory, and a conversation
// loaded after a restart hashes its stored ids again.
var cidSeed = maphash.MakeSeed()

func cidHash(sender, cid string) uint64 {
	var h maphash.Hash
	h.SetSeed(cidSeed)
	h.WriteString(sender)
	h.WriteByte(0)
	h.WriteString(cid)
	return h.Sum64()
}

// cidFilter is a Bloom filter of 8,192 bits (1 KiB) with three probes,
// each taken from its own 13 bits of one 64-bit hash.
type cidFilter [cidFilterBits / 64]uint64

const (
	cidFilterBits = 1 << 13
	cidProbes     = 3
)

func (f *cidFilter) add(h uint64) {
	for i := range cidProbes {
		b := (h >> (13 * i)) & (cidFilterBits - 1)
		f[b/64] |= 1 << (b % 64)
	}
}

func (f *cidFilter) has(h uint64) bool {
	for i := range cidProbes {
		b := (h >> (13 * i)) & (cidFilterBits - 1)
		if f[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// mark records that sender used cid.
func (c *clientIDs) mark(sender, cid string) {
	if c.seen == nil {
		c.seen = new(cidFilter)
	}
	c.seen.add(cidHash(sender, cid))
}

// maybeSeen reports whether sender may have used cid before: false is
// certain, true needs the store to confirm.
func (c *clientIDs) maybeSeen(sender, cid string) bool {
	return c.seen != nil && c.seen.has(cidHash(sender, cid))
}

type senderIDs struct {
	sender string
	ids    []sentID // oldest first
}

// sentID is where one client id went: its seq, and when it was stored
// (zero until then).
type sentID struct {
	cid string
	seq uint64
	at  time.Time
}

func (c *clientIDs) of(sender string) *senderIDs {
	for i := range c.senders {
		if c.senders[i].sender == sender {
			return &c.senders[i]
		}
	}
	return nil
}

// find returns where sender's cid went.
func (c *clientIDs) find(sender, cid string) (sentID, bool) {
	if s := c.of(sender); s != nil {
		if i := s.index(cid); i >= 0 {
			return s.ids[i], true
		}
	}
	return sentID{}, false
}

// put records where sender's cid went, or updates it, and marks it seen. Beyond
// 2*rememberCIDs ids, the oldest stored ones beyond the newest
// rememberCIDs are forgotten, in place; an id whose message is not stored
// yet (seq > stored) is never forgotten.
func (c *clientIDs) put(sender string, id sentID, stored uint64) {
	s := c.of(sender)
	if s == nil {
		c.senders = append(c.senders, senderIDs{sender: sender})
		s = &c.senders[len(c.senders)-1]
	}
	if i := s.index(id.cid); i >= 0 {
		s.ids[i] = id
		return
	}
	c.mark(sender, id.cid)
	if len(s.ids) >= 2*rememberCIDs {
		old := len(s.ids) - rememberCIDs
		n := 0
		s.ids = slices.DeleteFunc(s.ids, func(e sentID) bool {
			n++
			return n <= old && e.seq <= stored
		})
	}
	s.ids = append(s.ids, id)
}

// drop forgets sender's cid: its message was not stored after all.
func (c *clientIDs) drop(sender, cid string) {
	if s := c.of(sender); s != nil {
		if i := s.index(cid); i >= 0 {
			s.ids = slices.Delete(s.ids, i, i+1)
		}
	}
}

func (s *senderIDs) index(cid string) int {
	for i := len(s.ids) - 1; i >= 0; i-- { // a resend is usually recent
		if s.ids[i].cid == cid {
			return i
		}
	}
	return -1
}
