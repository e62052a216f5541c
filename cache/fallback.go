package cache

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Limiter counts events per key: Redis and Memory are both one, and so is
// FallbackLimiter, which asks two of them.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error)
}

// fallbackRetry is how often a FallbackLimiter whose primary is down tries
// it again: one request per interval waits on it, the others are answered
// locally at once.
const fallbackRetry = time.Second

// FallbackLimiter is the rate limiter of processes that share a Redis: it
// asks the primary (Redis), and when that fails answers from the local
// in-process limiter (a Memory) instead, so that a Redis outage makes the
// limits per process rather than switching them off. It logs once when it
// falls back and once when the primary answers again, never per request.
// While the primary is down it is tried again at most once a second. The
// local limiter starts each key's count afresh and forgets it when the
// primary is back. Allow never returns the primary's error; only EInternal
// for a limit below 1 or a window under a millisecond. It is safe for
// concurrent use. Build it with NewFallbackLimiter.
type FallbackLimiter struct {
	primary, local Limiter
	log            *slog.Logger

	mu      sync.Mutex
	down    bool      // the primary failed last
	changed time.Time // when down last changed
	retryAt time.Time // while down: when to ask the primary again
}

// NewFallbackLimiter returns a limiter that asks primary, and local while
// primary fails. log receives the fallback and the recovery (slog.Default
// when nil).
func NewFallbackLimiter(primary, local Limiter, log *slog.Logger) *FallbackLimiter {
	if log == nil {
		log = slog.Default()
	}
	return &FallbackLimiter{primary: primary, local: local, log: log}
}

// Allow reports whether one more request under key fits in limit per
// window, and if not how long until one does: the primary's answer, or
// while it fails the local limiter's.
func (f *FallbackLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if err := checkLimit(limit, window); err != nil {
		return false, 0, err
	}
	if start, ok := f.tryPrimary(); ok {
		allowed, retry, err := f.primary.Allow(ctx, key, limit, window)
		// A caller who left says nothing of the primary's health.
		if err == nil || ctx.Err() == nil {
			f.settle(ctx, start, err)
		}
		if err == nil {
			return allowed, retry, nil
		}
	}
	return f.local.Allow(ctx, key, limit, window)
}

// tryPrimary reports whether to ask the primary now, and when the asking
// starts: always while it answers; while it is down, once per
// fallbackRetry.
func (f *FallbackLimiter) tryPrimary() (time.Time, bool) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.down {
		return now, true
	}
	if now.Before(f.retryAt) {
		return now, false
	}
	f.retryAt = now.Add(fallbackRetry)
	return now, true
}

// settle records the outcome of a call to the primary started at start,
// logging a change of state. An outcome older than the last change is
// ignored: a request sent before the outage that is answered after it
// proves nothing, nor one that failed before the recovery.
func (f *FallbackLimiter) settle(ctx context.Context, start time.Time, err error) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if start.Before(f.changed) {
		return
	}
	switch {
	case err != nil && !f.down:
		f.down, f.changed, f.retryAt = true, now, now.Add(fallbackRetry)
		f.log.WarnContext(ctx, "rate limiter: Redis unavailable, in-process limits until it answers", "err", err)
	case err != nil:
		f.retryAt = now.Add(fallbackRetry)
	case f.down:
		down := now.Sub(f.changed)
		f.down, f.changed = false, now
		f.log.InfoContext(ctx, "rate limiter: Redis answers again, shared limits are back", "down_for", down.Round(time.Millisecond))
	}
}
