package social

import (
	"fmt"
	"sync"
	"time"
)

// breaker is a circuit breaker per host: after Failures consecutive failed
// requests to a host, requests to it fail at once for Cooldown, with an
// error that carries the remaining wait; the first request after the
// cooldown is a trial whose success closes the circuit and whose failure
// opens it again for another cooldown.
type breaker struct {
	failures int
	cooldown time.Duration
	now      func() time.Time

	mu    sync.Mutex
	hosts map[string]*circuit
}

type circuit struct {
	failures  int       // consecutive
	openUntil time.Time // zero: closed
	trial     bool      // a trial request is under way (half-open)
}

func newBreaker(failures int, cooldown time.Duration, now func() time.Time) *breaker {
	return &breaker{failures: failures, cooldown: cooldown, now: now, hosts: map[string]*circuit{}}
}

// allow returns nil when a request to host may go, or the error to return
// instead while the circuit is open.
func (b *breaker) allow(host string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.hosts[host]
	if c == nil || c.openUntil.IsZero() {
		return nil
	}
	now := b.now()
	if now.Before(c.openUntil) || c.trial {
		wait := c.openUntil.Sub(now)
		if wait < time.Second {
			wait = time.Second
		}
		return &Error{Host: host, Wait: wait,
			Message: fmt.Sprintf("%s est mis en pause après %d échecs de suite ; nouvel essai dans %s", host, c.failures, frDuration(wait))}
	}
	c.trial = true
	return nil
}

// success closes host's circuit.
func (b *breaker) success(host string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.hosts, host)
}

// release ends a trial that neither succeeded nor failed (the caller gave
// up), so that the next request may try again.
func (b *breaker) release(host string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.hosts[host]; c != nil {
		c.trial = false
	}
}

// failure counts a failed request to host and opens its circuit at the
// threshold (at once again after a failed trial).
func (b *breaker) failure(host string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.hosts[host]
	if c == nil {
		c = &circuit{}
		b.hosts[host] = c
	}
	c.failures++
	if c.trial || c.failures >= b.failures {
		c.openUntil = b.now().Add(b.cooldown)
		c.trial = false
	}
}

// frDuration says d in French, rounded to the second: "45 s", "2 min 5 s".
func frDuration(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	default:
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	}
}
