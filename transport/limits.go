package transport

import (
	"cmp"
	"time"

	"golang.org/x/time/rate"

	"kefu/actors"
	"kefu/limit"
)

// AbuseLimits bound what one client may ask of the server: how fast a
// socket may send, how many sockets and requests an address may open, how
// fast logins may be tried. A zero field takes its default below; a Rate of
// limit.Unlimited(), or a negative count or duration, turns that limit off
// (load tests).
// docs/operations.md lists each with its flag; docs/protocol.md the answer
// a client gets.
type AbuseLimits struct {
	// Frames is each socket's budget of inbound frames, of every kind: one
	// bucket, as every frame costs a decode and an actor message alike.
	// Typing notices need no bucket of their own: conversations already
	// pass on at most one a second per sender.
	Frames limit.Rate
	// FrameRefusals is how many frames a socket may have refused before it
	// is closed with 1008; the allowance refills at the Frames rate, so
	// only a client that keeps sending well past its limit is closed.
	FrameRefusals int

	// Upgrades is each client address's budget of new WebSocket upgrades;
	// SocketsPerIP bounds its sockets open at once. Over either, the
	// upgrade is refused with 429 before it happens.
	Upgrades     limit.Rate
	SocketsPerIP int

	// API is each client address's budget of requests to /api/* and
	// /getroom. Login adds two stricter ones for POST /api/login: per
	// address, and per account name (to slow guessing one account's
	// password from many addresses).
	API       limit.Rate
	LoginIP   limit.Rate
	LoginName limit.Rate

	// RoomsPerIP caps the unused /getroom reservations each client address
	// holds at once; past it /getroom answers {"room":false}. The
	// dispatcher, which owns reservations, enforces it.
	RoomsPerIP int

	// BodyTimeout bounds the time to receive a request's body, on every
	// route of every listener, once its headers are in (ReadHeaderTimeout
	// bounds those). Over it: 408, and the connection is closed.
	BodyTimeout time.Duration

	// HTTPConnsPerIP bounds the connections one TCP peer address holds
	// open on the main and compat listeners that are not WebSockets (an
	// upgraded one counts against SocketsPerIP instead): idle, sending a
	// request or waiting for its answer. Behind a proxy that peer is the
	// proxy, so with TrustProxy it is not applied. MaxConns bounds those
	// listeners' connections from everyone together, WebSockets included,
	// below the process's open-files limit, so that the store, the
	// metrics listener and the log keep theirs. Over either, the new
	// connection gets a canned 429 or 503 and is closed before net/http
	// sees it.
	HTTPConnsPerIP int
	MaxConns       int

	// CustomersPerIP bounds the native customers of one address waiting
	// in the queue or in a conversation at once; ConvStarts is how fast one
	// customer may start conversations (each request it sends). Both are
	// kept by the dispatcher, which owns the queue; over them a request is
	// refused with an error frame.
	CustomersPerIP int
	ConvStarts     limit.Rate
	// Forms is how fast one address may leave offline forms (issue 18): a
	// form waits days in memory and in the store, and a new name is a new
	// customer, so the address is what counts. Kept by the dispatcher.
	Forms limit.Rate

	// TrustProxy takes the client's address from the last entry of
	// X-Forwarded-For, the one the proxy in front added. Only behind such a
	// proxy: anyone else can write the header.
	TrustProxy bool

	// TrackedKeys bounds the addresses (and names) each per-key limit
	// remembers; see limit.Keyed.
	TrackedKeys int
}

