package cache_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

var _ cache.Limiter = (*cache.FallbackLimiter)(nil)

// TestFallbackLimiter stops the Redis under a FallbackLimiter: limits must
// keep refusing past their count while it is down, from the process's own
// counts, without an error and with one log line; once Redis is back it
// must count again, with one more line.
func TestFallbackLimiter(t *testing.T) {
	rd := testenv.DedicatedRedis(t)
	primary, err := cache.NewRedis(rd.URL(), "test:")
	must(t, err)
	defer primary.Close()
	logs := &levelLog{}
	f := cache.NewFallbackLimiter(primary, cache.NewMemory(), slog.New(logs))
	ctx := context.Background()
	inRedis := func(key string) bool {
		t.Helper()
		opts, err := redis.ParseURL(rd.URL())
		must(t, err)
		c := redis.NewClient(opts)
		defer c.Close()
		n, err := c.Exists(ctx, "test:"+key).Result()
		must(t, err)
		return n == 1
	}
	// three allows three requests per minute under key, and refuses a fourth.
	three := func(key string) {
		t.Helper()
		for i := range 4 {
			ok, retry, err := f.Allow(ctx, key, 3, time.Minute)
			if err != nil {
				t.Fatalf("Allow %s #%d: %v", key, i+1, err)
			}
			if want := i < 3; ok != want {
				t.Fatalf("Allow %s #%d = %v, want %v", key, i+1, ok, want)
			}
			if !ok && retry <= 0 {
				t.Fatalf("Allow %s refused with retry %v", key, retry)
			}
		}
	}

	three("login:up")
	if !inRedis("login:up") {
		t.Fatal("Redis up, yet the limit is not counted there")
	}
	if w, i := logs.count(); w+i != 0 {
		t.Fatalf("%d log lines while Redis answers", w+i)
	}

	rd.Stop(t)
	three("login:down")
	for i := range 50 {
		if _, _, err := f.Allow(ctx, fmt.Sprintf("lookup:%d", i), 10, time.Minute); err != nil {
			t.Fatalf("Allow while Redis is down: %v", err)
		}
	}
	if w, i := logs.count(); w != 1 || i != 0 {
		t.Fatalf("%d warnings and %d infos during the outage, want one warning:\n%s", w, i, logs)
	}
	if !strings.Contains(logs.String(), "in-process limits") {
		t.Errorf("the warning does not say what happens: %s", logs)
	}

	rd.Start(t) // empty: Redis keeps nothing across a restart here
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		if _, _, err := f.Allow(ctx, fmt.Sprintf("probe:%d", i), 10, time.Minute); err != nil {
			t.Fatalf("Allow while Redis comes back: %v", err)
		}
		if _, infos := logs.count(); infos == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis not used again 10 s after it came back:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The process refused a fourth login:down; Redis, which counts again,
	// has seen none yet.
	three("login:down")
	if !inRedis("login:down") {
		t.Fatal("Redis back, yet the limit is not counted there")
	}
	if w, i := logs.count(); w != 1 || i != 1 {
		t.Fatalf("%d warnings and %d infos in all, want one of each:\n%s", w, i, logs)
	}
}

// TestFallbackLimiterNeverUp points the primary at a port nobody listens
// on: the limits hold from the first request.
func TestFallbackLimiterNeverUp(t *testing.T) {
	primary, err := cache.NewRedis(fmt.Sprintf("redis://127.0.0.1:%d/0", testenv.FreePort(t)), "test:")
	must(t, err)
	defer primary.Close()
	logs := &levelLog{}
	f := cache.NewFallbackLimiter(primary, cache.NewMemory(), slog.New(logs))
	ctx := context.Background()
	allowed := 0
	for range 20 {
		ok, _, err := f.Allow(ctx, "login:ip:192.0.2.1", 5, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != 5 {
		t.Errorf("%d of 20 allowed, want 5", allowed)
	}
	if w, i := logs.count(); w != 1 || i != 0 {
		t.Errorf("%d warnings and %d infos, want one warning:\n%s", w, i, logs)
	}
	if _, _, err := f.Allow(ctx, "k", 0, time.Minute); market.ErrorCode(err) != market.EInternal {
		t.Errorf("a limit of 0: %v, want %s", err, market.EInternal)
	}
}

// TestFallbackLimiterProbes checks that a primary that is down is asked
// again about once a second, not on every request, which would each wait
// on it, and that a caller who left does not count as an outage.
func TestFallbackLimiterProbes(t *testing.T) {
	primary := &flakyLimiter{}
	primary.down.Store(true)
	logs := &levelLog{}
	f := cache.NewFallbackLimiter(primary, cache.NewMemory(), slog.New(logs))
	ctx := context.Background()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := f.Allow(cancelled, "k", 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if w, _ := logs.count(); w != 0 {
		t.Fatalf("a cancelled request was taken for an outage:\n%s", logs)
	}

	for range 100 {
		if _, _, err := f.Allow(ctx, "k", 1000, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := primary.calls.Load(); n != 2 { // the cancelled request's and the first
		t.Fatalf("the primary was asked %d times, want 2", n)
	}
	primary.down.Store(false)
	time.Sleep(1100 * time.Millisecond)
	for range 10 {
		if _, _, err := f.Allow(ctx, "k", 1000, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := primary.calls.Load(); n != 12 {
		t.Fatalf("the primary was asked %d times, want 12: once to find it back, then for each request", n)
	}
	if w, i := logs.count(); w != 1 || i != 1 {
		t.Fatalf("%d warnings and %d infos, want one of each:\n%s", w, i, logs)
	}
}

// flakyLimiter allows everything, or fails as a Redis that is down does.
type flakyLimiter struct {
	down  atomic.Bool
	calls atomic.Int64
}

func (l *flakyLimiter) Allow(ctx context.Context, _ string, _ int, _ time.Duration) (bool, time.Duration, error) {
	l.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if l.down.Load() {
		return false, 0, fmt.Errorf("cache: redis allow: dial tcp: connection refused: %w",
			&market.Error{Code: market.EUnavailable, Message: "Service momentanément indisponible."})
	}
	return true, 0, nil
}

// levelLog keeps the log lines, to count them by level.
type levelLog struct {
	mu    sync.Mutex
	lines []slog.Record
}

func (h *levelLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *levelLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.lines = append(h.lines, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *levelLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *levelLog) WithGroup(string) slog.Handler      { return h }

// count returns how many warnings and infos were logged.
func (h *levelLog) count() (warnings, infos int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.lines {
		switch r.Level {
		case slog.LevelWarn:
			warnings++
		case slog.LevelInfo:
			infos++
		}
	}
	return warnings, infos
}

func (h *levelLog) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, r := range h.lines {
		fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s", a)
			return true
		})
		b.WriteByte('\n')
	}
	return b.String()
}
