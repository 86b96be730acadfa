package server

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"kefu/auth"
)

// The access-control tests (access_http_test.go, access_frames_test.go)
// run every caller against one world: customer A chatting with agent X in
// conversation convA, customer B chatting with agent Y, and a supervisor S
// who is online but away, so that no routing happens by accident.

// Callers, as the tables name them.
const (
	anon     = "anonymous"
	custA    = "customerA"
	custB    = "customerB"
	agentX   = "agentX"
	agentY   = "agentY"
	super    = "supervisor"
	expired  = "expired"
	wrongKey = "forgedKey"
	algNone  = "algNone"
	hs512    = "algHS512"
	otherIss = "wrongIssuer"
	tampered = "tamperedRole"
	removed  = "removedAccount"
	out      = "signedOut"
	revoked  = "revokedSessions"
)

// onlineCallers are the callers who have a socket in the world; the rest
// are refused at hello.
var onlineCallers = []string{custA, custB, agentX, agentY, super}

// badTokens are the callers whose token must be refused everywhere.
var badTokens = []string{expired, wrongKey, algNone, hs512, otherIss, tampered, removed, out, revoked}

// world is the fixture every access test starts from.
type world struct {
	ts   *testServer
	logs *durLog
	// convA is A's conversation with X; convB is B's with Y.
	convA, convB string
	seqA         uint64 // the last message of convA
	accts        map[string]account
	conns        map[string]*nclient
	tokens       map[string]string // what each caller presents; "" for anon
	spare        map[string]string // a second login of an account, to sign out (spareToken)
}

// newWorld starts a server and builds the world. Y has room for one more
// conversation, so that X can transfer convA to it.
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{logs: &durLog{}, accts: map[string]account{}, conns: map[string]*nclient{}, tokens: map[string]string{}, spare: map[string]string{}}
	w.ts = startServer(t, Config{Log: slog.New(slog.NewTextHandler(w.logs, nil))})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", w.logs)
		}
	})
	ts := w.ts

	// Arrival order decides routing: X is alone when A asks, Y when B does.
	w.accts[agentX] = ts.addAgent(t, "Xavier", 1)
	w.conns[agentX] = ts.agentOnline(t, w.accts[agentX])
	w.conns[custA] = ts.customerOnline(t, "Ann")
	w.convA = assign(t, w.conns[agentX], w.conns[custA])
	w.accts[agentY] = ts.addAgent(t, "Yolanda", 2)
	w.conns[agentY] = ts.agentOnline(t, w.accts[agentY])
	w.conns[custB] = ts.customerOnline(t, "Ben")
	w.convB = assign(t, w.conns[agentY], w.conns[custB])
	// The supervisor arrives when nobody waits, and steps away at once.
	boss := account{Name: "boss", Token: ts.supervisorToken(t)}
	w.conns[super] = ts.agentOnline(t, boss)
	boss.ID = w.conns[super].me.ID
	w.accts[super] = boss
	w.conns[super].send(obj{"type": "status", "status": "away"})
	w.conns[super].expect("state")

	// One message, so there is history to leak, and its ack means the
	// conversation's record is stored.
	a, x := w.conns[custA], w.conns[agentX]
	a.post(w.convA, "my card number is 4111", "")
	a.expectMsg(w.convA, 1, a.me, "my card number is 4111")
	x.expectMsg(w.convA, 1, a.me, "my card number is 4111")
	w.seqA = 1

	for _, who := range []string{agentX, agentY, super} {
		w.tokens[who] = w.accts[who].Token
	}
	w.tokens[custA], w.tokens[custB] = a.token, w.conns[custB].token
	w.forge(t)
	return w
}

