// Package store keeps Solidaire's data in SQL: SQLite (the embedded default)
// or PostgreSQL (scale-out), with the same hand-written statements for both
// and per-dialect migrations. It implements the persistence interfaces of the
// market package; no *sql.Tx leaves it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/solidaire-app/solidaire/market"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is Solidaire's database. Reads go to a pool of connections; on SQLite,
// writes go through one connection of their own with immediate transactions,
// so that writers queue in Go instead of spinning on SQLITE_BUSY.
type DB struct {
	Dialect Dialect
	read    *sql.DB
	write   *sql.DB
	now     func() time.Time
	stmts   sync.Map // query text → *sql.Stmt on the read pool
	// holdMail: new mails are held, not sent (no SMTP server configured).
	holdMail atomic.Bool
	// checkpoints copies SQLite's write-ahead log into the database in
	// the background (nil on PostgreSQL).
	checkpoints *checkpointer
}

// Open connects to url: a postgres:// (or postgresql://) URL for
// PostgreSQL, anything else is a SQLite file path (its directory is created).
// It does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	db := &DB{now: time.Now}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		pool, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pool.SetMaxOpenConns(32)
		pool.SetMaxIdleConns(32)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.Dialect, db.read, db.write = Postgres, pool, pool
	} else {
		path := strings.TrimPrefix(url, "sqlite://")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: %w", err)
			}
		}
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		// Both pools keep their statements prepared (sqliteConnector).
		w := sql.OpenDB(sqliteConnector{dsn: dsn + "&_txlock=immediate" +
			"&_pragma=wal_autocheckpoint(" + strconv.Itoa(writerAutocheckpoint) + ")"})
		w.SetMaxOpenConns(1)
		db.checkpoints = startCheckpointer(dsn)
		r := sql.OpenDB(sqliteConnector{dsn: dsn + "&_pragma=query_only(1)"})
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		db.Dialect, db.read, db.write = SQLite, r, w
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	var err error
	if db.checkpoints != nil {
		err = db.checkpoints.Close()
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers; EUnavailable when it does not.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		return &market.Error{Code: market.EUnavailable, Message: "Base de données indisponible."}
	}
	return nil
}

// Migrate applies every pending migration of the engine's dialect and
// returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return 0, err
	}
	dialect := goose.DialectPostgres
	var opts []goose.ProviderOption
	if db.Dialect == SQLite {
		dialect = goose.DialectSQLite3
	} else {
		// Several instances may start at once against one PostgreSQL: an
		// advisory lock lets one migrate while the others wait.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.write, sub, opts...)
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("store: migrate: %w", err)
	}
	return len(res), nil
}

// SetClock replaces the clock used for created_at and "upcoming"; tests use
// it to pin time.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// query runs a read on the read pool through a prepared statement kept for
// the life of the DB: on SQLite, preparing is a third of a small query's
// cost. (pgx already caches statements per connection.)
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.Dialect != SQLite {
		return db.read.QueryContext(ctx, q, args...)
	}
	st, ok := db.stmts.Load(q)
	if !ok {
		prepared, err := db.read.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		var loaded bool
		if st, loaded = db.stmts.LoadOrStore(q, prepared); loaded {
			prepared.Close()
		}
	}
	return st.(*sql.Stmt).QueryContext(ctx, args...)
}

// tx runs fn in one write transaction: committed when fn returns nil, rolled
// back otherwise. Driver errors are translated to market errors.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	return translate(tx.Commit())
}

// readTx runs fn in a read-only transaction, for reads that need several
// statements to agree.
func (db *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: db.Dialect == Postgres}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	return translate(tx.Commit())
}

// millis converts a time to the stored form, Unix milliseconds; the zero
// time is stored as 0.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis converts a stored time back; 0 is the zero time.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// Empty reports whether the database holds no merchant yet: the demo data
// set is only loaded into an empty database.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM merchants`).Scan(&n); err != nil {
		return false, translate(err)
	}
	return n == 0, nil
}

// RawDB returns the database's write pool, for the bench command's raw-SQL
// baselines only: everything else goes through the store's methods.
func (db *DB) RawDB() (*sql.DB, error) { return db.write, nil }

// RawReadDB returns the database's read pool (the same pool as the write
// one on PostgreSQL), for the bench command's raw read baselines only.
func (db *DB) RawReadDB() *sql.DB { return db.read }

// Stats counts orders by status, vouchers issued, tickets and redemptions
// over the whole database, for /metrics: every instance reports the same
// figures.
func (db *DB) Stats(ctx context.Context) (map[string]float64, error) {
	out := map[string]float64{}
	rows, err := db.read.QueryContext(ctx, `SELECT status, COUNT(*) FROM orders GROUP BY status`)
	if err != nil {
		return nil, translate(err)
	}
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return nil, translate(err)
		}
		out["orders_"+status] = float64(n)
	}
	rows.Close()
	for name, q := range map[string]string{
		"vouchers":    `SELECT COUNT(*) FROM vouchers`,
		"tickets":     `SELECT COUNT(*) FROM tickets`,
		"redemptions": `SELECT COUNT(*) FROM redemptions WHERE reversed_at = 0`,
	} {
		var n int64
		if err := db.read.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, translate(err)
		}
		out[name] = float64(n)
	}
	return out, nil
}
