// Package cache is the shared state of the servers: rate limits, one-shot
// tokens, counters rolled into the database later, unique visitor counts and
// live feeds. Memory keeps it in the process, for the single binary; Redis
// keeps it in a Redis server, for several processes behind one site. Both
// have the same methods and pass the same conformance tests; consumers
// declare the interface they need with the methods they call. A key holds
// one kind of thing (a value or counter, a rate limit, a unique count), and
// Delete removes whichever it is.
package cache

import (
	"strconv"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// subscriptionBuffer is how many messages a live-feed subscriber may fall
// behind before messages are lost: feeds are best effort, and a slow reader
// must never hold up the publisher.
const subscriptionBuffer = 64

// notFound is the error of Get for a key that is absent or expired.
func notFound() error {
	return &market.Error{Code: market.ENotFound, Message: "Entrée introuvable ou expirée."}
}

// notCounter is the error of Incr and TakeCounter for a key that holds
// something other than an integer: a bug in the caller's choice of keys.
func notCounter(key string) error {
	return market.Errorf(market.EInternal, "cache: %q does not hold an integer", key)
}

// checkLimit refuses rate limits that allow nothing or cannot be measured,
// which are bugs in the caller.
func checkLimit(limit int, window time.Duration) error {
	if limit < 1 || window < time.Millisecond {
		return market.Errorf(market.EInternal, "cache: rate limit of %d per %v", limit, window)
	}
	return nil
}

// parseCounter reads a counter stored as Redis stores integers: in decimal.
func parseCounter(key string, value []byte) (int64, error) {
	n, err := strconv.ParseInt(string(value), 10, 64)
	if err != nil {
		return 0, notCounter(key)
	}
	return n, nil
}
