package actors

import "github.com/asynkron/protoactor-go/actor"

// maxBeforeStart bounds what an activated actor keeps of the messages that
// reach it before its start message. On one node there are none to speak
// of: Activate sends the start right after the spawn, and the parties
// learn the actor's id from whoever activated it. On a cluster another
// node's message can overtake the start (a connection's Sync or Post to a
// conversation being re-activated); a conversation's parties send at most
// a few each (maxInflight posts per connection), so this holds them all
// with room to spare. Past it a message is dropped and logged: the sender's
// own repair (an unacknowledged post is resent, a gap is synced) covers it,
// as for any message lost between nodes.
const maxBeforeStart = 256

// beforeStart holds the messages an activated actor is sent before its
// start message, in order, to be handled right after it. It is part of the
// actor's state, changed only in its Receive.
type beforeStart struct{ held []any }

// hold keeps msg for after the start, unless the bound is reached; it
// reports whether it kept it.
func (b *beforeStart) hold(msg any) bool {
	if len(b.held) >= maxBeforeStart {
		return false
	}
	b.held = append(b.held, msg)
	return true
}

// replay hands every held message to handle, oldest first, and forgets
// them.
func (b *beforeStart) replay(handle func(msg any)) {
	held := b.held
	b.held = nil
	for _, msg := range held {
		handle(msg)
	}
}

// lifecycle says msg is one of Proto.Actor's own lifecycle messages, which
// an actor handles whether or not it has started.
func lifecycle(msg any) bool {
	switch msg.(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting, *actor.ReceiveTimeout:
		return true
	}
	return false
}
