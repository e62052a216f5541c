package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/solidaire-app/solidaire/market"
)

// translate turns driver errors into market errors:
//   - a uniqueness violation is EConflict, and so is a CHECK constraint;
//   - a database that cannot be reached or is going away is EUnavailable
//     (see unreachable): the request may be retried as it is in a moment;
//   - anything else is returned as it is (an internal error), and so is a
//     cancelled context: the caller left, the database did nothing wrong.
//
// The EUnavailable error keeps the cause's text for the log, never the
// cause itself: a pgconn.ConnectError holds the connection's configuration,
// password included, which no caller should be able to reach.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var me *market.Error
	if errors.As(err, &me) || errors.Is(err, context.Canceled) {
		return err
	}
	// Before the server's own codes: a failed connection attempt may carry
	// one (57P03, 53300, or a refused password), and is unavailable whatever
	// the server said.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return unavailable(err)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505":
			return &market.Error{Code: market.EConflict, Message: "Cet élément existe déjà."}
		case pg.Code == "23514":
			return &market.Error{Code: market.EConflict, Message: "Opération refusée par une règle de cohérence."}
		case postgresUnavailable(pg.Code):
			return unavailable(err)
		}
		return err
	}
	var sq *sqlite.Error
	if errors.As(err, &sq) {
		switch sq.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &market.Error{Code: market.EConflict, Message: "Cet élément existe déjà."}
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return &market.Error{Code: market.EConflict, Message: "Opération refusée par une règle de cohérence."}
		}
		if sqliteUnavailable(sq.Code()) {
			return unavailable(err)
		}
		return err
	}
	if unreachable(err) {
		return unavailable(err)
	}
	return err
}

// unavailable is the EUnavailable error for cause, whose text (not the
// value) it keeps for the log.
func unavailable(cause error) error {
	return fmt.Errorf("store: database unavailable: %s: %w", cause.Error(),
		&market.Error{Code: market.EUnavailable, Message: "Base de données indisponible."})
}

// postgresUnavailable reports whether a PostgreSQL SQLSTATE means that the
// server cannot serve us now rather than that the statement is wrong:
// class 08 (connection exception), a server shutting down or crashed
// (57P01 admin_shutdown, 57P02 crash_shutdown), starting up or recovering
// (57P03 cannot_connect_now), or out of connection slots (53300
// too_many_connections).
func postgresUnavailable(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", "53300":
		return true
	}
	return strings.HasPrefix(code, "08")
}

// sqliteUnavailable reports whether a SQLite result code (extended or
// primary) means the file cannot be used now: still locked by another
// writer once the busy timeout of Open has run out (SQLITE_BUSY,
// SQLITE_LOCKED), or not openable or readable (SQLITE_CANTOPEN,
// SQLITE_IOERR, a missing disk or volume).
func sqliteUnavailable(code int) bool {
	switch code & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR:
		return true
	}
	return false
}

// unreachable reports whether err says the connection to the database
// failed or went away, whatever the layer that noticed: the network
// (refused, reset, broken pipe, end of stream, time-outs, unknown host),
// pgx (a closed connection, a time-out), database/sql (a bad or finished
// connection, a closed pool) or the caller's deadline.
func unreachable(err error) bool {
	for _, target := range []error{
		driver.ErrBadConn, sql.ErrConnDone, pgconn.ErrConnClosed, context.DeadlineExceeded,
		io.EOF, io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
		syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	var ne net.Error // *net.OpError, *net.DNSError, time-outs
	if errors.As(err, &ne) || pgconn.Timeout(err) {
		return true
	}
	// database/sql's error for a pool that Close has shut, which it does
	// not export: the server is going away.
	return err.Error() == "sql: database is closed"
}
