package testenv

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// Restartable is a server of one test's own that the test stops and starts
// again, on the same port and with the same files, to see what the code
// under test does while the server is down and once it is back. It is
// never the shared server named by SOLIDAIRE_TEST_POSTGRES_URL or
// SOLIDAIRE_TEST_REDIS_URL, which other tests are using. Its methods may
// be called from any goroutine.
type Restartable struct {
	url   string
	ready func(ctx context.Context) error

	mu      sync.Mutex
	last    *Server // the server last started, whose command starts the next
	running bool
}

// DedicatedPostgres starts a PostgreSQL server for this test alone (as
// StartPostgres does), and stops it and removes its files at the test's
// cleanup. Its URL names the maintenance database "postgres", which the
// test may use as its own. Without PostgreSQL's programs the test is
// skipped, or failed under CI (see Missing).
func DedicatedPostgres(t testing.TB) *Restartable {
	t.Helper()
	r := startDedicated(t, "postgres", StartPostgres)
	// A fast shutdown, as pg_ctl stop does: the server ends its sessions
	// (57P01 admin_shutdown) and keeps what was committed, even with the
	// durability settings of StartPostgres, which an immediate one loses.
	r.last.stopWith = os.Interrupt
	r.ready = func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, r.url)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	}
	return r
}

// DedicatedRedis starts a redis-server for this test alone (as StartRedis
// does), without persistence: it comes back empty after Stop. It is
// stopped at the test's cleanup. Without redis-server the test is skipped,
// or failed under CI (see Missing).
func DedicatedRedis(t testing.TB) *Restartable {
	t.Helper()
	r := startDedicated(t, "redis", StartRedis)
	r.ready = func(ctx context.Context) error {
		opts, err := redis.ParseURL(r.url)
		if err != nil {
			return err
		}
		opts.MaxRetries = -1
		c := redis.NewClient(opts)
		defer c.Close()
		return c.Ping(ctx).Err()
	}
	return r
}

// startDedicated starts a server with start in a directory of its own,
// removed at cleanup with the server stopped. The parent-death signal of
// procAttr stops the server if the test process dies without cleaning up,
// and ServerDir removes such a process's directory later.
func startDedicated(t testing.TB, name string, start func(dir string) (*Server, error)) *Restartable {
	t.Helper()
	dir, err := ServerDir()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	srv, err := start(filepath.Join(dir, name))
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, ErrNotInstalled) {
			Missing(t, "%s: %v", name, err)
		}
		t.Fatalf("testenv: dedicated %s: %v", name, err)
	}
	r := &Restartable{url: srv.URL, last: srv, running: true}
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.running {
			if err := r.last.Stop(); err != nil {
				t.Errorf("testenv: %v", err)
			}
			r.running = false
		}
		os.RemoveAll(dir)
	})
	return r
}

// URL reaches the server; it stays the same across Stop and Start.
func (r *Restartable) URL() string { return r.url }

// Stop stops the server (PostgreSQL with a fast shutdown, which ends the
// sessions and keeps the data; Redis without saving): the connections open
// to it break and new ones are refused. Stopping a stopped server does
// nothing.
func (r *Restartable) Stop(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running {
		return
	}
	r.running = false
	if err := r.last.Stop(); err != nil {
		t.Fatalf("testenv: %v", err)
	}
}

// Start starts the stopped server again on its port, with its files, and
// waits until it accepts connections. Starting a running server does
// nothing.
func (r *Restartable) Start(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		return
	}
	prev := r.last
	cmd := exec.Command(prev.cmd.Path, prev.cmd.Args[1:]...)
	cmd.Dir, cmd.Env, cmd.SysProcAttr = prev.cmd.Dir, prev.cmd.Env, prev.cmd.SysProcAttr
	next := &Server{Name: prev.Name, URL: prev.URL, Dir: prev.Dir, cmd: cmd, stopWith: prev.stopWith, logPath: prev.logPath}
	if err := next.start(r.ready); err != nil {
		// Another process may have taken the port meanwhile: fail rather
		// than move, since the clients under test keep the URL.
		t.Fatalf("testenv: restart %s on %s: %v", prev.Name, redactURL(prev.URL), err)
	}
	r.last, r.running = next, true
}
