package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"kefu/store"
)

// benchConvs is how many conversations the benchmark's messages interleave
// over, as a busy server's would; manyConvs is as many as load scenario S2
// holds.
const (
	benchConvs = 100
	manyConvs  = 1000
	s1Convs    = 10000
)

// benchText is a typical chat line.
var benchText = strings.Repeat("x", 80)

// BenchmarkApply measures the store alone: messages/s through Apply for
// several batch sizes, on a real file, with synchronous=NORMAL (the default)
// and FULL. One op is one batch (one transaction). cpu-µs/msg is the CPU
// time the process used per message, user and system: on a shared machine
// it varies less than msgs/s, which also counts time other programs took.
//
//	go test -run=NONE -bench=Apply -benchtime=2s ./store
func BenchmarkApply(b *testing.B) {
	for _, sync := range []struct {
		name string
		opts []store.Option
	}{
		{"normal", nil},
		{"full", []store.Option{store.WithSyncFull()}},
	} {
		for _, size := range []int{1, 16, 128, 1024} {
			b.Run(fmt.Sprintf("%s/batch=%d", sync.name, size), func(b *testing.B) {
				benchApply(b, size, benchConvs, benchText, sync.opts...)
			})
		}
	}
}

// BenchmarkApplyManyConvs is BenchmarkApply over manyConvs conversations:
// nearly every message of a batch lands on the newest page of another
// conversation, and those pages are more than a small page cache holds.
func BenchmarkApplyManyConvs(b *testing.B) {
	for _, size := range []int{128, 1024} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			benchApply(b, size, manyConvs, benchText)
		})
	}
}

// BenchmarkApplyScattered is S1's store load: 10,000 conversations whose
// messages come in no order of their ids (conversation ids are random), so
// that every message of a batch dirties a page of its own. Past what the
// writer's page cache holds, SQLite spills dirty pages to the log in the
// middle of the transaction and reads them back: under S1 the writer fell
// into commits of 3,000 messages at 83 µs each, a fourfold cost that kept
// the batches large and the delivery seconds late.
func BenchmarkApplyScattered(b *testing.B) {
	for _, size := range []int{128, 1024, 4096} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			benchApply(b, size, -s1Convs, benchText)
		})
	}
}

// BenchmarkApplyText is BenchmarkApply with lines people write, in
// Chinese and in English, where benchText is one word: what the search
// index costs (SearchText, and the index's words) grows with the words.
func BenchmarkApplyText(b *testing.B) {
	for _, text := range []struct{ name, text string }{
		{"zh", "你好，我想问一下我的退款什么时候能到账？订单号是 20261203-8841，谢谢"},
		{"en", "Hi, I'd like to know when my refund will arrive. Order 20261203-8841, thanks!"},
	} {
		for _, size := range []int{1, 16, 128} {
			b.Run(fmt.Sprintf("%s/batch=%d", text.name, size), func(b *testing.B) {
				benchApply(b, size, benchConvs, text.text)
			})
		}
	}
}

// benchApply applies batches of size messages of text, round-robin over
// convs conversations, each message the next Seq of its conversation. The
// context has a deadline, as the store writer's does. A negative convs
// goes round -convs conversations in a random order instead of by id.
func benchApply(b *testing.B, size, convs int, text string, opts ...store.Option) {
	order := make([]int, max(convs, -convs))
	for i := range order {
		order[i] = i
	}
	if convs < 0 {
		convs = -convs
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	st, err := store.OpenSQLite(b.TempDir(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	start := time.Now()
	var batch store.Batch
	for i := range convs {
		batch.Conversations = append(batch.Conversations, store.Conversation{
			ID:           benchIDs[i],
			CustomerID:   fmt.Sprintf("cu_%04d", i),
			CustomerName: "Customer",
			AgentID:      "ag_bench",
			AgentName:    "Agent",
			Ticket:       uint64(i + 1),
			StartedAt:    start,
		})
	}
	if err := st.Apply(ctx, &batch); err != nil {
		b.Fatal(err)
	}

	var (
		seqs = make([]uint64, convs)
		next int // conversation of the next message
		msgs int
		cpu  = cpuTime()
	)
	for b.Loop() {
		batch.Reset()
		for range size {
			c := order[next]
			seqs[c]++
			batch.Messages = append(batch.Messages, store.Message{
				Conv:       benchIDs[c],
				Seq:        seqs[c],
				SenderID:   "cu_bench",
				SenderRole: "customer",
				SenderName: "Customer",
				Text:       text,
				ClientID:   "m",
				At:         start,
			})
			next = (next + 1) % convs
		}
		if err := st.Apply(ctx, &batch); err != nil {
			b.Fatal(err)
		}
		msgs += size
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(msgs), "cpu-µs/msg")
}

// benchIDs are the conversation ids, made once so that the loop measures
// the store rather than fmt.
var benchIDs = func() []string {
	ids := make([]string, s1Convs)
	for i := range ids {
		ids[i] = fmt.Sprintf("cv_%04d", i)
	}
	return ids
}()

// BenchmarkApplyMixed measures one small batch holding one entry of every
// kind, as when an agent takes a conversation and answers at once: the fixed
// cost of an Apply that uses all five statements.
func BenchmarkApplyMixed(b *testing.B) {
	st, err := store.OpenSQLite(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Now()
	var (
		batch store.Batch
		seqs  = make([]uint64, benchConvs)
		i     int
	)
	for b.Loop() {
		conv := i % benchConvs
		seqs[conv]++
		at := start.Add(time.Duration(i) * time.Millisecond)
		agent := fmt.Sprint("ag_", i%7)
		batch.Reset()
		batch.Conversations = append(batch.Conversations, store.Conversation{
			ID: benchIDs[conv], CustomerID: "cu_bench", CustomerName: "Customer",
			AgentID: agent, AgentName: "Agent", Ticket: uint64(conv + 1), StartedAt: start,
		})
		batch.Messages = append(batch.Messages, store.Message{
			Conv: benchIDs[conv], Seq: seqs[conv], SenderID: agent, SenderRole: "agent",
			SenderName: "Agent", Text: benchText, ClientID: "m", At: at,
		})
		batch.ConvEvents = append(batch.ConvEvents, store.ConvEvent{
			Conv: benchIDs[conv], Kind: "transferred", AgentID: agent, AgentName: "Agent", At: at,
		})
		batch.Routing = append(batch.Routing, store.RoutingEvent{
			Kind: "transferred", Customer: "cu_bench", Agent: agent, Conv: benchIDs[conv], Ticket: uint64(conv + 1), At: at,
		})
		batch.Reads = append(batch.Reads, store.ReadMark{Conv: benchIDs[conv], PartyID: agent, Seq: seqs[conv]})
		if err := st.Apply(ctx, &batch); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
