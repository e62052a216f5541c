package store

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the SQLite checkpointer copies committed
// pages from the write-ahead log into the database file.
const checkpointEvery = 200 * time.Millisecond

// writerAutocheckpoint is the write-ahead log's size, in pages, at which
// the write connection checkpoints by itself after a commit: a backstop
// only, far above what the checkpointer lets the log reach, so that the
// log never grows without end if the checkpointer cannot keep up.
const writerAutocheckpoint = 20000

// checkpointer copies SQLite's write-ahead log into the database file in
// the background, on a connection of its own. Left to SQLite, the commit
// that takes the log past 1,000 pages checkpoints before it returns: under
// the till's steady load one redemption in some 75 paid a 6–7 ms copy and
// sync, which set the scan + redeem p99. A PASSIVE checkpoint runs beside
// the writer and the readers, blocking neither; it copies what no reader
// still needs and leaves the rest for the next one.
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens the checkpointer's connection with dsn and
// starts it.
func startCheckpointer(dsn string) *checkpointer {
	c := &checkpointer{conn: sql.OpenDB(sqliteConnector{dsn: dsn}), stop: make(chan struct{}), done: make(chan struct{})}
	c.conn.SetMaxOpenConns(1)
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			// A failure (another checkpoint running) is left to the next
			// tick, and to the writer's backstop.
			c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
			cancel()
		}
	}
}

// Close stops the checkpointer and closes its connection.
func (c *checkpointer) Close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
