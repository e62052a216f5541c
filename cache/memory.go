package cache

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// sweepEvery is how often writes also remove every expired entry: entries
// nobody reads again would otherwise stay for ever, one per visitor for
// rate limits.
const sweepEvery = time.Minute

// Memory is the cache of the single binary: its state lives in this process,
// so it is only right when one process serves the site. It is safe for
// concurrent use. The zero value is not usable: call NewMemory.
type Memory struct {
	now func() time.Time // the clock; the sweep's test turns it

	mu        sync.Mutex
	values    map[string]memoryValue         // Set, SetNX, Incr
	limits    map[string]time.Time           // Allow: when the next request is due (GCRA)
	uniques   map[string]map[string]struct{} // AddUnique
	subs      map[string]map[*memorySub]struct{}
	lastSweep time.Time
}

// memoryValue is a stored value and when it expires (zero: never).
type memoryValue struct {
	data    []byte
	expires time.Time
}

// live reports whether v has not expired at now.
func (v memoryValue) live(now time.Time) bool {
	return v.expires.IsZero() || now.Before(v.expires)
}

// memorySub is one Subscribe's channel.
type memorySub struct {
	ch   chan []byte
	once sync.Once
}

// NewMemory returns an empty in-process cache.
func NewMemory() *Memory {
	return &Memory{
		now:     time.Now,
		values:  make(map[string]memoryValue),
		limits:  make(map[string]time.Time),
		uniques: make(map[string]map[string]struct{}),
		subs:    make(map[string]map[*memorySub]struct{}),
	}
}

// sweep removes expired entries at most once per sweepEvery. It runs on
// writes only: without writes nothing new is stored, so memory cannot grow.
// The caller holds m.mu.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.lastSweep) < sweepEvery {
		return
	}
	m.lastSweep = now
	for k, v := range m.values {
		if !v.live(now) {
			delete(m.values, k)
		}
	}
	for k, due := range m.limits {
		if !due.After(now) {
			delete(m.limits, k)
		}
	}
}

// expiry returns when a value stored at now with ttl expires; a ttl of zero
// or less means never.
func expiry(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

// Allow reports whether one more request under key fits in limit per
// window, and if not how long until one does. It is the generic cell rate
// algorithm: requests are spaced by window/limit, with a burst of up to
// limit. A limit below 1 or a window under a millisecond is an EInternal
// error.
func (m *Memory) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if err := checkLimit(limit, window); err != nil {
		return false, 0, err
	}
	interval := window / time.Duration(limit)
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	due := m.limits[key]
	if due.Before(now) {
		due = now
	}
	next := due.Add(interval)
	if allowAt := next.Add(-window); now.Before(allowAt) {
		return false, allowAt.Sub(now), nil
	}
	m.limits[key] = next
	return true, 0, nil
}

// SetNX stores value under key only if the key is absent, and reports
// whether it did: the first of several concurrent callers wins. A ttl of
// zero or less keeps the value until deleted.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	if v, ok := m.values[key]; ok && v.live(now) {
		return false, nil
	}
	m.values[key] = memoryValue{data: clone(value), expires: expiry(now, ttl)}
	return true, nil
}

// Get returns the value under key, or an ENotFound error if it is absent or
// expired.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[key]
	if !ok || !v.live(now) {
		return nil, notFound()
	}
	return clone(v.data), nil
}

// Set stores value under key, replacing any value. A ttl of zero or less
// keeps it until deleted.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	m.values[key] = memoryValue{data: clone(value), expires: expiry(now, ttl)}
	return nil
}

// Delete removes key, whatever it holds (a value, a counter, a rate limit,
// a unique count). Deleting an absent key is not an error.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, key)
	delete(m.limits, key)
	delete(m.uniques, key)
	return nil
}

