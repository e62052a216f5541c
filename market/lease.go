package market

import (
	"context"
	"log/slog"
	"time"
)

// Leaser grants named leases in the database: the background passes
// (reconciliation, refunds, the cancellation passes, purges) run on one
// instance at a time, whatever the number of instances.
type Leaser interface {
	// TakeLease gives the lease name to holder until until, if it is free,
	// expired, or already holder's; it reports whether holder has it.
	TakeLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error)
	// DropLease frees a lease holder has, so that another instance may take
	// it at once (a clean shutdown).
	DropLease(ctx context.Context, name, holder string) error
}

// Pass is background work that one instance at a time runs, every Every
// and whenever kicked: each round takes (or renews) the lease, runs, and
// logs a failure without stopping. Steps put off the items that fail (the
// backoff is recorded on each item), so one bad item never stops a pass.
type Pass struct {
	Name   string
	Leases Leaser
	Holder string // this instance
	Every  time.Duration
	Run    func(ctx context.Context) error
	Log    *slog.Logger
	Now    func() time.Time
}

func (p *Pass) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Round runs the pass once if this instance holds (or can take) the lease;
// it reports whether it ran.
func (p *Pass) Round(ctx context.Context) (bool, error) {
	now := p.now()
	// The lease outlives a round comfortably; a crashed holder's lease
	// lapses after it.
	ttl := max(3*p.Every, 2*time.Minute)
	ok, err := p.Leases.TakeLease(ctx, p.Name, p.Holder, now.Add(ttl), now)
	if err != nil || !ok {
		return false, err
	}
	return true, p.Run(ctx)
}

// Loop runs rounds until ctx is done, then frees the lease; kick (may be
// nil) asks for a round at once.
func (p *Pass) Loop(ctx context.Context, kick <-chan struct{}) {
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(p.Every)
	defer t.Stop()
	defer func() {
		// The database is still open: the app waits for its passes.
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := p.Leases.DropLease(c, p.Name, p.Holder); err != nil {
			log.Warn("dropping a lease", "pass", p.Name, "err", err)
		}
	}()
	for {
		if _, err := p.Round(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "background pass", "pass", p.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
	}
}
