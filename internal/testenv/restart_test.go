package testenv_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// TestDedicatedPostgres checks that a dedicated server refuses connections
// once stopped, and comes back on the same URL with its data, while the
// shared server, if any, is another one.
func TestDedicatedPostgres(t *testing.T) {
	pg := testenv.DedicatedPostgres(t)
	if shared := os.Getenv(testenv.PostgresURLEnv); shared != "" && shared == pg.URL() {
		t.Fatalf("the dedicated server is the shared one: %s", shared)
	}
	ctx := context.Background()
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, pg.URL())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(`CREATE TABLE kept (id int)`); err != nil {
		t.Fatal(err)
	}
	pg.Stop(t)
	pg.Stop(t) // a second Stop does nothing
	if err := exec(`SELECT 1`); err == nil {
		t.Fatal("a stopped server answered")
	}
	pg.Start(t)
	pg.Start(t) // a second Start does nothing
	if err := exec(`SELECT count(*) FROM kept`); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
}

// TestDedicatedRedis checks the same of a dedicated redis-server, which
// comes back empty.
func TestDedicatedRedis(t *testing.T) {
	rd := testenv.DedicatedRedis(t)
	opts, err := redis.ParseURL(rd.URL())
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	rd.Stop(t)
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("a stopped server answered")
	}
	rd.Start(t)
	if err := c.Ping(ctx).Err(); err != nil {
		// The client's pooled connection died with the server: one more try
		// takes a new one.
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("after a restart: %v", err)
		}
	}
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("after a restart: Exists = %d, %v; want an empty server", n, err)
	}
}
