package transport

import (
	"encoding/json"

	"kefu/actors"
)

// Encode implements actors.Codec: it writes the server's frames of the
// native protocol (docs/protocol.md); native_codec.go decodes the client's.
// Each frame's shape is a function of its own, in native_out_session.go
// (the connection's own state) and native_out_conv.go (a conversation's).
func (NativeCodec) Encode(msg any) []byte {
	out := nativeFrame(msg)
	if out == nil {
		return nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil // unreachable: these types always marshal
	}
	return b
}

// nativeFrame picks the frame for an actor's message, nil for one the
// native protocol does not write.
func nativeFrame(msg any) any {
	switch m := msg.(type) {
	case *actors.Welcome:
		return welcomeFrame(m)
	case *actors.Queued:
		return queuedFrame(m)
	case *actors.Dequeued:
		return typeOnly{frameDequeued}
	case *actors.ConvOpened:
		return convFrame(m)
	case *actors.History:
		return historyFrame(m)
	case *actors.Ack:
		return ackFrame(m)
	case *actors.ReadNotice:
		return readFrame(m)
	case *actors.ConvMessage:
		if m.Conv == "" {
			return nil // a compat-only echo
		}
		return message(m)
	case *actors.TypingNotice:
		return typingFrame(m)
	case *actors.AgentChanged:
		return agentFrame(m)
	case *actors.Requeued:
		return requeuedFrame(m)
	case *actors.ConvClosed:
		return endedFrame(m)
	case *actors.AgentState:
		return stateFrame(m)
	case *actors.AgentList:
		return agentsFrame(m)
	case *actors.FrameError:
		return errorFrame(m)
	case *actors.Rated:
		return ratedFrame(m)
	case *actors.Heartbeat:
		return typeOnly{framePing}
	case *actors.Pong:
		return typeOnly{framePong}
	case *actors.FormLeft:
		return leftFrame(m)
	case *actors.InboxPage:
		return inboxFrame(m)
	case *actors.InboxChanged:
		return inboxChangedFrame(m)
	case *actors.NoteAdded:
		return noteFrame(m)
	}
	return nil // *Kick: the close frame says it all
}

// EncodeMessage encodes a conversation's message in the protocol of its
// pool's parties (actors.Kinds.EncodeMsg): the tutorial's for the compat
// pool, the native protocol's for every other. The frame is the same for
// every party of the pool, so a conversation encodes it once for all.
func EncodeMessage(p actors.Pool, m *actors.ConvMessage) []byte {
	if p == actors.PoolCompat {
		return CompatCodec{}.Encode(m)
	}
	return NativeCodec{}.Encode(m)
}
