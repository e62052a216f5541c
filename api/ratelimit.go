package api

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Limiter counts events per key (cache.Memory, or cache.FallbackLimiter
// around cache.Redis). An error means the limiter is down: keeping limits
// through a Redis outage is the limiter's business, not the handlers'.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error)
}

// Rate is a limit: Count events per Per.
type Rate struct {
	Count int
	Per   time.Duration
}

// Limits are the rate limits of the routes that can be abused.
type Limits struct {
	CheckoutPerIP    Rate
	CheckoutPerBuyer Rate
	LookupsPerIP     Rate
	LookupsPerDevice Rate
	// LoginPerIP counts every sign-in attempt of a source address.
	LoginPerIP Rate
	// LoginPerAccount is how many failed sign-ins one source may make for
	// one account (Count) before that source waits LoginDelay, doubled at
	// each further failure up to Per; failures are forgotten Per after the
	// last. Other sources, such as the owner's own phone, are not held up.
	LoginPerAccount Rate
	// LoginDelay is the first wait of LoginPerAccount (30 s when 0).
	LoginDelay time.Duration
	// LoginCodeAfter is how many failed sign-ins for one account, from
	// every source, make it ask for a one-time code mailed to its address
	// (Count), forgotten Per after the last; a zero Count never asks.
	LoginCodeAfter Rate
}

// DefaultLimits suit a launch day: generous for people behind one mobile
// carrier's address, tight enough that one script cannot sweep a sale.
var DefaultLimits = Limits{
	CheckoutPerIP:    Rate{60, 10 * time.Minute},
	CheckoutPerBuyer: Rate{10, 10 * time.Minute},
	LookupsPerIP:     Rate{300, time.Minute},
	LookupsPerDevice: Rate{120, time.Minute},
	LoginPerIP:       Rate{30, 15 * time.Minute},
	LoginPerAccount:  Rate{5, 15 * time.Minute},
	LoginDelay:       30 * time.Second,
	LoginCodeAfter:   Rate{20, time.Hour},
}

// Scaled returns the limits with every count multiplied by f (at least
// one): a town's launch day behind one carrier's addresses, or a load test,
// may need more than the defaults.
func (l Limits) Scaled(f float64) Limits {
	scale := func(r Rate) Rate {
		r.Count = max(1, int(float64(r.Count)*f))
		return r
	}
	return Limits{CheckoutPerIP: scale(l.CheckoutPerIP), CheckoutPerBuyer: scale(l.CheckoutPerBuyer),
		LookupsPerIP: scale(l.LookupsPerIP), LookupsPerDevice: scale(l.LookupsPerDevice),
		LoginPerIP: scale(l.LoginPerIP), LoginPerAccount: scale(l.LoginPerAccount), LoginDelay: l.LoginDelay,
		LoginCodeAfter: scale(l.LoginCodeAfter)}
}

// limit spends one event of key's budget; ERateLimited with Retry-After when
// it is spent. Without a limiter (nil) nothing is limited. A limiter that
// fails lets the request through, logged: a rate limit must not take the
// sale down with Redis. Keeping limits while Redis is down is the caller's
// to wrap: cmd/solidaire wires cache.FallbackLimiter, which answers from
// in-process counts instead of failing.
func (s *Server) limit(c *gin.Context, key string, r Rate) error {
	if s.cfg.Limiter == nil || r.Count <= 0 {
		return nil
	}
	ok, retry, err := s.cfg.Limiter.Allow(c.Request.Context(), key, r.Count, r.Per)
	if err != nil {
		s.log.WarnContext(c.Request.Context(), "rate limiter unavailable", "err", err)
		return nil
	}
	if ok {
		return nil
	}
	return s.tooSoon(c, retry, "Trop de demandes : réessayez dans %d s.")
}

// tooSoon answers ERateLimited with Retry-After: retry, in whole seconds
// (at least one); message has a %d for them.
func (s *Server) tooSoon(c *gin.Context, retry time.Duration, message string) error {
	secs := int((retry + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	s.metrics.limited.WithLabelValues(c.FullPath()).Inc()
	return &market.Error{Code: market.ERateLimited, Message: fmt.Sprintf(message, secs)}
}
