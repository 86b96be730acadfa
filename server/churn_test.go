package server

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/actors"
	"kefu/store"
)

var churnSeed = flag.Uint64("churn.seed", 0, "seed of the churn tests' random drops; 0 picks one (each test logs its own)")

// TestChurn: twelve conversations exchange numbered messages while every
// client, at random, drops its socket without a close frame, reconnects with
// its token and the last seq it has, and sends again what was not
// acknowledged, with the same client ids. Every client must receive its
// conversation exactly once and in order (1, 2, 3, … across all its
// connections), each message it sent must be acknowledged where it arrived,
// and the store must hold the same messages in the same order.
func TestChurn(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec, dir string) {
		testChurn(t, durPlan{Count: 40, Total: 80, Pace: 15 * time.Millisecond, DropOneIn: 15}, spec, dir)
	})
}

// TestChurnAbandonedReconnects is TestChurn where, after one drop in three,
// the client first cuts off a reconnection right after its hello and its
// resends, before the welcome, as a client on a bad network gives up on an
// attempt that is too slow; then it reconnects for real. The attempt it gave
// up must not take its place from the connection it kept.
func TestChurnAbandonedReconnects(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec, dir string) {
		testChurn(t, durPlan{Count: 40, Total: 80, Pace: 15 * time.Millisecond, DropOneIn: 15, AbandonOneIn: 3}, spec, dir)
	})
}

func testChurn(t *testing.T, plan durPlan, spec, dir string) {
	const (
		conversations = 12
		password      = "churn password"
	)
	seed := *churnSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (go test -race -run %s -churn.seed=%d ./server/ replays its drops)", seed, "^"+t.Name()+"$", seed)

	logs := &durLog{}
	// A sync that would leave out more than a page starts at the newest page
	// and says more (paging is TestLongHistory's); a chatter kept away long
	// under load can miss more than 50 lines, and this test checks that each
	// one arrives once, in order, so a page here holds a whole conversation.
	page := actors.HistoryLimits{Messages: 2 * plan.Total}
	ts := startServer(t, Config{DataDir: dir, Store: spec, Grace: 5 * time.Second, HistoryPage: page, Log: slog.New(slog.NewTextHandler(logs, nil))})
	srv := &durServer{}
	srv.set(ts.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	hash, err := testPasswords.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	agents := make([]*chatter, conversations)
	customers := make([]*chatter, conversations)
	for i := range conversations {
		name := fmt.Sprintf("Churn%02d", i)
		if _, err := ts.Store().CreateAgent(ctx, name, hash, store.RoleAgent, 1); err != nil {
			t.Fatalf("create agent %s: %v", name, err)
		}
		agents[i] = newChatter(fmt.Sprintf("a%d", i), "agent", name, password, srv, rand.New(rand.NewPCG(seed, uint64(2*i))))
		customers[i] = newChatter(fmt.Sprintf("c%d", i), "customer", fmt.Sprintf("Customer%02d", i), "", srv, rand.New(rand.NewPCG(seed, uint64(2*i+1))))
	}
	all := slices.Concat(customers, agents)
	t.Cleanup(func() {
		for _, c := range all {
			c.close()
		}
	})
	partners, err := durPairUp(ctx, agents, customers)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	for _, err := range durRun(ctx, all, plan) {
		t.Error(err)
	}
	took := time.Since(start)
	if t.Failed() {
		t.Logf("server log:\n%s", logs)
		return
	}
	for i, c := range customers {
		stored, err := ts.Store().Messages(ctx, c.conv, 0, 0)
		if err != nil {
			t.Fatalf("messages of %s: %v", c.conv, err)
		}
		if err := durCheckPair(c, partners[i], durStored(stored), plan); err != nil {
			t.Error(err)
		}
	}
	if errs := durServerErrors.FindAllString(logs.String(), -1); len(errs) > 0 {
		t.Errorf("the server logged errors:\n%s", strings.Join(errs, "\n"))
	}
	var drops, abandoned, resent, resentSeen int
	for _, c := range all {
		drops += c.drops
		abandoned += c.abandoned
		resent += c.resent[1]
		resentSeen += c.resentSeen
	}
	t.Logf("%d conversations, %d messages, %d dropped sockets, %d reconnections abandoned, %d messages sent again (%d of them already stored), in %v",
		conversations, conversations*plan.Total, drops, abandoned, resent, resentSeen, took.Round(time.Millisecond))
}

// durServerErrors matches the lines of the server's log at level ERROR.
var durServerErrors = regexp.MustCompile(`(?m)^.*level=ERROR.*$`)

// durStored turns stored messages into what a client compares them with.
func durStored(msgs []store.Message) []durMsg {
	out := make([]durMsg, len(msgs))
	for i, m := range msgs {
		out[i] = durMsg{Seq: m.Seq, From: m.SenderID, Text: m.Text, CID: m.ClientID}
	}
	return out
}

// durLog keeps the server's log for a failure's report.
type durLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *durLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *durLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
