package testenv_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestPostgresURL checks that each call gives a database of its own, empty,
// and that cleanup drops it.
func TestPostgresURL(t *testing.T) {
	ctx := context.Background()
	var first, second string
	t.Run("Two", func(t *testing.T) {
		first, second = testenv.PostgresURL(t), testenv.PostgresURL(t)
		if first == second {
			t.Fatalf("two calls gave the same database %s", first)
		}
		a, b := connectPostgres(t, first), connectPostgres(t, second)
		for _, conn := range []*pgx.Conn{a, b} {
			var tables int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if tables != 0 {
				t.Errorf("new database has %d tables", tables)
			}
		}
		if _, err := a.Exec(ctx, `CREATE TABLE voucher (id text PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		var seen bool
		if err := b.QueryRow(ctx, `SELECT to_regclass('voucher') IS NOT NULL`).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if seen {
			t.Error("a table made in one test database shows in the other")
		}
	})
	if first == "" { // skipped: no PostgreSQL here
		return
	}

	// The subtest's cleanup has run: both databases must be gone.
	u, err := url.Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	name1 := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin := connectPostgres(t, u.String())
	var left int
	err = admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1 OR datname = $2`,
		name1, strings.TrimPrefix(mustParse(t, second).Path, "/")).Scan(&left)
	if err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d test databases survived their test", left)
	}
}

// TestPostgresURLParallel makes databases from parallel tests, as the store
// tests will.
func TestPostgresURLParallel(t *testing.T) {
	for i := range 4 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			conn := connectPostgres(t, testenv.PostgresURL(t))
			if _, err := conn.Exec(context.Background(), `CREATE TABLE merchant (id text PRIMARY KEY)`); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRedisURL checks that two tests get two empty logical databases that do
// not see each other's keys, and that a database is empty again when the
// next test gets it.
func TestRedisURL(t *testing.T) {
	ctx := context.Background()
	var firstURL string
	t.Run("Two", func(t *testing.T) {
		firstURL = testenv.RedisURL(t)
		secondURL := testenv.RedisURL(t)
		if firstURL == secondURL {
			t.Fatalf("two calls gave the same database %s", firstURL)
		}
		a, b := connectRedis(t, firstURL), connectRedis(t, secondURL)
		for _, c := range []*redis.Client{a, b} {
			if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
				t.Fatalf("new database has %d keys (%v)", n, err)
			}
		}
		if err := a.Set(ctx, "voucher", "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if n, _ := b.Exists(ctx, "voucher").Result(); n != 0 {
			t.Error("a key set in one test database shows in the other")
		}
	})
	if firstURL == "" { // skipped: no Redis here
		return
	}
	// The lease is given back and the database flushed.
	c := connectRedis(t, firstURL)
	if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Errorf("a released database still has %d keys (%v)", n, err)
	}
}

// TestRedisURLParallel holds many databases at once.
func TestRedisURLParallel(t *testing.T) {
	for i := range 20 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			c := connectRedis(t, testenv.RedisURL(t))
			ctx := context.Background()
			if err := c.Incr(ctx, "count").Err(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			if n, _ := c.Get(ctx, "count").Int(); n != 1 {
				t.Errorf("count = %d: another test shares this database", n)
			}
		})
	}
}

func TestFreePort(t *testing.T) {
	port := testenv.FreePort(t)
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("port %d is not free: %v", port, err)
	}
	l.Close()
}

func connectPostgres(t *testing.T, rawURL string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", rawURL, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func connectRedis(t *testing.T, rawURL string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
