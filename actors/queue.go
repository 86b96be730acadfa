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
	ticket   uint64
	notTo    string    // an agent who handed it back, offered it only if nobody else can take it
	since    time.Time // when it joined the queue (or was sent back): its wait so far
	elem     *list.Element

	// What the customer was last told, so updates go only on a change.
	toldPosition int
	toldETA      int64 // seconds
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
