package market

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Counter is the shared-state part of click counting (cache.Redis, or
// cache.Memory for the single binary).
type Counter interface {
	Incr(ctx context.Context, key string, by int64) (int64, error)
	TakeCounter(ctx context.Context, key string) (int64, error)
	AddUnique(ctx context.Context, key, member string) (bool, error)
}

// ClickCounter counts share-link clicks off the redirect's path: Record
// never waits on Redis or the database. A worker applies clicks to the
// shared counters (in-process ones when Redis is down) and rolls them up
// into the database every few seconds and on shutdown, so nothing counted
// is lost on a restart.
type ClickCounter struct {
	Shared Counter
	Local  Counter // used when Shared fails
	Store  StatsStore
	Log    *slog.Logger

	once    sync.Once
	clicks  chan Click
	mu      sync.Mutex
	dirty   map[string]bool // "code|day" with counts not yet rolled up
	dropped int64
}

func (c *ClickCounter) init() {
	c.once.Do(func() {
		c.clicks = make(chan Click, 65536)
		c.dirty = map[string]bool{}
	})
}

// Record queues a click; it reports false (and the click is dropped) only
// when the queue is full, which a redirect must not wait for.
func (c *ClickCounter) Record(cl Click) bool {
	c.init()
	select {
	case c.clicks <- cl:
		return true
	default:
		c.mu.Lock()
		c.dropped++
		c.mu.Unlock()
		return false
	}
}

// Run applies queued clicks and rolls the counts up every interval until
// ctx is done, then drains the queue and rolls up one last time.
func (c *ClickCounter) Run(ctx context.Context, every time.Duration) {
	c.init()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case cl := <-c.clicks:
			c.apply(ctx, cl)
		case <-t.C:
			c.RollUp(ctx)
		case <-ctx.Done():
			final := context.WithoutCancel(ctx)
			c.Flush(final)
			c.RollUp(final)
			return
		}
	}
}

// Flush applies every queued click now; tests and shutdown use it.
func (c *ClickCounter) Flush(ctx context.Context) {
	c.init()
	for {
		select {
		case cl := <-c.clicks:
			c.apply(ctx, cl)
		default:
			return
		}
	}
}

func (c *ClickCounter) apply(ctx context.Context, cl Click) {
	key := cl.Code + "|" + cl.Day
	if err := c.count(ctx, c.Shared, cl); err != nil {
		if c.Log != nil {
			c.Log.WarnContext(ctx, "click counted in process: shared counter unavailable", "err", err)
		}
		c.count(ctx, c.Local, cl)
	}
	c.mu.Lock()
	c.dirty[key] = true
	c.mu.Unlock()
}

func (c *ClickCounter) count(ctx context.Context, k Counter, cl Click) error {
	if k == nil {
		return Errorf(EUnavailable, "no counter")
	}
	if _, err := k.Incr(ctx, "clicks:"+cl.Code+":"+cl.Day, 1); err != nil {
		return err
	}
	if cl.Visitor == "" {
		return nil
	}
	isNew, err := k.AddUnique(ctx, "visitors:"+cl.Code+":"+cl.Day, cl.Visitor)
	if err != nil || !isNew {
		return err
	}
	_, err = k.Incr(ctx, "uniq:"+cl.Code+":"+cl.Day, 1)
	return err
}

// RollUp moves the counts into the database: taken from the counters
// atomically, added to the link's day, and given back to the counters if
// the database refuses, so a count is never lost nor added twice.
func (c *ClickCounter) RollUp(ctx context.Context) {
	c.init()
	c.mu.Lock()
	keys := make([]string, 0, len(c.dirty))
	for k := range c.dirty {
		keys = append(keys, k)
	}
	clear(c.dirty)
	c.mu.Unlock()
	for _, key := range keys {
		code, day, _ := strings.Cut(key, "|")
		var clicks, visitors int64
		for _, k := range []Counter{c.Shared, c.Local} {
			if k == nil {
				continue
			}
			n, _ := k.TakeCounter(ctx, "clicks:"+code+":"+day)
			v, _ := k.TakeCounter(ctx, "uniq:"+code+":"+day)
			clicks, visitors = clicks+n, visitors+v
		}
		if clicks == 0 && visitors == 0 {
			continue
		}
		if err := c.Store.AddLinkStats(ctx, code, day, clicks, visitors); err != nil {
			if c.Log != nil {
				c.Log.ErrorContext(ctx, "roll-up of link counts", "code", code, "err", err)
			}
			back := c.Local
			if _, err := c.Shared.Incr(ctx, "clicks:"+code+":"+day, clicks); err == nil {
				back = c.Shared
				c.Shared.Incr(ctx, "uniq:"+code+":"+day, visitors)
			} else {
				back.Incr(ctx, "clicks:"+code+":"+day, clicks)
				back.Incr(ctx, "uniq:"+code+":"+day, visitors)
			}
			c.mu.Lock()
			c.dirty[key] = true
			c.mu.Unlock()
		}
	}
}
