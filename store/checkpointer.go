package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointEvery is how often the checkpointer copies the write-ahead log
// into the database file.
const checkpointEvery = time.Second

// checkpointer runs SQLite's WAL checkpoints on a connection of its own,
// in PASSIVE mode, which never blocks the writer. With SQLite's automatic
// checkpoints, the commit that crossed the threshold copied the whole log
// (tens of megabytes, with an fsync) before it returned, and every message
// waiting on the store writer waited for it: the tail of S1's delivery
// latency. The writer's connections have wal_autocheckpoint off.
type checkpointer struct {
	stop     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
}

func startCheckpointer(db *sql.DB, every time.Duration) *checkpointer {
	c := &checkpointer{stop: make(chan struct{})}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				// A failed checkpoint (the database busy, a full disk)
				// is tried again at the next tick; the log only grows
				// meanwhile, and nothing committed is at risk.
				ctx, cancel := context.WithTimeout(context.Background(), every)
				_, _ = db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
				cancel()
			}
		}
	}()
	return c
}

// close stops the checkpointer and waits for a checkpoint in progress;
// closing it again does nothing, like closing the store again. Closing
// the database's last connection checkpoints what is left.
func (c *checkpointer) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	c.done.Wait()
}
