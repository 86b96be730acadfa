// Package actors holds kefu's live state: seven kinds of Proto.Actor actor,
// the messages between them, the routing policy and the queue. Each piece of
// state has one owner and changes only in that owner's Receive; nothing here
// is guarded by a mutex.
//
// Who owns what:
//
//   - dispatcher (dispatcher*.go, queue.go, policy.go): all routing. Agents'
//     records (capacity, status, load), the eligible heaps, the queue and its
//     tickets, customers' records, compat reservations. It admits connections
//     and pairs customers with agents, and never sees chat.
//   - agent (agent.go): one agent across their tabs; fans the agent's events
//     out to each tab. It holds no routing state.
//   - conversation (conversation*.go): one chat. Its state (queued,
//     assigned, ending: conversation_state.go, changed in one place), its
//     members, its numbering (seq), its one write in flight, resend ids,
//     read marks, an assigned customer's grace period, its end.
//   - connection (connection*.go): one WebSocket, on either protocol. Who the
//     client is, its codec and socket, its view of each conversation (the
//     last seq sent), so that delivery is exactly once and in order.
//   - store writer (storewriter.go): the group commit; the only actor that
//     blocks on the store to write.
//   - monitor (monitor*.go): what the supervisor view shows.
//   - sessions (sessions.go): which agent socket used which login token.
//
// The tutorial's "room" became two of these: the agent actor (who is online)
// and a conversation actor (one chat); the dispatcher decides who meets whom.
// Its protocol is the compat pool, whose rules (one customer per agent, no
// queue, no grace period, ...) are one value in pool.go.
//
// A chat line's path: connection → conversation → store writer →
// conversation → the customer's connections and the agent actor → the
// agent's connections. The dispatcher is not on it.
//
// Actors hold ids, never pointers to each other, and find an address through
// the Directory (directory.go). An actor that panics is stopped, never
// restarted; its watchers treat it as gone.
//
// docs/architecture.md is the map; docs/actors.md, docs/routing.md and
// docs/durability.md the details.
package actors
