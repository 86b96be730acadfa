package main

import (
	"flag"
	"fmt"
	"time"

	"kefu/actors"
	"kefu/limit"
	"kefu/server"
	"kefu/store"
	"kefu/transport"
)

// limitFlags are serve's flags for the abuse limits, with
// docs/operations.md's table of them. Rates read as 20/s, 5/m, 100/h or
// inf (no limit); counts and durations of 0 mean no limit.
type limitFlags struct {
	abuse       transport.AbuseLimits
	maxText     int
	maxCapacity int
	maxTeams    int
	inboxMax    int
	maxCanned   int
	formToken   time.Duration
	// Every socket's, compat and native.
	sendQueueBytes int
	slowAfter      time.Duration

	history actors.HistoryLimits
}

// minSendQueueBytes keeps -send-queue-bytes above a frame or two: below,
// a client would be cut off for a single message with a long history.
const minSendQueueBytes = 64 << 10

// maxMaxTeams caps -max-teams: routing scans the heads of every team's
// queue an agent is in at each assignment.
const maxMaxTeams = 10_000

// maxInboxMax caps -inbox-max: the dispatcher holds every team's inbox in
// memory, about 400 bytes a form.
const maxInboxMax = 100_000

// maxHistoryMessages caps -history-messages: a conversation reads its
// newest page from the store when it opens for someone.
const maxHistoryMessages = 1000

