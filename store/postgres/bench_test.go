//go:build unix

package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"kefu/internal/pgtest"
	"kefu/store"
)

// benchConvs is how many conversations the messages interleave over, as in
// the SQLite store's BenchmarkApply.
const benchConvs = 100

// benchText is a typical chat line.
var benchText = strings.Repeat("x", 80)

// BenchmarkApply is the SQLite store's BenchmarkApply (store/
// sqlite_bench_test.go) against PostgreSQL: messages/s through Apply for
// several batch sizes, one op a batch (one transaction), on a cluster of its
// own with fsync on, as production runs. cpu-µs/msg is this process's CPU
// per message (kefu's side: building the batch, pgx), pg-cpu-µs/msg the
// server's (its backends, on the same machine, over loopback).
//
//	KEFU_TEST_POSTGRES=... go test -run=NONE -bench=Apply -benchtime=2s ./store/postgres
func BenchmarkApply(b *testing.B) {
	cluster := pgtest.NewDurableCluster(b)
	for _, size := range []int{1, 16, 64, 128, 1024} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			st := openAt(b, cluster.URL+"&search_path="+newSchema(b, cluster.URL))
			benchApply(b, cluster, st, size)
		})
	}
}

// newSchema creates a schema for one benchmark in the database at url.
func newSchema(b *testing.B, url string) string {
	b.Helper()
	name := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	pgtest.Exec(b, url, "CREATE SCHEMA "+name)
	return name
}

// benchApply applies batches of size messages, round-robin over the
// conversations, each the next seq of its conversation.
func benchApply(b *testing.B, cluster *pgtest.Cluster, st store.Conversations, size int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	start := time.Now()
	var batch store.Batch
	ids := make([]string, benchConvs)
	for i := range ids {
		ids[i] = fmt.Sprintf("cv_%04d", i)
		batch.Conversations = append(batch.Conversations, store.Conversation{
			ID: ids[i], CustomerID: fmt.Sprintf("cu_%04d", i), CustomerName: "Customer",
			AgentID: "ag_bench", AgentName: "Agent", Ticket: uint64(i + 1), StartedAt: start,
		})
	}
	if err := st.Apply(ctx, &batch); err != nil {
		b.Fatal(err)
	}
	var (
		seqs = make([]uint64, benchConvs)
		next int
		msgs int
		cpu  = cpuTime()
		pg   = cluster.CPU(b)
	)
	for b.Loop() {
		batch.Reset()
		for range size {
			seqs[next]++
			batch.Messages = append(batch.Messages, store.Message{
				Conv: ids[next], Seq: seqs[next], SenderID: "cu_bench", SenderRole: "customer",
				SenderName: "Customer", Text: benchText, ClientID: "m", At: start,
			})
			next = (next + 1) % benchConvs
		}
		if err := st.Apply(ctx, &batch); err != nil {
			b.Fatal(err)
		}
		msgs += size
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(msgs), "cpu-µs/msg")
	b.ReportMetric(float64((cluster.CPU(b)-pg).Microseconds())/float64(msgs), "pg-cpu-µs/msg")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
