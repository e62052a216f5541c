package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/solidaire-app/solidaire/market"
)

// Redis is the cache shared by several processes serving one site, kept in
// a Redis server (version 6.2 or later). Every key and channel name is
// prefixed, so that several sites or test runs can share a server. Errors
// reaching Redis wrap a *market.Error with code EUnavailable (see
// market.ErrorCode), and keep the cause for the log. It is safe for
// concurrent use.
type Redis struct {
	client *redis.Client
	prefix string

	mu   sync.Mutex
	subs map[*redisSub]struct{} // ended by Close
}

// redisSub is one Subscribe's connection.
type redisSub struct {
	pubsub *redis.PubSub
	once   sync.Once
}

// NewRedis returns a cache on the Redis server at url
// (redis://[user:password@]host:port/db, or rediss:// for TLS), with prefix
// (such as "solidaire:") before every key. It does not connect: Ping does.
// An unparsable url is an EInvalid error.
func NewRedis(url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, &market.Error{Code: market.EInvalid, Message: "Adresse Redis invalide.", Fields: map[string]string{"url": err.Error()}}
	}
	// A request waiting on a Redis that is down holds a visitor: fail within
	// about a second, unless the URL says otherwise (dial_timeout=...).
	if opts.DialTimeout == 0 {
		opts.DialTimeout = time.Second
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1
	}
	return &Redis{client: redis.NewClient(opts), prefix: prefix, subs: make(map[*redisSub]struct{})}, nil
}

// unavailable translates an error from the Redis client: a reply from the
// server other than "try later" is a bug in our use of it (EInternal);
// anything else means Redis cannot be reached (EUnavailable).
func unavailable(op string, err error) error {
	if err == nil {
		return nil
	}
	var reply redis.Error
	if errors.As(err, &reply) && !transient(reply.Error()) {
		return market.Errorf(market.EInternal, "cache: redis %s: %v", op, err)
	}
	return fmt.Errorf("cache: redis %s: %v: %w", op, err, &market.Error{
		Code:    market.EUnavailable,
		Message: "Service momentanément indisponible, réessayez dans un instant.",
	})
}

// transient reports whether a Redis error reply means "not now" rather than
// "never": loading, failing over, busy with a script.
func transient(reply string) bool {
	for _, prefix := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY"} {
		if strings.HasPrefix(reply, prefix) {
			return true
		}
	}
	return false
}

// allowScript is the generic cell rate algorithm of Memory.Allow, run in
// Redis so that checking and recording a request is one step for every
// process, on Redis's clock so that theirs need not agree. KEYS[1] holds
// when the next request is due, in microseconds; ARGV are the limit and the
// window in microseconds. It returns {allowed, microseconds to wait}.
var allowScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local due = tonumber(redis.call('GET', KEYS[1]) or now)
if due < now then due = now end
local nextdue = due + window / limit
local allowat = nextdue - window
if now < allowat then
	return {0, math.ceil(allowat - now)}
end
redis.call('SET', KEYS[1], string.format('%.0f', nextdue), 'PX', math.ceil((nextdue - now) / 1000))
return {1, 0}
`)

// Allow reports whether one more request under key fits in limit per
// window, and if not how long until one does. It is the generic cell rate
// algorithm: requests are spaced by window/limit, with a burst of up to
// limit. A limit below 1 or a window under a millisecond is an EInternal
// error.
func (r *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if err := checkLimit(limit, window); err != nil {
		return false, 0, err
	}
	res, err := allowScript.Run(ctx, r.client, []string{r.prefix + key}, limit, window.Microseconds()).Int64Slice()
	if err != nil {
		return false, 0, unavailable("allow", err)
	}
	if len(res) != 2 {
		return false, 0, market.Errorf(market.EInternal, "cache: redis allow: reply %v", res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}

// SetNX stores value under key only if the key is absent, and reports
// whether it did: the first of several concurrent callers wins. A ttl of
// zero or less keeps the value until deleted.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := r.client.SetNX(ctx, r.prefix+key, value, max(ttl, 0)).Result()
	return ok, unavailable("setnx", err)
}

// Get returns the value under key, or an ENotFound error if it is absent or
// expired.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, notFound()
	}
	if err != nil {
		return nil, unavailable("get", err)
	}
	return b, nil
}

// Set stores value under key, replacing any value. A ttl of zero or less
// keeps it until deleted.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return unavailable("set", r.client.Set(ctx, r.prefix+key, value, max(ttl, 0)).Err())
}

// Delete removes key, whatever it holds (a value, a counter, a rate limit,
// a unique count). Deleting an absent key is not an error.
func (r *Redis) Delete(ctx context.Context, key string) error {
	return unavailable("delete", r.client.Del(ctx, r.prefix+key).Err())
}

// Incr adds by to the counter under key, which starts at zero, and returns
// the new count. The counter keeps the expiry it had. A key holding
// something other than an integer is an EInternal error.
func (r *Redis) Incr(ctx context.Context, key string, by int64) (int64, error) {
	n, err := r.client.IncrBy(ctx, r.prefix+key, by).Result()
	if err != nil {
		var reply redis.Error
		if errors.As(err, &reply) && !transient(reply.Error()) {
			return 0, notCounter(key)
		}
		return 0, unavailable("incr", err)
	}
	return n, nil
}

// tallyScript adds one to a counter and sets its expiry, in one step: a
// counter left without expiry by a failure between the two would count
// for ever.
var tallyScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if tonumber(ARGV[1]) > 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
else
	redis.call('PERSIST', KEYS[1])
end
return n
`)

