package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresDirs are where Debian (and the PostgreSQL project's own packages)
// put initdb and postgres, which are not on PATH there.
var postgresDirs = []string{"/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/bin"}

// StartPostgres initialises a PostgreSQL cluster in dir (made if needed; a
// cluster already there is reused) and starts it on a free port of
// 127.0.0.1 with trust authentication and durability off, for speed. Its
// URL is the maintenance database "postgres" of superuser "postgres". When
// we are root the server runs as the postgres (else nobody) user, and dir
// must be reachable by that user. The error wraps ErrNotInstalled when
// PostgreSQL's programs are not on this machine.
func StartPostgres(dir string) (*Server, error) {
	initdb, err := findProgram("initdb", postgresDirs...)
	if err != nil {
		return nil, err
	}
	// postgres must be the version initdb made the cluster for: take the
	// one beside it, through any symbolic link (/usr/local/bin/initdb).
	if real, err := filepath.EvalSymlinks(initdb); err == nil {
		initdb = real
	}
	postgres := filepath.Join(filepath.Dir(initdb), "postgres")
	if _, err := os.Stat(postgres); err != nil {
		return nil, fmt.Errorf("testenv: postgres beside %s: %w", initdb, ErrNotInstalled)
	}
	owner, err := postgresUser()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("testenv: postgres directory: %w", err)
	}
	if err := owner.give(dir); err != nil {
		return nil, err
	}

	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		cmd := exec.Command(initdb, "--pgdata", data, "--username", "postgres", "--auth", "trust",
			"--encoding", "UTF8", "--locale", "C", "--no-sync")
		cmd.Dir = dir // the user it runs as may not enter ours
		cmd.SysProcAttr = procAttr(owner)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("testenv: initdb %s: %v: %s", data, err, out)
		}
	}

	newServer := func(port int) *Server {
		cmd := exec.Command(postgres, "-D", data, "-p", strconv.Itoa(port),
			"-c", "listen_addresses=127.0.0.1",
			"-c", "unix_socket_directories="+dir,
			// Test data is thrown away: durability only costs time.
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off",
			// Many test packages share one server under testservices, each
			// with parallel tests holding connections.
			"-c", "max_connections=200",
		)
		cmd.Dir = dir
		cmd.SysProcAttr = procAttr(owner)
		return &Server{
			Name:     "postgres",
			URL:      fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
			Dir:      dir,
			cmd:      cmd,
			stopWith: postgresStop,
			logPath:  filepath.Join(dir, "postgres.log"),
		}
	}
	ready := func(s *Server) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			conn, err := pgx.Connect(ctx, s.URL)
			if err != nil {
				return err
			}
			return conn.Close(ctx)
		}
	}
	return startOnFreePort(newServer, ready)
}

// privatePostgres is this process's own server, started by the first test
// that needs one when no shared server is named.
var privatePostgres struct {
	once sync.Once
	url  string
	err  error
}

// postgresServerURL returns the URL of the server where tests make their
// databases: the shared one, else this process's own, started now.
func postgresServerURL() (string, error) {
	if u := os.Getenv(PostgresURLEnv); u != "" {
		return u, nil
	}
	privatePostgres.once.Do(func() {
		var srv *Server
		srv, privatePostgres.err = startPrivate("postgres", StartPostgres)
		if srv != nil {
			privatePostgres.url = srv.URL
		}
	})
	if privatePostgres.err != nil && !errors.Is(privatePostgres.err, ErrNotInstalled) {
		// Tell the tests after the first why they fail too.
		return "", fmt.Errorf("%w (see the first test that asked)", privatePostgres.err)
	}
	return privatePostgres.url, privatePostgres.err
}

// PostgresURL returns the URL (postgres://...?sslmode=disable) of a fresh,
// empty PostgreSQL database made for this test and dropped at its cleanup.
// The database is copied from template0, so it has nothing in it whatever
// the server's template1 holds. On a server named by
// SOLIDAIRE_TEST_POSTGRES_URL the URL keeps that one's user and query.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server, err := postgresServerURL()
	if errors.Is(err, ErrNotInstalled) {
		Missing(t, "PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatalf("testenv: PostgreSQL: %v", err)
	}

	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := postgresAdmin(ctx, server, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatalf("testenv: create database on %s: %v", redactURL(server), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends the connections a test left open.
		if err := postgresAdmin(ctx, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testenv: drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("testenv: %s: %v", PostgresURLEnv, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// postgresAdmin runs one statement on server's maintenance database, on a
// connection of its own: CREATE and DROP DATABASE refuse transactions.
func postgresAdmin(ctx context.Context, server, statement string) error {
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, statement)
	return err
}

// redactURL hides the password of a server URL in messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
