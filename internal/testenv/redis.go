package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisDatabases is how many logical databases our own redis-servers have:
// database 0 holds the leases, every other one can serve a test at a time.
const redisDatabases = 512

// StartRedis starts a redis-server on a free port of 127.0.0.1, without
// persistence and with 512 logical databases, its working directory dir
// (made if needed). Its URL names database 0. The error wraps
// ErrNotInstalled when redis-server is not on this machine.
func StartRedis(dir string) (*Server, error) {
	program, err := findProgram("redis-server", "/usr/sbin", "/usr/local/sbin")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("testenv: redis directory: %w", err)
	}
	newServer := func(port int) *Server {
		cmd := exec.Command(program,
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--save", "",
			"--appendonly", "no",
			"--databases", strconv.Itoa(redisDatabases),
			"--dir", dir,
		)
		cmd.Dir = dir
		cmd.SysProcAttr = procAttr(nil)
		return &Server{
			Name:     "redis",
			URL:      fmt.Sprintf("redis://127.0.0.1:%d/0", port),
			Dir:      dir,
			cmd:      cmd,
			stopWith: redisStop,
			logPath:  filepath.Join(dir, "redis.log"),
		}
	}
	ready := func(s *Server) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			opts, err := redis.ParseURL(s.URL)
			if err != nil {
				return err
			}
			opts.MaxRetries = -1
			c := redis.NewClient(opts)
			defer c.Close()
			return c.Ping(ctx).Err()
		}
	}
	return startOnFreePort(newServer, ready)
}

// The leases on logical databases. A test process owns database n while key
// "solidaire:testenv:db:<n>" in database 0 holds its token; SET NX makes
// taking one atomic across processes, and the expiry frees the databases of
// a process that died. The owner renews the expiry while its test runs.
const (
	leaseKeyPrefix = "solidaire:testenv:db:"
	leaseTTL       = 30 * time.Second
	leaseRenewal   = leaseTTL / 3
	// leaseWait is how long a test waits for a database when all are taken
	// (a shared Redis with the default 16 has 15 for all test processes).
	leaseWait = 2 * time.Minute
)

// renewLease and releaseLease only touch a lease that still holds our
// token: one that expired may be another process's by now.
var (
	renewLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)
	releaseLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)
)

// redisServer is the Redis server this process's tests take databases from.
type redisServer struct {
	url       *url.URL      // database 0
	leases    *redis.Client // database 0
	databases int
}

// theRedis is resolved once per process: the shared server, else our own.
var theRedis struct {
	once   sync.Once
	server *redisServer
	err    error
}

// redisServerFor returns the server tests take their databases from,
// starting this process's own when no shared one is named.
func redisServerFor() (*redisServer, error) {
	theRedis.once.Do(func() {
		raw := os.Getenv(RedisURLEnv)
		if raw == "" {
			var srv *Server
			if srv, theRedis.err = startPrivate("redis", StartRedis); theRedis.err != nil {
				return
			}
			raw = srv.URL
		}
		theRedis.server, theRedis.err = openRedisServer(raw)
	})
	if theRedis.err != nil && !errors.Is(theRedis.err, ErrNotInstalled) {
		return nil, fmt.Errorf("%w (see the first test that asked)", theRedis.err)
	}
	return theRedis.server, theRedis.err
}

// openRedisServer connects to the lease database of the server at raw and
// learns how many logical databases it has.
func openRedisServer(raw string) (*redisServer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("testenv: Redis URL: %w", err)
	}
	u.Path, u.RawPath = "/0", ""
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("testenv: Redis URL %s: %w", u.Redacted(), err)
	}
	s := &redisServer{url: u, leases: redis.NewClient(opts), databases: 16}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.leases.Ping(ctx).Err(); err != nil {
		s.leases.Close()
		return nil, fmt.Errorf("testenv: Redis at %s: %w", u.Redacted(), err)
	}
	// A managed Redis may refuse CONFIG: it then has the default 16.
	if config, err := s.leases.ConfigGet(ctx, "databases").Result(); err == nil {
		if n, err := strconv.Atoi(config["databases"]); err == nil {
			s.databases = n
		}
	}
	if s.databases < 2 {
		s.leases.Close()
		return nil, fmt.Errorf("testenv: Redis at %s has a single database, none for tests", u.Redacted())
	}
	return s, nil
}

