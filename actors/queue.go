package actors

import (
	"container/list"
	"time"
)

// waiting is one customer in the queue. Conv is set when a conversation was
// sent back (its agent vanished, or transferred it to the queue), so the
// customer keeps it. Ticket is the arrival number that fixes the order.
type waiting struct {
	customer *customerRec
	conv     *convRec
	team     *teamRec // whose queue it is in
	email    string   // the pre-chat form's address, kept with the conversation
	ticket   uint64
	notTo    string    // an agent who handed it back, offered it only if nobody else can take it
	since    time.Time // when it joined the queue (or was sent back): the time to this assignment
	// asked is when the customer first asked for an agent: a conversation
	// sent back keeps it (convRec.asked), so a supervisor's oldest wait is
	// how long the customer has really been waiting, not since the re-queue.
	asked time.Time
	elem  *list.Element

	// What the customer was last told, so updates go only on a change, and
	// a position further back can say why (movedReason).
	toldPosition int
	toldAhead    int   // conversations sent back that were ahead of it then
	toldETA      int64 // seconds
}

// place is where a waiting customer stands: its position among the
// customers connected, and how many of those ahead of it are conversations
// sent back to the queue, which go first by design.
type place struct {
	position      int
	requeuedAhead int
}

// before orders the heads of two teams' queues for an agent in both:
// a conversation sent back first, as within one queue, then the older
// ticket. Tickets are one counter over all teams, so they compare.
func (w *waiting) before(o *waiting) bool {
	if (w.conv != nil) != (o.conv != nil) {
		return w.conv != nil
	}
	return w.ticket < o.ticket
}

// told records p as what the customer was last told.
func (w *waiting) told(p place, eta int64) {
	w.toldPosition, w.toldAhead, w.toldETA = p.position, p.requeuedAhead, eta
}

// movedReason says why w's position is now further back than the one it
// was last told, or "" when it is not (or it was told none). Only two
// things put a customer ahead of one already waiting: a conversation sent
// back to the head of the queue, or a customer ahead who was away (and so
// counted in nobody's position) coming back to its place. New arrivals go
// to the back.
func (w *waiting) movedReason(now place) string {
	switch {
	case w.toldPosition == 0 || now.position <= w.toldPosition:
		return ""
	case now.requeuedAhead > w.toldAhead:
		return MovedRequeuedAhead
	default:
		return MovedReturnedAhead
	}
}

// oldestAsked is when the customer who has waited longest, of everyone in
// the queue (away or not, sent back or not), first asked; zero when nobody
// waits. The head is not always that customer: a conversation sent back
// goes ahead of customers who asked before it.
func (q *queue) oldestAsked() time.Time {
	var oldest time.Time
	q.each(func(w *waiting) {
		if oldest.IsZero() || w.asked.Before(oldest) {
			oldest = w.asked
		}
	})
	return oldest
}

// queue is the FIFO of waiting customers. Removing any entry is O(1): a
// customer who leaves is gone at once, not skipped later.
type queue struct{ l list.List }

func (q *queue) len() int { return q.l.Len() }

func (q *queue) pushBack(w *waiting) { w.elem = q.l.PushBack(w) }

// pushFront puts w at the head: for conversations whose agent vanished,
// which were waiting longer than anyone in the queue.
func (q *queue) pushFront(w *waiting) { w.elem = q.l.PushFront(w) }

func (q *queue) remove(w *waiting) {
	if w.elem != nil {
		q.l.Remove(w.elem)
		w.elem = nil
	}
}

func (q *queue) head() *waiting {
	if e := q.l.Front(); e != nil {
		return e.Value.(*waiting)
	}
	return nil
}

// next is the entry behind w, which must be in the queue, or nil.
func (q *queue) next(w *waiting) *waiting {
	if e := w.elem.Next(); e != nil {
		return e.Value.(*waiting)
	}
	return nil
}

// each calls f with every entry, head first.
func (q *queue) each(f func(w *waiting)) {
	for e := q.l.Front(); e != nil; e = e.Next() {
		f(e.Value.(*waiting))
	}
}
