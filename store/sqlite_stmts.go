package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"regexp"
)

// stmtCacheSize bounds the statements a SQLite connection keeps prepared:
// the store's statements are a few hundred texts; the ones built with a
// variable number of placeholders beyond the bound are prepared each time.
const stmtCacheSize = 512

// sqliteConnector opens SQLite connections that keep every statement
// they run prepared for their whole life. The driver parses each
// statement again at every call otherwise; parsing was a fifth of a
// fulfilment's CPU time under the webhook storm. Every statement of the
// store, in or out of a transaction, goes through it: database/sql
// prepares, runs and closes a statement on a connection that does not
// execute text directly, and here closing a cached statement only makes
// it available again.
type sqliteConnector struct{ dsn string }

// sqliteDriver is the driver registered as "sqlite" by modernc.org/sqlite,
// with whatever was registered on it.
var sqliteDriver = func() driver.Driver {
	db, _ := sql.Open("sqlite", "")
	defer db.Close()
	return db.Driver()
}()

// Connect implements driver.Connector.
func (c sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{inner: conn, stmts: map[string]*cachedStmt{}}, nil
}

// Driver implements driver.Connector.
func (c sqliteConnector) Driver() driver.Driver { return sqliteDriver }

// cachingConn is a SQLite connection with its prepared statements. It
// deliberately does not implement driver.ExecerContext or
// driver.QueryerContext, so that database/sql prepares through it. A
// connection is used by one goroutine at a time (database/sql's rule).
type cachingConn struct {
	inner driver.Conn
	stmts map[string]*cachedStmt
}

// Prepare implements driver.Conn.
func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns the connection's prepared statement for query,
// preparing it the first time. A statement still in use (its rows open)
// is not handed out twice: the second use gets a statement of its own.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok && !st.busy {
		st.busy = true
		return st, nil
	}
	inner, err := c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, unboundLimits(query))
	if err != nil {
		return nil, err
	}
	st := &cachedStmt{inner: inner, busy: true}
	if _, ok := c.stmts[query]; !ok && len(c.stmts) < stmtCacheSize {
		st.cached = true
		c.stmts[query] = st
	}
	return st, nil
}

// boundLimit is a LIMIT or OFFSET whose value is a bare placeholder.
var boundLimit = regexp.MustCompile(`(?i)\b(LIMIT|OFFSET)\s+(\$[0-9]+)`)

// unboundLimits writes a LIMIT or OFFSET placeholder as an expression
// ("LIMIT ($2 + 0)"), which means the same. SQLite (3.46 and later)
// plans a statement with the value bound to a bare LIMIT placeholder,
// and so marks the statement to be prepared again whenever that
// parameter is bound: every execution of a kept statement was parsed and
// planned anew (a fifth of the uncached directory listing's CPU time).
// An expression is not looked into.
func unboundLimits(query string) string {
	return boundLimit.ReplaceAllString(query, "$1 ($2 + 0)")
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.inner.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.inner.Close())...)
}

// Begin implements driver.Conn.
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// Ping implements driver.Pinger.
func (c *cachingConn) Ping(ctx context.Context) error { return c.inner.(driver.Pinger).Ping(ctx) }

// ResetSession implements driver.SessionResetter.
func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.inner.(driver.SessionResetter).ResetSession(ctx)
}

// IsValid implements driver.Validator.
func (c *cachingConn) IsValid() bool { return c.inner.(driver.Validator).IsValid() }

// cachedStmt is a prepared statement of a cachingConn; busy while handed
// out (database/sql closes it when the statement's rows are closed or its
// exec returned).
type cachedStmt struct {
	inner  driver.Stmt
	busy   bool
	cached bool
}

// Close makes a cached statement available again, and finalizes one that
// is not cached.
func (s *cachedStmt) Close() error {
	s.busy = false
	if s.cached {
		return nil
	}
	return s.inner.Close()
}

// NumInput implements driver.Stmt.
func (s *cachedStmt) NumInput() int { return s.inner.NumInput() }

// Exec implements driver.Stmt.
func (s *cachedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.inner.Exec(args) //nolint:staticcheck // the driver's own, as database/sql would call it
}

// Query implements driver.Stmt.
func (s *cachedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.inner.Query(args) //nolint:staticcheck // the driver's own, as database/sql would call it
}

// ExecContext implements driver.StmtExecContext.
func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext implements driver.StmtQueryContext.
func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
}
