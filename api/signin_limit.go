package api

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Counters keep the sign-in failures in the shared cache (cache.Memory, or
// cache.Redis so that every instance sees them).
type Counters interface {
	Tally(ctx context.Context, key string, ttl time.Duration) (int64, error)
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	Delete(ctx context.Context, key string) error
}

// maxWrongCodes is how many wrong one-time codes an account takes while
// its codes live (SignInCodeTTL); then it takes none until they have
// expired. Only someone who knows the password reaches the code, so this
// cannot lock the owner out unless the password is known to another.
const maxWrongCodes = 5

// signInAttempt is one sign-in's place in the failure counts: failures
// are counted per account and source address, where they make that source
// wait (LoginPerAccount, LoginDelay), and per account from every source,
// where they make the account ask for a mailed code (LoginCodeAfter).
// Counting per source rather than per account alone is what keeps the
// real owner, on their own phone, signing in while someone else guesses.
type signInAttempt struct {
	s *Server
	// failures, wait, account and codes are the cache keys: this source's
	// failures for the account and how long it waits; the account's
	// failures from every source; its wrong codes.
	failures, wait, account, codes string
	n                              int64 // this attempt among the source's recent failures for the account
	codeRequired                   bool
}

// signInAttempt starts a sign-in for email: ERateLimited with Retry-After
// while this source waits for this account. Without counters nothing is
// counted; when the cache fails, the attempt goes on, logged (the
// per-address limit stays, see FallbackLimiter).
func (s *Server) signInAttempt(c *gin.Context, email string) (*signInAttempt, error) {
	// Keys carry a hash of the address, not the address.
	who := market.HashToken(strings.ToLower(strings.TrimSpace(email)))[:32]
	a := &signInAttempt{s: s, failures: "signin:fail:" + who + ":" + c.ClientIP(), wait: "signin:wait:" + who + ":" + c.ClientIP(),
		account: "signin:account:" + who, codes: "signin:codes:" + who}
	lim := s.cfg.Limits
	if s.cfg.Counters == nil {
		return a, nil
	}
	ctx := c.Request.Context()
	if lim.LoginCodeAfter.Count > 0 {
		n, err := a.count(ctx, a.account)
		a.codeRequired = err == nil && n >= int64(lim.LoginCodeAfter.Count)
	}
	if lim.LoginPerAccount.Count <= 0 {
		return a, nil
	}
	if left := a.waiting(ctx); left > 0 {
		return nil, s.tooSoon(c, left, "Trop d'essais depuis cet appareil : réessayez dans %d s.")
	}
	n, err := s.cfg.Counters.Tally(ctx, a.failures, lim.LoginPerAccount.Per)
	if err != nil {
		s.log.WarnContext(ctx, "sign-in counters unavailable", "err", err)
		return a, nil
	}
	a.n = n
	if n > int64(lim.LoginPerAccount.Count) {
		// Past the free tries, one attempt at a time: the first to set the
		// wait goes on (if it fails, the wait it set stands), the others
		// sent at the same moment wait with it.
		d := a.delay()
		ok, err := s.cfg.Counters.SetNX(ctx, a.wait, until(d), d)
		if err == nil && !ok {
			return nil, s.tooSoon(c, max(a.waiting(ctx), time.Second), "Trop d'essais depuis cet appareil : réessayez dans %d s.")
		}
	}
	return a, nil
}

// codesSpent reports whether the account took maxWrongCodes wrong codes
// while they live.
func (a *signInAttempt) codesSpent(ctx context.Context) bool {
	if a.s.cfg.Counters == nil {
		return false
	}
	n, _ := a.count(ctx, a.codes)
	return n >= maxWrongCodes
}

// failed records a wrong email, password or code: the source waits once
// it has had its free tries, and the account counts one more failure.
// wrongCode is true when the password was right but the code was not.
func (a *signInAttempt) failed(ctx context.Context, wrongCode bool) {
	s, lim := a.s, a.s.cfg.Limits
	if s.cfg.Counters == nil {
		return
	}
	if lim.LoginPerAccount.Count > 0 && a.n == int64(lim.LoginPerAccount.Count) {
		d := a.delay()
		a.warn(ctx, s.cfg.Counters.Set(ctx, a.wait, until(d), d))
	}
	if lim.LoginCodeAfter.Count > 0 {
		_, err := s.cfg.Counters.Tally(ctx, a.account, lim.LoginCodeAfter.Per)
		a.warn(ctx, err)
	}
	if wrongCode {
		_, err := s.cfg.Counters.Tally(ctx, a.codes, market.SignInCodeTTL)
		a.warn(ctx, err)
	}
}

// succeeded forgets this source's failures for the account. The account's
// own count stays: it fades on its own, and while an attack goes on the
// account keeps asking for a code.
func (a *signInAttempt) succeeded(ctx context.Context) {
	if c := a.s.cfg.Counters; c != nil {
		a.warn(ctx, c.Delete(ctx, a.failures))
		a.warn(ctx, c.Delete(ctx, a.wait))
	}
}

// delay is how long the source waits after this attempt fails: LoginDelay
// at the last free try, doubled at each further failure, at most
// LoginPerAccount.Per.
func (a *signInAttempt) delay() time.Duration {
	lim := a.s.cfg.Limits
	d, limit := lim.LoginDelay, lim.LoginPerAccount.Per
	if d <= 0 {
		d = DefaultLimits.LoginDelay
	}
	for i := int64(lim.LoginPerAccount.Count); i < a.n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// waiting is how long this source still waits for this account.
func (a *signInAttempt) waiting(ctx context.Context) time.Duration {
	b, err := a.s.cfg.Counters.Get(ctx, a.wait)
	if err != nil {
		if market.ErrorCode(err) != market.ENotFound {
			a.warn(ctx, err)
		}
		return 0
	}
	ms, _ := strconv.ParseInt(string(b), 10, 64)
	return time.Until(time.UnixMilli(ms))
}

// count reads a counter; an absent one is zero.
func (a *signInAttempt) count(ctx context.Context, key string) (int64, error) {
	b, err := a.s.cfg.Counters.Get(ctx, key)
	if market.ErrorCode(err) == market.ENotFound {
		return 0, nil
	}
	if err != nil {
		a.warn(ctx, err)
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

func (a *signInAttempt) warn(ctx context.Context, err error) {
	if err != nil {
		a.s.log.WarnContext(ctx, "sign-in counters unavailable", "err", err)
	}
}

// until is the stored form of the end of a wait d from now.
func until(d time.Duration) []byte {
	return strconv.AppendInt(nil, time.Now().Add(d).UnixMilli(), 10)
}