func addLimitFlags(fs *flag.FlagSet) *limitFlags {
	d := transport.DefaultAbuseLimits()
	f := &limitFlags{abuse: d}
	a := &f.abuse
	fs.Var(limit.LimitFlag{L: &a.Frames.Limit}, "frame-rate", "the `rate` of frames, of any kind, one socket may send (over: a rate_limited error), e.g. 20/s; inf: no limit")
	fs.IntVar(&a.Frames.Burst, "frame-burst", d.Frames.Burst, "frames one socket may send at once beyond -frame-rate")
	fs.IntVar(&a.FrameRefusals, "frame-refusals", d.FrameRefusals, "refused frames after which a socket is closed with 1008, the allowance refilling at -frame-rate; 0: never closed")
	fs.Var(limit.LimitFlag{L: &a.Upgrades.Limit}, "conn-rate", "the `rate` of new WebSocket connections per client address (over: 429), e.g. 20/s; inf: no limit")
	fs.IntVar(&a.Upgrades.Burst, "conn-burst", d.Upgrades.Burst, "new WebSocket connections per client address at once beyond -conn-rate")
	fs.IntVar(&a.SocketsPerIP, "conns-per-ip", d.SocketsPerIP, "WebSocket connections open at once per client address (over: 429); 0: no limit")
	fs.Var(limit.LimitFlag{L: &a.API.Limit}, "api-rate", "the `rate` of requests to /api/* and /getroom per client address (over: 429); inf: no limit")
	fs.IntVar(&a.API.Burst, "api-burst", d.API.Burst, "requests per client address at once beyond -api-rate")
	fs.Var(limit.LimitFlag{L: &a.LoginIP.Limit}, "login-rate", "the `rate` of POST /api/login per client address (over: 429); inf: no limit")
	fs.IntVar(&a.LoginIP.Burst, "login-burst", d.LoginIP.Burst, "logins per client address at once beyond -login-rate")
	fs.Var(limit.LimitFlag{L: &a.LoginName.Limit}, "login-name-rate", "the `rate` of POST /api/login per account name, from any address (over: 429), e.g. 5/m; inf: no limit")
	fs.IntVar(&a.LoginName.Burst, "login-name-burst", d.LoginName.Burst, "logins per account name at once beyond -login-name-rate; a login with the right password refills it")
	fs.IntVar(&a.RoomsPerIP, "reservations-per-ip", d.RoomsPerIP, "unused /getroom reservations one client address may hold at once (over: {\"room\":false}); 0: no limit")
	fs.DurationVar(&a.BodyTimeout, "body-timeout", d.BodyTimeout, "time to receive a request's body once its headers are in, on every listener (over: 408, connection closed); 0: no limit")
	fs.IntVar(&a.HTTPConnsPerIP, "http-conns-per-ip", d.HTTPConnsPerIP, "HTTP connections (not WebSockets) open at once per TCP peer address on -addr and -compat-addr (over: 429, connection closed); not applied with -trust-proxy; 0: no limit")
	fs.IntVar(&a.MaxConns, "max-conns", max(d.MaxConns, 0), "connections open at once on -addr and -compat-addr from everyone, WebSockets included (over: 503, connection closed); default: the open-files limit less 128; 0: no limit")
	fs.IntVar(&a.CustomersPerIP, "customers-per-ip", d.CustomersPerIP, "native customers per client address waiting or in a conversation at once (over: a too_many_customers error); 0: no limit")
	fs.Var(limit.LimitFlag{L: &a.ConvStarts.Limit}, "conv-start-rate", "the `rate` at which one customer may start conversations, each request counting (over: a rate_limited error), e.g. 3/m; inf: no limit")
	fs.IntVar(&a.ConvStarts.Burst, "conv-start-burst", d.ConvStarts.Burst, "conversations one customer may start at once beyond -conv-start-rate")
	fs.Var(limit.LimitFlag{L: &a.Forms.Limit}, "form-rate", "the `rate` at which one client address may leave offline forms (over: a rate_limited error), e.g. 5/h; inf: no limit")
	fs.IntVar(&a.Forms.Burst, "form-burst", d.Forms.Burst, "offline forms one client address may leave at once beyond -form-rate")
	fs.BoolVar(&a.TrustProxy, "trust-proxy", false, "take the client address from the last X-Forwarded-For entry; only behind a proxy that sets it")
	fs.IntVar(&f.maxText, "max-text-bytes", transport.DefaultMaxTextBytes, fmt.Sprintf("longest chat text in bytes, 1 to %d", server.MaxTextBytesCap))
	fs.IntVar(&f.maxCapacity, "max-capacity", store.MaxCapacity, fmt.Sprintf("most conversations an agent may take at once, 1 to %d", store.MaxCapacity))
	fs.IntVar(&f.maxTeams, "max-teams", transport.DefaultMaxTeams, fmt.Sprintf("live teams a supervisor may create, 1 to %d (over: 409 too_many_teams); each has a queue the dispatcher scans", maxMaxTeams))
	fs.IntVar(&f.maxCanned, "canned-max", transport.DefaultMaxCanned, "saved replies one agent may keep, and the shared ones, 1 to 10000 each (over: 409 too_many_replies)")
	fs.IntVar(&f.inboxMax, "inbox-max", actors.DefaultInboxMax, fmt.Sprintf("offline forms one team's inbox may hold, 1 to %d (over: an inbox_full error); the dispatcher keeps them in memory", maxInboxMax))
	fs.DurationVar(&f.formToken, "form-token-ttl", transport.DefaultFormTokenTTL, "how long the resume token a customer gets with its offline form lasts: back within it, it sees the answer in the widget (the email remains after)")
	fs.IntVar(&f.sendQueueBytes, "send-queue-bytes", transport.DefaultLimits().SendQueueBytes, fmt.Sprintf("bytes that may wait to be written to one socket (over: close 4008); at least %d", minSendQueueBytes))
	fs.DurationVar(&f.slowAfter, "slow-after", transport.DefaultLimits().SlowAfter, "how long frames may wait for a socket that takes none before it is closed 4008 (checked when the next frame is sent)")
	h := actors.DefaultHistoryLimits()
	fs.IntVar(&f.history.Messages, "history-messages", h.Messages, fmt.Sprintf("most messages of history in one conv or history frame, 1 to %d; older ones come a page at a time", maxHistoryMessages))
	fs.IntVar(&f.history.Bytes, "history-bytes", h.Bytes, "most bytes those messages may take as JSON in one frame (one message always goes, whatever its size)")
	return f
}