// Incr adds by to the counter under key, which starts at zero, and returns
// the new count. The counter keeps the expiry it had. A key holding
// something other than an integer is an EInternal error.
func (m *Memory) Incr(_ context.Context, key string, by int64) (int64, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	v, ok := m.values[key]
	if !ok || !v.live(now) {
		v = memoryValue{}
	}
	var n int64
	if v.data != nil {
		var err error
		if n, err = parseCounter(key, v.data); err != nil {
			return 0, err
		}
	}
	n += by
	v.data = strconv.AppendInt(nil, n, 10)
	m.values[key] = v
	return n, nil
}

// Tally adds one to the counter under key and makes it expire ttl from
// now, and returns the new count: a count of recent events (sign-in
// failures) that is forgotten ttl after the last one. A ttl of zero or less
// keeps it until deleted. A key holding something other than an integer is
// an EInternal error.
func (m *Memory) Tally(_ context.Context, key string, ttl time.Duration) (int64, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	var n int64
	if v, ok := m.values[key]; ok && v.live(now) {
		var err error
		if n, err = parseCounter(key, v.data); err != nil {
			return 0, err
		}
	}
	n++
	m.values[key] = memoryValue{data: strconv.AppendInt(nil, n, 10), expires: expiry(now, ttl)}
	return n, nil
}

// TakeCounter returns the counter under key and resets it to zero in the
// same step, so that every increment is counted exactly once by whoever
// rolls counts into the database. An absent counter is zero.
func (m *Memory) TakeCounter(_ context.Context, key string) (int64, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[key]
	delete(m.values, key)
	if !ok || !v.live(now) {
		return 0, nil
	}
	return parseCounter(key, v.data)
}

// AddUnique adds member to the set counted under key and reports whether it
// was new. Memory counts exactly; Redis only estimates (see Redis.AddUnique).
// The set lasts until Delete, which whoever rolls it into the database calls.
func (m *Memory) AddUnique(_ context.Context, key, member string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	set := m.uniques[key]
	if set == nil {
		set = make(map[string]struct{})
		m.uniques[key] = set
	}
	if _, ok := set[member]; ok {
		return false, nil
	}
	set[member] = struct{}{}
	return true, nil
}

// CountUnique returns how many distinct members were added under key.
func (m *Memory) CountUnique(_ context.Context, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.uniques[key])), nil
}

// Publish sends msg to the current subscribers of channel. A subscriber
// that has fallen subscriptionBuffer messages behind misses it.
func (m *Memory) Publish(_ context.Context, channel string, msg []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.subs[channel] {
		select {
		case s.ch <- clone(msg):
		default:
		}
	}
	return nil
}

// Subscribe returns the messages published to channel from now on, and a
// function that ends the subscription and closes the channel.
func (m *Memory) Subscribe(_ context.Context, channel string) (<-chan []byte, func(), error) {
	s := &memorySub{ch: make(chan []byte, subscriptionBuffer)}
	m.mu.Lock()
	if m.subs[channel] == nil {
		m.subs[channel] = make(map[*memorySub]struct{})
	}
	m.subs[channel][s] = struct{}{}
	m.mu.Unlock()
	unsubscribe := func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.unsubscribe(channel, s)
	}
	return s.ch, unsubscribe, nil
}

// unsubscribe ends s; the caller holds m.mu, so no Publish sends on the
// channel it closes.
func (m *Memory) unsubscribe(channel string, s *memorySub) {
	s.once.Do(func() {
		delete(m.subs[channel], s)
		if len(m.subs[channel]) == 0 {
			delete(m.subs, channel)
		}
		close(s.ch)
	})
}

// Ping reports that the cache is there, which in the process it always is.
func (m *Memory) Ping(context.Context) error { return nil }

// Close ends every subscription. The cache stays usable.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for channel, subs := range m.subs {
		for s := range subs {
			m.unsubscribe(channel, s)
		}
	}
	return nil
}

// clone copies b, so that neither the caller nor the cache sees the other's
// later writes to the slice. Empty is stored as empty, which is not absent.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}