// DefaultAbuseLimits suit a server on the internet: a person typing, a
// page reconnecting, an office of agents behind one address at the start
// of a shift. Load tests from one address must raise them. A function, not
// a variable: each caller gets its own copy, and none can change the
// defaults for everyone.
func DefaultAbuseLimits() AbuseLimits {
	return AbuseLimits{
		Frames:        limit.Rate{Limit: 20, Burst: 40},                    // nobody types 20 messages a second; a resend after reconnecting fits the burst
		FrameRefusals: 50,                                                  // a slip costs a few refusals; a flood is closed within seconds
		Upgrades:      limit.Rate{Limit: 20, Burst: 50},                    // tabs of an office behind one NAT reconnecting at once after a blip
		SocketsPerIP:  200,                                                 // that office's agents and customers, a few tabs each
		API:           limit.Rate{Limit: 20, Burst: 100},                   // history pages and logins of that office
		LoginIP:       limit.Rate{Limit: rate.Limit(20.0 / 60), Burst: 20}, // a shift logging in at once, then one every 3 s
		LoginName:     limit.Rate{Limit: rate.Limit(5.0 / 60), Burst: 10},  // a person mistyping; a guesser gets 5 tries a minute
		RoomsPerIP:    actors.DefaultReservationCap,                        // a person asks for one room, and uses it within a second
		TrackedKeys:   50_000,                                              // ~250 bytes each: about 12 MB at most per limit

		BodyTimeout:    10 * time.Second,  // the API's bodies are under 4 KiB: seconds even on a poor mobile link
		HTTPConnsPerIP: 200,               // that office's browsers, each keeping a few idle connections for up to 2 minutes
		MaxConns:       defaultMaxConns(), // what the open-files limit leaves once reservedFiles are set aside
		// A family, an office or a carrier's NAT seldom has more than a few
		// people chatting with one shop at once; one machine cannot hold the
		// queue or every agent's slots with phantom customers.
		CustomersPerIP: 20,
		ConvStarts:     limit.Rate{Limit: rate.Limit(3.0 / 60), Burst: 5},   // a second question, a slip on cancel; cycling request/end gets one every 20 s
		Forms:          limit.Rate{Limit: rate.Limit(5.0 / 3600), Burst: 3}, // a person leaves one message, perhaps a correction; an office a few
	}
}

// NoAbuseLimits turns every abuse limit off, for tests and load tests that
// open thousands of sockets from one address.
func NoAbuseLimits() AbuseLimits {
	return AbuseLimits{
		Frames:       limit.Unlimited(),
		Upgrades:     limit.Unlimited(),
		SocketsPerIP: -1,
		API:          limit.Unlimited(),
		LoginIP:      limit.Unlimited(),
		LoginName:    limit.Unlimited(),
		RoomsPerIP:   -1,
		// BodyTimeout keeps its default: no honest client is that slow.
		HTTPConnsPerIP: -1,
		MaxConns:       -1,

		CustomersPerIP: -1, // a harness queues thousands of customers from one address
		ConvStarts:     limit.Unlimited(),
		Forms:          limit.Unlimited(),
	}
}

// WithDefaults fills the zero fields of l from DefaultAbuseLimits.
func (l AbuseLimits) WithDefaults() AbuseLimits {
	d := DefaultAbuseLimits()
	l.Frames = l.Frames.Or(d.Frames)
	l.Upgrades = l.Upgrades.Or(d.Upgrades)
	l.API = l.API.Or(d.API)
	l.LoginIP = l.LoginIP.Or(d.LoginIP)
	l.LoginName = l.LoginName.Or(d.LoginName)
	l.FrameRefusals = cmp.Or(l.FrameRefusals, d.FrameRefusals)
	l.SocketsPerIP = cmp.Or(l.SocketsPerIP, d.SocketsPerIP)
	l.RoomsPerIP = cmp.Or(l.RoomsPerIP, d.RoomsPerIP)
	l.BodyTimeout = cmp.Or(l.BodyTimeout, d.BodyTimeout)
	l.HTTPConnsPerIP = cmp.Or(l.HTTPConnsPerIP, d.HTTPConnsPerIP)
	l.MaxConns = cmp.Or(l.MaxConns, d.MaxConns)
	l.CustomersPerIP = cmp.Or(l.CustomersPerIP, d.CustomersPerIP)
	l.ConvStarts = l.ConvStarts.Or(d.ConvStarts)
	l.Forms = l.Forms.Or(d.Forms)
	if l.TrackedKeys <= 0 {
		l.TrackedKeys = d.TrackedKeys
	}
	return l
}