// apply checks the values and puts them in cfg.
func (f *limitFlags) apply(cfg *server.Config) error {
	a := f.abuse
	for _, b := range []struct {
		name string
		n    int
	}{{"-frame-burst", a.Frames.Burst}, {"-conn-burst", a.Upgrades.Burst}, {"-api-burst", a.API.Burst}, {"-login-burst", a.LoginIP.Burst}, {"-login-name-burst", a.LoginName.Burst}, {"-conv-start-burst", a.ConvStarts.Burst}, {"-form-burst", a.Forms.Burst}} {
		if b.n < 1 {
			return fmt.Errorf("%s: must be at least 1", b.name)
		}
	}
	if a.FrameRefusals < 0 {
		return fmt.Errorf("-frame-refusals: must be 0 (never close) or more")
	}
	for _, c := range []struct {
		name string
		n    int64
	}{{"-conns-per-ip", int64(a.SocketsPerIP)}, {"-reservations-per-ip", int64(a.RoomsPerIP)}, {"-body-timeout", int64(a.BodyTimeout)},
		{"-http-conns-per-ip", int64(a.HTTPConnsPerIP)}, {"-max-conns", int64(a.MaxConns)}, {"-customers-per-ip", int64(a.CustomersPerIP)}} {
		if c.n < 0 {
			return fmt.Errorf("%s: must be 0 (no limit) or more", c.name)
		}
	}
	switch {
	case f.maxText < 1 || f.maxText > server.MaxTextBytesCap:
		return fmt.Errorf("-max-text-bytes: must be 1 to %d", server.MaxTextBytesCap)
	case f.maxCapacity < 1 || f.maxCapacity > store.MaxCapacity:
		return fmt.Errorf("-max-capacity: must be 1 to %d", store.MaxCapacity)
	case f.maxTeams < 1 || f.maxTeams > maxMaxTeams:
		return fmt.Errorf("-max-teams: must be 1 to %d", maxMaxTeams)
	case f.formToken < time.Hour:
		return fmt.Errorf("-form-token-ttl: must be at least 1h")
	case f.maxCanned < 1 || f.maxCanned > 10_000:
		return fmt.Errorf("-canned-max: must be 1 to 10000")
	case f.inboxMax < 1 || f.inboxMax > maxInboxMax:
		return fmt.Errorf("-inbox-max: must be 1 to %d", maxInboxMax)
	case f.sendQueueBytes < minSendQueueBytes:
		return fmt.Errorf("-send-queue-bytes: must be at least %d", minSendQueueBytes)
	case f.slowAfter <= 0:
		return fmt.Errorf("-slow-after: must be more than 0")
	case f.history.Messages < 1 || f.history.Messages > maxHistoryMessages:
		return fmt.Errorf("-history-messages: must be 1 to %d", maxHistoryMessages)
	case f.history.Bytes < 1:
		return fmt.Errorf("-history-bytes: must be at least 1")
	}
	// On the command line 0 is "no limit"; in the config, negative is.
	for _, n := range []*int{&a.FrameRefusals, &a.SocketsPerIP, &a.RoomsPerIP, &a.HTTPConnsPerIP, &a.MaxConns, &a.CustomersPerIP} {
		*n = zeroIsOff(*n)
	}
	a.BodyTimeout = zeroIsOff(a.BodyTimeout)
	cfg.Abuse, cfg.MaxTextBytes, cfg.MaxCapacity, cfg.MaxTeams, cfg.InboxMax = a, f.maxText, f.maxCapacity, f.maxTeams, f.inboxMax
	cfg.FormTokenTTL, cfg.MaxCanned = f.formToken, f.maxCanned
	for _, l := range []*transport.Limits{&cfg.Sockets, &cfg.NativeSockets} {
		l.SendQueueBytes, l.SlowAfter = f.sendQueueBytes, f.slowAfter
	}
	cfg.HistoryPage = f.history
	return nil
}

// zeroIsOff turns a flag's 0 ("no limit") into the config's -1.
func zeroIsOff[T int | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}
