// Package testenv gives tests the real services they need: a fresh
// PostgreSQL database and an empty Redis logical database per test, a
// stripe-mock, an S3 server (VersityGW) where each test makes its buckets.
//
// When the environment names a server (SOLIDAIRE_TEST_POSTGRES_URL,
// SOLIDAIRE_TEST_REDIS_URL, SOLIDAIRE_TEST_STRIPE_URL, SOLIDAIRE_TEST_S3_URL,
// as the testservices command sets them), tests
// share it; otherwise each test process starts its own private servers on
// free loopback ports the first time a test asks, and Main stops them. A
// service that cannot be had skips the test, or fails it under CI.
//
// Every package whose tests use testenv needs
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
package testenv

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// The environment variables that name shared servers. The testservices
// command sets them for the command it runs; CI may set them itself.
const (
	// PostgresURLEnv names a PostgreSQL server URL on which tests may
	// CREATE DATABASE; every test gets its own database there.
	PostgresURLEnv = "SOLIDAIRE_TEST_POSTGRES_URL"
	// RedisURLEnv names a Redis server whose logical databases 1 and up
	// tests may take and FLUSH: never point it at a Redis holding real data.
	RedisURLEnv = "SOLIDAIRE_TEST_REDIS_URL"
)

// mainRunning is set while Main runs: private servers are only started under
// it, because nothing else would stop them.
var mainRunning atomic.Bool

// private holds what this process started for its own tests, for Main to
// stop and remove.
var private struct {
	mu      sync.Mutex
	servers []*Server
	dir     string
}

// Main runs the tests of a package and stops any server this process
// started. Use: func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
func Main(m *testing.M) int {
	mainRunning.Store(true)
	defer mainRunning.Store(false)

	// An interrupted test process would otherwise leave its servers running
	// (where the parent-death signal does not exist) and its files behind.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	stopped := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			stopPrivate()
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(sig)
			}
		case <-stopped:
		}
	}()

	code := m.Run()
	signal.Stop(signals)
	close(stopped)
	stopPrivate()
	return code
}

// stopPrivate stops the servers this process started and removes their files.
func stopPrivate() {
	private.mu.Lock()
	defer private.mu.Unlock()
	for i := len(private.servers) - 1; i >= 0; i-- {
		if err := private.servers[i].Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		}
	}
	private.servers = nil
	if private.dir != "" {
		_ = os.RemoveAll(private.dir)
		private.dir = ""
	}
}

// startPrivate starts a server for this process's tests with start, in a
// subdirectory name of the process's server directory, and has Main stop it.
func startPrivate(name string, start func(dir string) (*Server, error)) (*Server, error) {
	if !mainRunning.Load() {
		return nil, fmt.Errorf("testenv: the package has no TestMain calling testenv.Main, which stops the %s server this test would start", name)
	}
	private.mu.Lock()
	if private.dir == "" {
		dir, err := ServerDir()
		if err != nil {
			private.mu.Unlock()
			return nil, err
		}
		private.dir = dir
	}
	dir := filepath.Join(private.dir, name)
	private.mu.Unlock()

	srv, err := start(dir)
	if err != nil {
		return nil, err
	}
	private.mu.Lock()
	private.servers = append(private.servers, srv)
	private.mu.Unlock()
	return srv, nil
}

// Missing reports a service the test needs but cannot have:
// under CI (env CI non-empty) it is t.Fatalf, otherwise t.Skipf, with the reason.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("CI must have this service: %s", reason)
	}
	t.Skipf("skipped (this fails under CI): %s", reason)
}

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return port
}

// freePort asks the kernel for a port nobody listens on. Another process may
// take it before the caller binds it: servers that fail to bind are retried.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverDirPrefix starts the names of the directories made by ServerDir; the
// process id follows it, so that stale ones can be recognised.
const serverDirPrefix = "solidaire-servers-"

// ServerDir makes a new directory under the system's temporary directory for
// the files of servers this process starts, and first removes those left by
// processes that died without cleaning up. The caller removes it when the
// servers are stopped. Other users may traverse it (mode 0711) because
// PostgreSQL runs as its own user when we are root.
func ServerDir() (string, error) {
	removeStaleServerDirs()
	dir, err := os.MkdirTemp("", serverDirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("testenv: make server directory: %w", err)
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("testenv: make server directory: %w", err)
	}
	return dir, nil
}

// removeStaleServerDirs removes the server directories of processes that no
// longer exist: a test binary killed by -timeout never reaches Main's cleanup,
// and each of its PostgreSQL data directories weighs tens of megabytes.
func removeStaleServerDirs() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), serverDirPrefix+"*"))
	for _, dir := range matches {
		rest := strings.TrimPrefix(filepath.Base(dir), serverDirPrefix)
		pid, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '-'), 0)])
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}
