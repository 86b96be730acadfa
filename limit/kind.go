package limit

import "sync/atomic"

// Kind names a limit, in the log and in Counters.
type Kind int

const (
	FrameRate    Kind = iota // an inbound frame over its socket's rate, refused
	FrameFlood               // a socket closed (1008) for sending on past its refusals
	UpgradeRate              // a WebSocket upgrade over its address's rate (429)
	SocketsPerIP             // a WebSocket upgrade over its address's open sockets (429)
	APIRate                  // an HTTP API request over its address's rate (429)
	LoginIP                  // a login over its address's rate (429)
	LoginName                // a login over its account name's rate (429)
	TextLength               // a chat text over the length limit
	Capacity                 // an agent's capacity over the cap
	BadFrame                 // an inbound frame refused as malformed: not JSON, wrong fields, not UTF-8, binary
	Reservations             // a /getroom over its address's unused reservations ({"room":false})
	HTTPConns                // a connection over its address's open HTTP connections (429, closed)
	Conns                    // a connection over the listeners' open connections (503, closed)
	BodyTimeout              // a request body not received in time (408, closed)
	Customers                // a request over its address's customers waiting or chatting
	ConvStarts               // a request over its customer's rate of starting conversations
	Forms                    // an offline form over its address's rate of leaving them
	numKinds
)

var kindNames = [numKinds]string{
	FrameRate:    "frame_rate",
	FrameFlood:   "frame_flood",
	UpgradeRate:  "upgrade_rate",
	SocketsPerIP: "sockets_per_ip",
	APIRate:      "api_rate",
	LoginIP:      "login_ip",
	LoginName:    "login_name",
	TextLength:   "text_length",
	Capacity:     "capacity",
	BadFrame:     "bad_frame",
	Reservations: "reservations_per_ip",
	HTTPConns:    "http_conns",
	Conns:        "conns",
	BodyTimeout:  "body_timeout",
	Customers:    "customers_per_ip",
	ConvStarts:   "conv_starts",
	Forms:        "forms",
}

func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return "unknown"
	}
	return kindNames[k]
}

// Counters counts offences by kind since the server started, for a
// /metrics endpoint to read. Safe for concurrent use; the zero value is
// ready.
type Counters struct{ n [numKinds]atomic.Uint64 }

// Get returns how many offences of kind k were counted.
func (c *Counters) Get(k Kind) uint64 {
	if c == nil || k < 0 || k >= numKinds {
		return 0
	}
	return c.n[k].Load()
}

// Snapshot returns every count by kind name, zeros included.
func (c *Counters) Snapshot() map[string]uint64 {
	out := make(map[string]uint64, numKinds)
	for k := range numKinds {
		out[k.String()] = c.Get(k)
	}
	return out
}

func (c *Counters) inc(k Kind) {
	if k >= 0 && k < numKinds {
		c.n[k].Add(1)
	}
}