// redisLease is a logical database held by one test.
type redisLease struct {
	key, token string
	db         *redis.Client // the leased database, to flush it
	stop       chan struct{}
	renewing   sync.WaitGroup
}

// lease takes a free logical database, empties it and keeps it until release.
func (s *redisServer) lease(ctx context.Context) (*redisLease, int, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	token := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))

	usable := s.databases - 1
	deadline := time.Now().Add(leaseWait)
	for {
		// Starting at random spreads the processes over the databases, so
		// that most first tries succeed.
		first := mathrand.IntN(usable)
		for i := range usable {
			n := 1 + (first+i)%usable
			key := leaseKeyPrefix + strconv.Itoa(n)
			ok, err := s.leases.SetNX(ctx, key, token, leaseTTL).Result()
			if err != nil {
				return nil, 0, err
			}
			if !ok {
				continue
			}
			l, err := s.startLease(ctx, key, token, n)
			return l, n, err
		}
		if time.Now().After(deadline) {
			return nil, 0, fmt.Errorf("all %d logical databases stayed in use for %v", usable, leaseWait)
		}
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startLease empties database n, whose lease key we just set, and renews
// the lease until release.
func (s *redisServer) startLease(ctx context.Context, key, token string, n int) (*redisLease, error) {
	opts := *s.leases.Options()
	opts.DB = n
	l := &redisLease{key: key, token: token, db: redis.NewClient(&opts), stop: make(chan struct{})}
	// A process that died holding n left its data there.
	if err := l.db.FlushDB(ctx).Err(); err != nil {
		l.db.Close()
		_ = releaseLease.Run(context.Background(), s.leases, []string{key}, token).Err()
		return nil, err
	}
	l.renewing.Add(1)
	go func() {
		defer l.renewing.Done()
		tick := time.NewTicker(leaseRenewal)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), leaseRenewal)
				_ = renewLease.Run(ctx, s.leases, []string{key}, token, leaseTTL.Milliseconds()).Err()
				cancel()
			}
		}
	}()
	return l, nil
}

// release empties the database and gives it back.
func (s *redisServer) release(l *redisLease) error {
	close(l.stop)
	l.renewing.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := l.db.FlushDB(ctx).Err()
	l.db.Close()
	return errors.Join(err, releaseLease.Run(ctx, s.leases, []string{l.key}, l.token).Err())
}

// RedisURL returns a redis:// URL of an empty logical database for this test
// (isolated from other tests running at the same time, in this process and
// in other test processes). The database is leased through a key in
// database 0 and flushed before and after the test. Logical databases do not
// separate pub/sub channels: a test that publishes uses channel names of
// its own (a random key prefix, say).
func RedisURL(t testing.TB) string {
	t.Helper()
	s, err := redisServerFor()
	if errors.Is(err, ErrNotInstalled) {
		Missing(t, "Redis: %v", err)
	}
	if err != nil {
		t.Fatalf("testenv: Redis: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), leaseWait+10*time.Second)
	defer cancel()
	l, n, err := s.lease(ctx)
	if err != nil {
		t.Fatalf("testenv: take a Redis database on %s: %v", s.url.Redacted(), err)
	}
	t.Cleanup(func() {
		if err := s.release(l); err != nil {
			t.Errorf("testenv: give back Redis database %d: %v", n, err)
		}
	})
	u := *s.url
	u.Path = "/" + strconv.Itoa(n)
	return u.String()
}