// forge makes the bad tokens, each aimed at agent X's account: a caller
// who gets anything with one of them has got into X's desk.
func (w *world) forge(t *testing.T) {
	t.Helper()
	key, err := w.ts.Store().Secret(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	x := w.accts[agentX]
	hour := time.Now().Add(time.Hour)
	past := auth.NewSigner(key, func() time.Time { return time.Now().Add(-2 * time.Hour) })
	w.tokens[expired] = mustIssue(t, past, auth.Claims{Subject: x.ID, Role: auth.RoleAgent, Name: x.Name, ExpiresAt: time.Now().Add(-time.Hour)})
	other := auth.NewSigner([]byte(strings.Repeat("k", auth.MinKeyLen)), nil)
	w.tokens[wrongKey] = mustIssue(t, other, auth.Claims{Subject: x.ID, Role: auth.RoleAgent, Name: x.Name, ExpiresAt: hour})

	claims := jwt.MapClaims{"iss": "kefu", "sub": x.ID, "role": "agent", "exp": hour.Unix(), "iat": time.Now().Unix()}
	w.tokens[algNone] = mustSign(t, jwt.NewWithClaims(jwt.SigningMethodNone, claims), jwt.UnsafeAllowNoneSignatureType)
	w.tokens[hs512] = mustSign(t, jwt.NewWithClaims(jwt.SigningMethodHS512, claims), key)
	otherIssuer := jwt.MapClaims{"iss": "someone-else", "sub": x.ID, "role": "agent", "exp": hour.Unix()}
	w.tokens[otherIss] = mustSign(t, jwt.NewWithClaims(jwt.SigningMethodHS256, otherIssuer), key)
	w.tokens[tampered] = withPayload(t, x.Token, func(c map[string]any) { c["role"] = "supervisor" })

	gone := w.ts.addAgent(t, "Gone", 1)
	if err := w.ts.Store().RemoveAgent(context.Background(), gone.Name); err != nil {
		t.Fatal(err)
	}
	w.tokens[removed] = gone.Token

	// X's second login, signed out: X's first token must keep working.
	second := w.ts.relogin(t, x.Name)
	if status, body := w.ts.api(t, "POST", "/api/logout", second, ""); status != 204 {
		t.Fatalf("sign out=%d %v, want 204", status, body)
	}
	w.tokens[out] = second
	// An account's token from before its sessions were revoked.
	old := w.ts.addAgent(t, "Olden", 1)
	if _, err := w.ts.Store().RevokeSessions(context.Background(), old.ID); err != nil {
		t.Fatal(err)
	}
	w.tokens[revoked] = old.Token
}

func mustIssue(t *testing.T, s *auth.Signer, c auth.Claims) string {
	t.Helper()
	tok, err := s.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustSign(t *testing.T, tok *jwt.Token, key any) string {
	t.Helper()
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withPayload rewrites a token's claims and keeps its signature, as an
// attacker who holds a genuine token would.
func withPayload(t *testing.T, token string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	edit(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(encodeJSON(t, claims)))
	return strings.Join(parts, ".")
}

// quiet checks that nothing is waiting for the caller: a ping's pong must
// be the next frame. Frames to one connection arrive in order, so anything
// sent to it before the ping would show up first.
func (w *world) quiet(t *testing.T, who string) {
	t.Helper()
	c := w.conns[who]
	c.send(obj{"type": "ping"})
	if f := c.next(); f.Type != "pong" {
		t.Fatalf("%s got %s, want nothing", who, f.raw)
	}
}

// expectKinds reads len(want) frames, heartbeats aside, and checks their
// kinds ("msg", "error:forbidden") in any order: a sender's ack and echo
// may come either way round. Every frame about a conversation must be
// about conv, and every one that names who did something must name sender.
func (w *world) expectKinds(t *testing.T, who, conv string, want []string, sender nparty) {
	t.Helper()
	c := w.conns[who]
	var got []string
	for range want {
		f := c.next()
		kind := f.Type
		if f.Type == "error" {
			kind += ":" + f.Code
		}
		if f.Conv != "" && f.Conv != conv {
			t.Fatalf("%s got %s, about another conversation than %s", who, f.raw, conv)
		}
		if actor := cmp.Or(f.From, f.By); actor != nil && *actor != sender {
			t.Fatalf("%s got %s, want it to name %+v", who, f.raw, sender)
		}
		got = append(got, kind)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Fatalf("%s got %v, want %v", who, got, want)
	}
}

// customerForgeries are bad customer tokens, each aimed at customer A: a
// caller who gets in with one has taken over A's conversation.
func (w *world) customerForgeries(t *testing.T) map[string]string {
	t.Helper()
	key, err := w.ts.Store().Secret(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := w.conns[custA].me
	past := auth.NewSigner(key, func() time.Time { return time.Now().Add(-48 * time.Hour) })
	other := auth.NewSigner([]byte(strings.Repeat("k", auth.MinKeyLen)), nil)
	hour := time.Now().Add(time.Hour)
	claims := jwt.MapClaims{"iss": "kefu", "sub": a.ID, "role": "customer", "name": a.Name, "exp": hour.Unix()}
	return map[string]string{
		expired:  mustIssue(t, past, auth.Claims{Subject: a.ID, Role: auth.RoleCustomer, Name: a.Name, ExpiresAt: time.Now().Add(-time.Hour)}),
		wrongKey: mustIssue(t, other, auth.Claims{Subject: a.ID, Role: auth.RoleCustomer, Name: a.Name, ExpiresAt: hour}),
		algNone:  mustSign(t, jwt.NewWithClaims(jwt.SigningMethodNone, claims), jwt.UnsafeAllowNoneSignatureType),
		hs512:    mustSign(t, jwt.NewWithClaims(jwt.SigningMethodHS512, claims), key),
		otherIss: mustSign(t, jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss": "someone-else", "sub": a.ID, "role": "customer", "exp": hour.Unix(),
		}), key),
		// B's genuine token, rewritten to say it is A.
		tampered:     withPayload(t, w.tokens[custB], func(c map[string]any) { c["sub"] = a.ID }),
		"agentToken": w.tokens[agentX],
	}
}
