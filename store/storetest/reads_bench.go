package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/store"
)

// BenchmarkReads measures the store reads that actors make inside their
// Receive rather than through the store writer (docs/durability.md, "Reads
// inside an actor's Receive"), on a store filled as a busy day leaves it:
// readConvs conversations of readConvMsgs messages each, written
// interleaved as live traffic writes them, with two read marks and a
// hand-off or two each, plus one long conversation of readLongMsgs. Every
// implementation runs the same benchmark, as it runs Run's tests.
func BenchmarkReads(b *testing.B, st store.Store) {
	b.Helper()
	agents := fillForReads(b, st)
	b.Run("Conversation", func(b *testing.B) { benchConversation(b, st) })
	b.Run("Messages/page50of1000", func(b *testing.B) { benchMessagesPage(b, st) })
	b.Run("Messages/full50", func(b *testing.B) { benchMessagesFull(b, st, readConvMsgs) })
	b.Run("Messages/full1000", func(b *testing.B) { benchMessagesFull(b, st, readLongMsgs) })
	b.Run("MessagesBefore/page50", func(b *testing.B) { benchMessagesBefore(b, st) })
	b.Run("MessageByClientID/hit50", func(b *testing.B) { benchByClientID(b, st, readConvMsgs, true) })
	b.Run("MessageByClientID/miss50", func(b *testing.B) { benchByClientID(b, st, readConvMsgs, false) })
	b.Run("MessageByClientID/miss1000", func(b *testing.B) { benchByClientID(b, st, readLongMsgs, false) })
	b.Run("ReadMarks", func(b *testing.B) { benchReadMarks(b, st) })
	b.Run("ConvEvents", func(b *testing.B) { benchConvEvents(b, st) })
	b.Run("SetRating", func(b *testing.B) { benchSetRating(b, st) })
	b.Run("HelloAgent", func(b *testing.B) { benchHelloAgent(b, st, agents) })
}

// The benchmark store's size.
const (
	readConvs    = 2000
	readConvMsgs = 50
	readLongMsgs = 1000
	readAgents   = 100
	readLongConv = "cv_long"
)

// readText is a typical chat line.
var readText = strings.Repeat("x", 80)

// readConv is the id of the i-th benchmark conversation; i is spread over
// all of them so that no benchmark reads one conversation's pages only.
func readConv(i int) string { return fmt.Sprintf("cv_%05d", (i*7919)%readConvs) }

func readMsg(conv string, seq uint64) store.Message {
	m := store.Message{Conv: conv, Seq: seq, SenderID: "cu_" + conv, SenderRole: "customer", SenderName: "Customer",
		Text: readText, ClientID: fmt.Sprintf("c-%d", seq), At: t0.Add(time.Duration(seq) * time.Second)}
	if seq%2 == 0 {
		m.SenderID, m.SenderRole, m.SenderName = "ag_bench", "agent", "Agent"
	}
	return m
}

