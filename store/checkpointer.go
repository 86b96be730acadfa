package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
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
//
// A checkpoint alone does not shorten the log: SQLite starts writing the
// log from its beginning again only when a write transaction begins with
// every frame already copied. Under steady load the writer always commits
// more frames while a pass runs, so no pass ever ends with the log fully
// copied, and the log grew by every page written (70 MB a second in the
// soak, 40 GB in ten minutes). So each pass raises catchUp, and the
// writer, before its next BEGIN, checkpoints the frames written during
// the pass on its own connection (SQLite.catchUp): with no other writer,
// that copies everything, and the BEGIN then restarts the log. The writer
// pays for the frames of one pass's duration, not for the whole log.
type checkpointer struct {
	stop     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
	catchUp  atomic.Bool // a pass has run since the writer last caught up
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
				c.pass(db, every)
			}
		}
	}()
	return c
}

// pass runs one PASSIVE checkpoint. A failed checkpoint (the database busy,
// a full disk) is tried again at the next tick; the log only grows
// meanwhile, and nothing committed is at risk.
func (c *checkpointer) pass(db *sql.DB, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var busy, logFrames, copied int
	err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
	// The counts are of the log as the pass found it: a pass that copied
	// all of them may still leave behind what the writer committed
	// meanwhile, so any pass over a log with frames asks for a catch-up.
	if err == nil && logFrames > 0 {
		c.catchUp.Store(true)
	}
}

// close stops the checkpointer and waits for a checkpoint in progress;
// closing it again does nothing, like closing the store again. Closing
// the database's last connection checkpoints what is left.
func (c *checkpointer) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	c.done.Wait()
}
