package actors

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// countedMailbox returns an unbounded mailbox producer and a function that
// reads how many user messages wait in the mailbox it made: an actor that
// acts at the end of a burst (the store writer's commit, a connection's
// socket flush) looks at it. One producer per actor: props built from it
// spawn one actor.
func countedMailbox() (actor.MailboxProducer, func() int) {
	var mb atomic.Pointer[actor.Mailbox]
	unbounded := actor.Unbounded()
	producer := func() actor.Mailbox {
		m := unbounded()
		mb.Store(&m)
		return m
	}
	return producer, func() int { return (*mb.Load()).UserMessageCount() }
}