// fillForReads writes the benchmark's data into st and returns the ids of
// its agents.
func fillForReads(b *testing.B, st store.Store) []string {
	b.Helper()
	ctx := context.Background()
	var batch store.Batch
	for i := range readConvs {
		id := fmt.Sprintf("cv_%05d", i)
		c := newConv(id, uint64(i+1), t0.Add(time.Duration(i)*time.Second))
		c.AgentID, c.AgentName = fmt.Sprintf("ag_%03d", i%readAgents), "Agent"
		batch.Conversations = append(batch.Conversations, c)
		batch.ConvEvents = append(batch.ConvEvents, store.ConvEvent{Conv: id, Kind: "assigned", AgentID: c.AgentID, AgentName: "Agent", At: c.StartedAt})
		if i%10 == 0 {
			batch.ConvEvents = append(batch.ConvEvents, store.ConvEvent{Conv: id, Kind: "transferred", AgentID: c.AgentID, AgentName: "Agent",
				ByID: "ag_other", ByName: "Other", Note: "over to you", At: c.StartedAt.Add(time.Minute)})
		}
	}
	batch.Conversations = append(batch.Conversations, newConv(readLongConv, readConvs+1, t0))
	applyForReads(b, st, &batch)
	// Live traffic interleaves conversations: one batch per round, one
	// message of each conversation in it.
	for seq := uint64(1); seq <= readLongMsgs; seq++ {
		if seq <= readConvMsgs {
			for i := range readConvs {
				batch.Messages = append(batch.Messages, readMsg(fmt.Sprintf("cv_%05d", i), seq))
			}
		}
		batch.Messages = append(batch.Messages, readMsg(readLongConv, seq))
		applyForReads(b, st, &batch)
	}
	for i := range readConvs {
		id := fmt.Sprintf("cv_%05d", i)
		batch.Reads = append(batch.Reads, store.ReadMark{Conv: id, PartyID: "cu_" + id, Seq: readConvMsgs}, store.ReadMark{Conv: id, PartyID: "ag_bench", Seq: readConvMsgs - 1})
	}
	applyForReads(b, st, &batch)
	agents := make([]string, readAgents)
	for i := range agents {
		a, err := st.CreateAgent(ctx, fmt.Sprintf("agent%03d", i), []byte("hash"), store.RoleAgent, store.DefaultCapacity)
		if err != nil {
			b.Fatal(err)
		}
		agents[i] = a.ID
		if err := st.RevokeToken(ctx, fmt.Sprintf("tok-%d", i), t0.Add(100*365*24*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	return agents
}

func applyForReads(b *testing.B, st store.Store, batch *store.Batch) {
	b.Helper()
	if err := st.Apply(context.Background(), batch); err != nil {
		b.Fatalf("Apply: %v", err)
	}
	batch.Reset()
}

// benchCheck fails b on an error a benchmark's read must not give.
func benchCheck(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// benchConversation: a conversation's record, as a rating, a replay of an
// ended conversation and a restored conversation read it.
func benchConversation(b *testing.B, st store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		_, err := st.Conversation(ctx, readConv(i))
		benchCheck(b, err)
	}
}

// benchMessagesPage: a page of 50 messages from the middle of a long
// conversation, as a sync that reaches further back than memory reads it.
func benchMessagesPage(b *testing.B, st store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		after := uint64(i*37) % (readLongMsgs - readConvMsgs)
		ms, err := st.Messages(ctx, readLongConv, after, readConvMsgs)
		benchCheck(b, err)
		if len(ms) != readConvMsgs {
			b.Fatalf("%d messages, want %d", len(ms), readConvMsgs)
		}
	}
}

// benchMessagesFull: every message of a conversation of n, as a restored
// conversation loads them.
func benchMessagesFull(b *testing.B, st store.Store, n int) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		conv := readConv(i)
		if n == readLongMsgs {
			conv = readLongConv
		}
		ms, err := st.Messages(ctx, conv, 0, 0)
		benchCheck(b, err)
		if len(ms) != n {
			b.Fatalf("%d messages, want %d", len(ms), n)
		}
	}
}

// benchMessagesBefore: the newest page of a conversation, as the replay of
// one that ended while its client was away reads it.
func benchMessagesBefore(b *testing.B, st store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		_, err := st.MessagesBefore(ctx, readConv(i), 0, readConvMsgs)
		benchCheck(b, err)
	}
}

// benchByClientID: a resend older than the ids a conversation remembers
// (hit), or a new message the conversation's filter took for a resend
// (miss: the whole conversation is read to be sure).
func benchByClientID(b *testing.B, st store.Store, n int, hit bool) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		conv, sender, cid := readConv(i), "", "c-new"
		if n == readLongMsgs {
			conv = readLongConv
		}
		if hit {
			cid = fmt.Sprintf("c-%d", 1+2*(i%(n/2)))
		}
		sender = "cu_" + conv
		_, err := st.MessageByClientID(ctx, conv, sender, cid)
		if hit {
			benchCheck(b, err)
		}
	}
}

// benchReadMarks: a conversation's read marks, loaded on restore.
func benchReadMarks(b *testing.B, st store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		_, err := st.ReadMarks(ctx, readConv(i))
		benchCheck(b, err)
	}
}

// benchConvEvents: a conversation's hand-offs, loaded on restore and read
// to check that an agent served it.
func benchConvEvents(b *testing.B, st store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		_, err := st.ConvEvents(ctx, readConv(i))
		benchCheck(b, err)
	}
}

// benchSetRating: a customer's rating, the one write a connection makes.
func benchSetRating(b *testing.B, st store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		benchCheck(b, st.SetRating(ctx, readConv(i), 1+i%5))
	}
}

// benchHelloAgent: the store's part of an agent's hello, the account as it
// is now and whether the token was signed out (transport.Identity.Agent).
func benchHelloAgent(b *testing.B, st store.Store, agents []string) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		_, err := st.AgentByID(ctx, agents[i%len(agents)])
		benchCheck(b, err)
		_, err = st.TokenRevoked(ctx, fmt.Sprintf("tok-%d", i))
		benchCheck(b, err)
	}
}
