package cache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// sharedState is what the conformance suite needs of a cache: every method
// of the seam.
type sharedState interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error)
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	Incr(ctx context.Context, key string, by int64) (int64, error)
	TakeCounter(ctx context.Context, key string) (int64, error)
	Tally(ctx context.Context, key string, ttl time.Duration) (int64, error)
	AddUnique(ctx context.Context, key, member string) (bool, error)
	CountUnique(ctx context.Context, key string) (int64, error)
	Publish(ctx context.Context, channel string, msg []byte) error
	Subscribe(ctx context.Context, channel string) (<-chan []byte, func(), error)
	Ping(ctx context.Context) error
	Close() error
}

var (
	_ sharedState = (*cache.Memory)(nil)
	_ sharedState = (*cache.Redis)(nil)
)

func TestMemory(t *testing.T) {
	testConformance(t, func(t *testing.T) sharedState { return cache.NewMemory() })
}

func TestRedis(t *testing.T) {
	testConformance(t, func(t *testing.T) sharedState { return newRedis(t) })
}

// newRedis returns a Redis cache on a database of this test's own. Pub/sub
// channels are not per database: the random prefix keeps this test's apart
// from those of tests running at the same time.
func newRedis(t *testing.T) *cache.Redis {
	t.Helper()
	c, err := cache.NewRedis(testenv.RedisURL(t), "test-"+randomName()+":")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// testConformance runs the tests every cache must pass, each on a fresh
// cache from newCache.
func testConformance(t *testing.T, newCache func(t *testing.T) sharedState) {
	ctx := context.Background()
	// run runs one conformance test in parallel with the others: several
	// wait for expiries.
	run := func(name string, test func(t *testing.T, c sharedState)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, newCache(t))
		})
	}

	run("SetGetDelete", func(t *testing.T, c sharedState) {
		if _, err := c.Get(ctx, "voucher:1"); market.ErrorCode(err) != market.ENotFound {
			t.Fatalf("Get of an absent key: %v, want %s", err, market.ENotFound)
		}
		value := []byte("blue")
		must(t, c.Set(ctx, "voucher:1", value, 0))
		value[0] = 'X' // the cache holds its own copy
		wantValue(t, c, "voucher:1", "blue")
		must(t, c.Set(ctx, "voucher:1", []byte("green"), 0))
		wantValue(t, c, "voucher:1", "green")
		must(t, c.Set(ctx, "empty", []byte{}, 0))
		wantValue(t, c, "empty", "")
		must(t, c.Delete(ctx, "voucher:1"))
		if _, err := c.Get(ctx, "voucher:1"); market.ErrorCode(err) != market.ENotFound {
			t.Fatalf("Get after Delete: %v, want %s", err, market.ENotFound)
		}
		must(t, c.Delete(ctx, "never-set"))
		wantValue(t, c, "empty", "")
	})

	run("Expiry", func(t *testing.T, c sharedState) {
		must(t, c.Set(ctx, "short", []byte("a"), 150*time.Millisecond))
		must(t, c.Set(ctx, "forever", []byte("b"), 0))
		must(t, c.Set(ctx, "negative", []byte("c"), -time.Second))
		if ok, err := c.SetNX(ctx, "token", []byte("d"), 150*time.Millisecond); err != nil || !ok {
			t.Fatalf("SetNX = %v, %v", ok, err)
		}
		wantValue(t, c, "short", "a")
		wantValue(t, c, "token", "d")
		time.Sleep(300 * time.Millisecond)
		for _, key := range []string{"short", "token"} {
			if v, err := c.Get(ctx, key); market.ErrorCode(err) != market.ENotFound {
				t.Errorf("Get(%q) after its ttl = %q, %v; want %s", key, v, err, market.ENotFound)
			}
		}
		wantValue(t, c, "forever", "b")
		wantValue(t, c, "negative", "c")
		if ok, err := c.SetNX(ctx, "token", []byte("e"), time.Minute); err != nil || !ok {
			t.Errorf("SetNX after the first value expired = %v, %v; want true", ok, err)
		}
	})

	run("SetNX", func(t *testing.T, c sharedState) {
		if ok, err := c.SetNX(ctx, "login:ada", []byte("1"), time.Minute); err != nil || !ok {
			t.Fatalf("first SetNX = %v, %v; want true", ok, err)
		}
		if ok, err := c.SetNX(ctx, "login:ada", []byte("2"), time.Minute); err != nil || ok {
			t.Fatalf("second SetNX = %v, %v; want false", ok, err)
		}
		wantValue(t, c, "login:ada", "1")
		must(t, c.Delete(ctx, "login:ada"))
		if ok, err := c.SetNX(ctx, "login:ada", []byte("3"), 0); err != nil || !ok {
			t.Fatalf("SetNX after Delete = %v, %v; want true", ok, err)
		}
		wantValue(t, c, "login:ada", "3")
	})

	run("SetNXConcurrent", func(t *testing.T, c sharedState) {
		var winners atomic.Int32
		parallel(t, 50, func(i int) error {
			ok, err := c.SetNX(ctx, "webhook:evt_1", []byte(strconv.Itoa(i)), time.Minute)
			if ok {
				winners.Add(1)
			}
			return err
		})
		if n := winners.Load(); n != 1 {
			t.Errorf("%d of 50 concurrent SetNX won, want 1", n)
		}
	})

	run("Incr", func(t *testing.T, c sharedState) {
		for _, step := range []struct{ by, want int64 }{{1, 1}, {5, 6}, {-2, 4}, {0, 4}} {
			if n, err := c.Incr(ctx, "views", step.by); err != nil || n != step.want {
				t.Fatalf("Incr by %d = %d, %v; want %d", step.by, n, err, step.want)
			}
		}
		wantValue(t, c, "views", "4")
		must(t, c.Set(ctx, "word", []byte("abc"), 0))
		if _, err := c.Incr(ctx, "word", 1); market.ErrorCode(err) != market.EInternal {
			t.Errorf("Incr of a non-integer: %v, want %s", err, market.EInternal)
		}
		// A counter with an expiry keeps it: counts per window.
		if _, err := c.Incr(ctx, "window", 1); err != nil {
			t.Fatal(err)
		}
		must(t, c.Set(ctx, "window", []byte("10"), 150*time.Millisecond))
		if n, err := c.Incr(ctx, "window", 1); err != nil || n != 11 {
			t.Fatalf("Incr = %d, %v; want 11", n, err)
		}
		time.Sleep(300 * time.Millisecond)
		if n, err := c.Incr(ctx, "window", 1); err != nil || n != 1 {
			t.Errorf("Incr after the counter expired = %d, %v; want 1", n, err)
		}
	})

	run("Tally", func(t *testing.T, c sharedState) {
		for want := int64(1); want <= 3; want++ {
			if n, err := c.Tally(ctx, "fails", 200*time.Millisecond); err != nil || n != want {
				t.Fatalf("Tally = %d, %v; want %d", n, err, want)
			}
			// Each tally pushes the expiry back: the count lives on while
			// the events go on, more than one ttl after the first.
			time.Sleep(120 * time.Millisecond)
		}
		wantValue(t, c, "fails", "3")
		time.Sleep(300 * time.Millisecond)
		if v, err := c.Get(ctx, "fails"); market.ErrorCode(err) != market.ENotFound {
			t.Fatalf("Get after the last tally's ttl = %q, %v; want %s", v, err, market.ENotFound)
		}
		if n, err := c.Tally(ctx, "fails", time.Minute); err != nil || n != 1 {
			t.Fatalf("Tally after expiry = %d, %v; want 1", n, err)
		}
		// Incr goes on with a tally's counter; a ttl of zero keeps it.
		if n, err := c.Incr(ctx, "fails", 4); err != nil || n != 5 {
			t.Fatalf("Incr of a tally = %d, %v; want 5", n, err)
		}
		if n, err := c.Tally(ctx, "fails", 0); err != nil || n != 6 {
			t.Fatalf("Tally without ttl = %d, %v; want 6", n, err)
		}
		time.Sleep(50 * time.Millisecond)
		wantValue(t, c, "fails", "6")
		must(t, c.Set(ctx, "word", []byte("abc"), 0))
		if _, err := c.Tally(ctx, "word", time.Minute); market.ErrorCode(err) != market.EInternal {
			t.Errorf("Tally of a non-integer: %v, want %s", err, market.EInternal)
		}
	})

	run("TallyConcurrent", func(t *testing.T, c sharedState) {
		parallel(t, 20, func(int) error {
			for range 50 {
				if _, err := c.Tally(ctx, "burst", time.Minute); err != nil {
					return err
				}
			}
			return nil
		})
		wantValue(t, c, "burst", "1000")
	})

	run("IncrConcurrent", func(t *testing.T, c sharedState) {
		parallel(t, 20, func(int) error {
			for range 100 {
				if _, err := c.Incr(ctx, "clicks", 1); err != nil {
					return err
				}
			}
			return nil
		})
		wantValue(t, c, "clicks", "2000")
	})

	run("TakeCounter", func(t *testing.T, c sharedState) {
		if n, err := c.TakeCounter(ctx, "scans"); err != nil || n != 0 {
			t.Fatalf("TakeCounter of an absent counter = %d, %v; want 0", n, err)
		}
		if _, err := c.Incr(ctx, "scans", 3); err != nil {
			t.Fatal(err)
		}
		if n, err := c.TakeCounter(ctx, "scans"); err != nil || n != 3 {
			t.Fatalf("TakeCounter = %d, %v; want 3", n, err)
		}
		if n, err := c.TakeCounter(ctx, "scans"); err != nil || n != 0 {
			t.Fatalf("TakeCounter after taking = %d, %v; want 0", n, err)
		}
		if n, err := c.Incr(ctx, "scans", 1); err != nil || n != 1 {
			t.Fatalf("Incr after taking = %d, %v; want 1", n, err)
		}
	})

	run("TakeCounterLosesNothing", func(t *testing.T, c sharedState) {
		const writers, each = 10, 200
		var taken atomic.Int64
		stop := make(chan struct{})
		var roller sync.WaitGroup
		roller.Add(1)
		go func() {
			defer roller.Done()
			for {
				n, err := c.TakeCounter(ctx, "redemptions")
				if err != nil {
					t.Error(err)
					return
				}
				taken.Add(n)
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
		parallel(t, writers, func(int) error {
			for range each {
				if _, err := c.Incr(ctx, "redemptions", 1); err != nil {
					return err
				}
			}
			return nil
		})
		close(stop)
		roller.Wait()
		n, err := c.TakeCounter(ctx, "redemptions")
		must(t, err)
		if got := taken.Load() + n; got != writers*each {
			t.Errorf("took %d in all, want %d", got, writers*each)
		}
	})

	run("Unique", func(t *testing.T, c sharedState) {
		if n, err := c.CountUnique(ctx, "visitors"); err != nil || n != 0 {
			t.Fatalf("CountUnique of an absent key = %d, %v; want 0", n, err)
		}
		for _, step := range []struct {
			member string
			isNew  bool
		}{{"ada", true}, {"grace", true}, {"ada", false}} {
			if isNew, err := c.AddUnique(ctx, "visitors", step.member); err != nil || isNew != step.isNew {
				t.Fatalf("AddUnique(%q) = %v, %v; want %v", step.member, isNew, err, step.isNew)
			}
		}
		if n, err := c.CountUnique(ctx, "visitors"); err != nil || n != 2 {
			t.Fatalf("CountUnique = %d, %v; want 2", n, err)
		}
		// Redis estimates: within 3% is far beyond its 0.81% error.
		const many = 2000
		for i := range many {
			if _, err := c.AddUnique(ctx, "many", "visitor-"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 { // seen twice, counted once
				if _, err := c.AddUnique(ctx, "many", "visitor-"+strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		n, err := c.CountUnique(ctx, "many")
		must(t, err)
		if n < many*97/100 || n > many*103/100 {
			t.Errorf("CountUnique of %d distinct = %d", many, n)
		}
		must(t, c.Delete(ctx, "many"))
		if n, err := c.CountUnique(ctx, "many"); err != nil || n != 0 {
			t.Errorf("CountUnique after Delete = %d, %v; want 0", n, err)
		}
	})

	run("Allow", func(t *testing.T, c sharedState) {
		const limit, window = 5, 500 * time.Millisecond
		for i := range limit {
			if ok, _, err := c.Allow(ctx, "login:1.2.3.4", limit, window); err != nil || !ok {
				t.Fatalf("request %d of %d refused (%v)", i+1, limit, err)
			}
		}
		ok, retry, err := c.Allow(ctx, "login:1.2.3.4", limit, window)
		must(t, err)
		if ok {
			t.Fatalf("request %d allowed, limit is %d", limit+1, limit)
		}
		// Requests are spaced by window/limit once the burst is spent.
		if retry <= 0 || retry > window/limit+10*time.Millisecond {
			t.Errorf("retry after %v, want up to %v", retry, window/limit)
		}
		if ok, _, err := c.Allow(ctx, "login:5.6.7.8", limit, window); err != nil || !ok {
			t.Errorf("another key refused (%v): limits are per key", err)
		}
		time.Sleep(retry + 20*time.Millisecond)
		if ok, _, err := c.Allow(ctx, "login:1.2.3.4", limit, window); err != nil || !ok {
			t.Errorf("refused after waiting the retry time (%v)", err)
		}
		if ok, _, _ := c.Allow(ctx, "login:1.2.3.4", limit, window); ok {
			t.Errorf("allowed twice after one interval")
		}
		// Deleting the key forgives, as after a successful sign-in.
		must(t, c.Delete(ctx, "login:1.2.3.4"))
		if ok, _, err := c.Allow(ctx, "login:1.2.3.4", limit, window); err != nil || !ok {
			t.Errorf("refused after Delete (%v)", err)
		}
		for _, bad := range []struct {
			limit  int
			window time.Duration
		}{{0, time.Second}, {-1, time.Second}, {1, 0}} {
			if _, _, err := c.Allow(ctx, "bad", bad.limit, bad.window); market.ErrorCode(err) != market.EInternal {
				t.Errorf("Allow(%d per %v): %v, want %s", bad.limit, bad.window, err, market.EInternal)
			}
		}
	})

	run("AllowConcurrent", func(t *testing.T, c sharedState) {
		var allowed atomic.Int32
		parallel(t, 50, func(int) error {
			ok, _, err := c.Allow(ctx, "signup", 10, time.Minute)
			if ok {
				allowed.Add(1)
			}
			return err
		})
		if n := allowed.Load(); n != 10 {
			t.Errorf("%d of 50 concurrent requests allowed, limit 10", n)
		}
	})

	run("PublishSubscribe", func(t *testing.T, c sharedState) {
		feed, unsubscribe, err := c.Subscribe(ctx, "campaign:1")
		must(t, err)
		other, unsubscribeOther, err := c.Subscribe(ctx, "campaign:1")
		must(t, err)
		defer unsubscribeOther()
		elsewhere, unsubscribeElsewhere, err := c.Subscribe(ctx, "campaign:2")
		must(t, err)
		defer unsubscribeElsewhere()

		msgs := []string{"don:10", "don:25", "don:5"}
		for _, m := range msgs {
			must(t, c.Publish(ctx, "campaign:1", []byte(m)))
		}
		for _, ch := range []<-chan []byte{feed, other} {
			for _, want := range msgs {
				if got := receive(t, ch); string(got) != want {
					t.Fatalf("received %q, want %q", got, want)
				}
			}
		}
		select {
		case m := <-elsewhere:
			t.Errorf("a subscriber of another channel received %q", m)
		case <-time.After(50 * time.Millisecond):
		}

		unsubscribe()
		unsubscribe() // twice is harmless
		deadline := time.After(2 * time.Second)
		for open := true; open; {
			select {
			case _, open = <-feed:
			case <-deadline:
				t.Fatal("the channel stayed open after unsubscribing")
			}
		}
		must(t, c.Publish(ctx, "campaign:1", []byte("after")))
		if got := receive(t, other); string(got) != "after" {
			t.Errorf("remaining subscriber received %q, want %q", got, "after")
		}
		must(t, c.Publish(ctx, "nobody-listens", []byte("x")))
	})

	run("PingClose", func(t *testing.T, c sharedState) {
		must(t, c.Ping(ctx))
		feed, _, err := c.Subscribe(ctx, "live")
		must(t, err)
		must(t, c.Close())
		select {
		case _, open := <-feed:
			if open {
				t.Error("a message after Close")
			}
		case <-time.After(2 * time.Second):
			t.Error("Close left a subscription open")
		}
	})
}

// TestRedisUnavailable checks that a Redis nobody answers at gives
// EUnavailable, quickly: a request waiting on it holds a visitor.
func TestRedisUnavailable(t *testing.T) {
	port := testenv.FreePort(t) // nobody listens there
	c, err := cache.NewRedis(fmt.Sprintf("redis://127.0.0.1:%d/0", port), "solidaire:")
	must(t, err)
	defer c.Close()
	ctx := context.Background()
	calls := map[string]func() error{
		"Ping":        func() error { return c.Ping(ctx) },
		"Get":         func() error { _, err := c.Get(ctx, "k"); return err },
		"Set":         func() error { return c.Set(ctx, "k", []byte("v"), 0) },
		"SetNX":       func() error { _, err := c.SetNX(ctx, "k", []byte("v"), 0); return err },
		"Delete":      func() error { return c.Delete(ctx, "k") },
		"Incr":        func() error { _, err := c.Incr(ctx, "k", 1); return err },
		"TakeCounter": func() error { _, err := c.TakeCounter(ctx, "k"); return err },
		"AddUnique":   func() error { _, err := c.AddUnique(ctx, "k", "m"); return err },
		"CountUnique": func() error { _, err := c.CountUnique(ctx, "k"); return err },
		"Allow":       func() error { _, _, err := c.Allow(ctx, "k", 1, time.Second); return err },
		"Publish":     func() error { return c.Publish(ctx, "ch", []byte("m")) },
		"Subscribe":   func() error { _, _, err := c.Subscribe(ctx, "ch"); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := call()
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v to fail", took)
			}
			if market.ErrorCode(err) != market.EUnavailable {
				t.Fatalf("error %v, want code %s", err, market.EUnavailable)
			}
			var e *market.Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Errorf("no human message in %v", err)
			}
		})
	}
}

// TestRedisPrefix checks that the cache keeps to its prefix, so that sites
// and test runs sharing a server do not meet.
func TestRedisPrefix(t *testing.T) {
	url := testenv.RedisURL(t)
	c, err := cache.NewRedis(url, "solidaire:")
	must(t, err)
	defer c.Close()
	ctx := context.Background()
	must(t, c.Set(ctx, "voucher:1", []byte("v"), 0))
	_, err = c.Incr(ctx, "views", 1)
	must(t, err)

	opts, err := redis.ParseURL(url)
	must(t, err)
	raw := redis.NewClient(opts)
	defer raw.Close()
	keys, err := raw.Keys(ctx, "*").Result()
	must(t, err)
	for _, k := range keys {
		if !bytes.HasPrefix([]byte(k), []byte("solidaire:")) {
			t.Errorf("key %q lacks the prefix", k)
		}
	}
	if len(keys) != 2 {
		t.Errorf("keys %v, want 2", keys)
	}
	if _, err := cache.NewRedis("http://example.com", "x:"); market.ErrorCode(err) != market.EInvalid {
		t.Errorf("NewRedis of a bad URL: %v, want %s", err, market.EInvalid)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantValue(t *testing.T, c sharedState, key, want string) {
	t.Helper()
	got, err := c.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if string(got) != want {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

// parallel runs f(0) … f(n-1) at once and fails the test on any error.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- f(i)
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func receive(t *testing.T, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("the channel closed")
		}
		return m
	case <-time.After(2 * time.Second):
		t.Fatal("no message within 2s")
	}
	return nil
}