// Tally adds one to the counter under key and makes it expire ttl from
// now, and returns the new count: a count of recent events (sign-in
// failures) that is forgotten ttl after the last one. A ttl of zero or less
// keeps it until deleted. A key holding something other than an integer is
// an EInternal error.
func (r *Redis) Tally(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	ms := int64(0)
	if ttl > 0 {
		ms = max(ttl.Milliseconds(), 1)
	}
	n, err := tallyScript.Run(ctx, r.client, []string{r.prefix + key}, ms).Int64()
	if err != nil {
		var reply redis.Error
		if errors.As(err, &reply) && !transient(reply.Error()) {
			return 0, notCounter(key)
		}
		return 0, unavailable("tally", err)
	}
	return n, nil
}

// TakeCounter returns the counter under key and resets it to zero in the
// same step (GETDEL), so that every increment is counted exactly once by
// whoever rolls counts into the database. An absent counter is zero.
func (r *Redis) TakeCounter(ctx context.Context, key string) (int64, error) {
	b, err := r.client.GetDel(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable("takecounter", err)
	}
	return parseCounter(key, b)
}

// AddUnique adds member to the HyperLogLog under key and reports whether
// its estimate changed, which means the member was new; a new member may
// leave the estimate as it was and be reported as seen. The key lasts until
// Delete, which whoever rolls it into the database calls.
func (r *Redis) AddUnique(ctx context.Context, key, member string) (bool, error) {
	n, err := r.client.PFAdd(ctx, r.prefix+key, member).Result()
	return n == 1, unavailable("addunique", err)
}

// CountUnique returns the estimated number of distinct members added under
// key, within about 1% (HyperLogLog's standard error is 0.81%).
func (r *Redis) CountUnique(ctx context.Context, key string) (int64, error) {
	n, err := r.client.PFCount(ctx, r.prefix+key).Result()
	return n, unavailable("countunique", err)
}

// Publish sends msg to the current subscribers of channel, in every process.
func (r *Redis) Publish(ctx context.Context, channel string, msg []byte) error {
	return unavailable("publish", r.client.Publish(ctx, r.prefix+channel, msg).Err())
}

// Subscribe returns the messages published to channel from now on (the
// subscription is confirmed before it returns), and a function that ends
// the subscription and closes the channel. A subscriber that has fallen
// subscriptionBuffer messages behind misses messages, and so does one whose
// connection is being re-established after a failure: feeds are best effort.
func (r *Redis) Subscribe(ctx context.Context, channel string) (<-chan []byte, func(), error) {
	ps := r.client.Subscribe(ctx, r.prefix+channel)
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		return nil, nil, unavailable("subscribe", err)
	}
	s := &redisSub{pubsub: ps}
	r.mu.Lock()
	r.subs[s] = struct{}{}
	r.mu.Unlock()

	in := ps.Channel(redis.WithChannelSize(subscriptionBuffer))
	out := make(chan []byte, subscriptionBuffer)
	go func() {
		// As in Memory, a subscriber that has fallen behind misses
		// messages rather than holding up the connection's reader.
		defer close(out)
		for m := range in {
			select {
			case out <- []byte(m.Payload):
			default:
			}
		}
	}()
	unsubscribe := func() {
		r.mu.Lock()
		delete(r.subs, s)
		r.mu.Unlock()
		s.end()
	}
	return out, unsubscribe, nil
}

// end closes the subscription's connection, which closes its channel.
func (s *redisSub) end() {
	s.once.Do(func() { _ = s.pubsub.Close() })
}

// Ping checks that Redis answers; an EUnavailable error says it does not.
func (r *Redis) Ping(ctx context.Context) error {
	return unavailable("ping", r.client.Ping(ctx).Err())
}

// Close ends every subscription and closes the connections to Redis.
func (r *Redis) Close() error {
	r.mu.Lock()
	subs := r.subs
	r.subs = make(map[*redisSub]struct{})
	r.mu.Unlock()
	for s := range subs {
		s.end()
	}
	return r.client.Close()
}
