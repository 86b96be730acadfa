package actors

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// Kinds is what every actor of an activated kind (KindConv, KindAgent)
// shares on this node: the node-level values their props capture. It is
// built once at start (server/server_actors.go). What differs from one
// actor to the next comes in its start message (*StartConv, *StartAgent)
// instead, so a kind's props are the same for every id, as a cluster
// kind's must be: a grain is spawned from its kind's props alone.
//
// It is read-only once built: actors on many goroutines share it.
type Kinds struct {
	// Dir is the directory the actors find each other through: the
	// outermost one, when a test wraps the node's.
	Dir Directory
	// Store is where a conversation restored or re-activated reads itself
	// back from; its writes go through the store writer.
	Store store.Conversations
	Log   *slog.Logger
	Now   func() time.Time // nil: time.Now
	// Claim makes this node the owner of key (a conversation's id) and
	// returns the epoch its writes are fenced with (store.Fencing.Claim,
	// for this node's lease). nil on a single node: no claims, no fences.
	Claim func(key string) (int64, error)
	// Epoch reads key's current epoch (store.Fencing.Epoch): a
	// conversation that answers a Sync from memory, with no write of its
	// own for ProveEvery (0: DefaultProveEvery), first checks it still owns
	// itself. nil on a single node.
	Epoch      func(key string) (int64, error)
	ProveEvery time.Duration
	// StartWait is how long an activated conversation waits for its
	// StartConv before it gives up (conversation_unstarted.go); 0:
	// DefaultStartWait. Tests shorten it.
	StartWait time.Duration
	// Identity returns the id an activated actor was activated under, for
	// one that has no start message to say it (a conversation re-activated
	// by a late message); nil: LocalDirectory's naming (localName). A
	// cluster's directory reads the grain's cluster identity instead.
	Identity func(ctx actor.Context) string
	// EncodeMsg encodes a message in the protocol of the pool's parties,
	// so that a conversation encodes each message once for all of them
	// (its echo, the other party, every tab); nil: each connection
	// encodes its own.
	EncodeMsg func(Pool, *ConvMessage) []byte
	// MailDomain, when set, is the domain of the address mail is sent
	// from (-smtp-from): a form's conversation that ends with an answer
	// its customer has not read queues that answer for the mailer, in its
	// end's own write. "": no mail is sent.
	MailDomain string
}

// EncodedFrame is a message's frame in the protocol of Pool's parties.
type EncodedFrame struct {
	Pool  Pool
	Bytes []byte
}

// DefaultStartWait is Kinds.StartWait's default. On a cluster the
// dispatcher re-activates a moved conversation within about a second of
// its node's loss (the activation measured ~1.3 s); a conversation still
// without its start five seconds on was woken by a late message, not by
// its dispatcher.
const DefaultStartWait = 5 * time.Second

// Props returns the props actors of kind are spawned from. They are new at
// each call, because Props.Configure changes props in place (LocalDirectory
// sets its dispatcher on what it spawns). Every kind's actors stop when
// they panic (stopOnPanic), whoever supervises them.
func (k *Kinds) Props(kind Kind) (*actor.Props, error) {
	shared := *k
	if shared.Now == nil {
		shared.Now = time.Now
	}
	if shared.Log == nil {
		shared.Log = slog.Default()
	}
	if shared.StartWait <= 0 {
		shared.StartWait = DefaultStartWait
	}
	if shared.Identity == nil {
		shared.Identity = localIdentity
	}
	var producer actor.Producer
	switch kind {
	case KindConv:
		producer = func() actor.Actor { return newConversation(&shared) }
	case KindAgent:
		producer = func() actor.Actor { return newAgentActor(&shared) }
	default:
		return nil, fmt.Errorf("actors: %s is not an activated kind", kind)
	}
	return actor.PropsFromProducer(producer, actor.WithReceiverMiddleware(stopOnPanic(shared.Log))), nil
}

// localIdentity is Kinds.Identity on one node: the id in the actor's
// LocalDirectory name, after its kind (localName).
func localIdentity(ctx actor.Context) string {
	_, id, _ := strings.Cut(ctx.Self().Id, "/")
	return id
}
