package api

import (
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"
)

// microcache keeps rendered public catalogue responses for a second. A
// shared link can bring thousands of phones to the same listing within
// seconds; one query per key per second serves them all, and concurrent
// misses for a key wait for one query (singleflight). A catalogue answer may
// thus be up to ttl old, on every instance; nothing that moves money reads
// from it.
type microcache struct {
	ttl     time.Duration
	max     int
	mu      sync.Mutex
	entries map[string]cached
	group   singleflight.Group
}

type cached struct {
	body    []byte
	status  int
	expires time.Time
}

func newMicrocache(ttl time.Duration, max int) *microcache {
	return &microcache{ttl: ttl, max: max, entries: make(map[string]cached)}
}

// serve answers from the cache when it can, and otherwise renders with fn
// (which returns the status and JSON value) and keeps the bytes. Errors are
// not cached.
func (m *microcache) serve(c *gin.Context, key string, fn func() (int, any, error)) error {
	if m == nil || m.ttl <= 0 {
		status, v, err := fn()
		if err != nil {
			return err
		}
		c.JSON(status, v)
		return nil
	}
	now := time.Now()
	m.mu.Lock()
	e, ok := m.entries[key]
	m.mu.Unlock()
	if !ok || now.After(e.expires) {
		v, err, _ := m.group.Do(key, func() (any, error) {
			status, v, err := fn()
			if err != nil {
				return nil, err
			}
			body, err := marshal(v)
			if err != nil {
				return nil, err
			}
			e := cached{body: body, status: status, expires: time.Now().Add(m.ttl)}
			m.store(key, e)
			return e, nil
		})
		if err != nil {
			return err
		}
		e = v.(cached)
	}
	c.Data(e.status, "application/json; charset=utf-8", e.body)
	return nil
}

// store keeps e, first dropping expired entries when the cache is full, and
// everything when that is not enough: free-text queries must not grow it
// without bound.
func (m *microcache) store(key string, e cached) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= m.max {
		now := time.Now()
		for k, v := range m.entries {
			if now.After(v.expires) {
				delete(m.entries, k)
			}
		}
		if len(m.entries) >= m.max {
			clear(m.entries)
		}
	}
	m.entries[key] = e
}

// clear drops every entry: the catalogue changed.
func (m *microcache) clear() {
	if m == nil {
		return
	}
	m.mu.Lock()
	clear(m.entries)
	m.mu.Unlock()
}
