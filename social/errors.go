package social

import (
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Error is a read that failed, said in the organiser's words (French, it is
// shown as the source's last error), with the wait the network asked for,
// if any.
//
// Error() is the French sentence alone, so the poller can store it as is;
// the error also unwraps to a *market.Error (code unavailable or
// rate_limited, same sentence) and to the technical cause, for logs and
// errors.Is.
type Error struct {
	Host    string        // the host that failed
	Message string        // French sentence for the organiser
	Wait    time.Duration // how long the network asked to wait; zero: no wish
	Err     error         // the technical cause, may be nil
}

// Error returns the French sentence.
func (e *Error) Error() string { return e.Message }

// RetryAfter implements market.RetryAfter: the wait the network (or an open
// circuit breaker) asked for. Zero means no wish: the poller backs off on
// its own schedule.
func (e *Error) RetryAfter() time.Duration { return e.Wait }

// Unwrap exposes the domain error (so market.ErrorMessage and
// market.ErrorCode work) and the technical cause.
func (e *Error) Unwrap() []error {
	code := market.EUnavailable
	if e.Wait > 0 {
		code = market.ERateLimited
	}
	errs := []error{&market.Error{Code: code, Message: e.Message}}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

var _ market.RetryAfter = (*Error)(nil)
