package market

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults of MailWorker's settings, used where a field is zero.
const (
	DefaultMailBatch       = 10
	DefaultMailLease       = 5 * time.Minute
	DefaultMailMaxAttempts = 10
	DefaultMailInterval    = time.Minute
)

// mailBackoffCap bounds the wait between two attempts at a mail.
const mailBackoffCap = time.Hour

// MailWorker sends the mails of the outbox: it claims due mails, hands each
// to the Mailer, and records the outcome, retrying failures later with a
// growing delay. Several workers, in one instance or many, may share an
// outbox: the lease of ClaimMail keeps them from sending a mail twice.
//
// A Mailer error that has a Permanent() bool method returning true (the
// mail package's, for a recipient refused with a 5xx reply) ends the mail
// at once, as does a failure at the last attempt. Mail.Attempts counts the
// attempts already recorded by MailFailed; the Outbox adds one each time.
type MailWorker struct {
	Outbox Outbox
	// Mailer sends the mails; when nil (no SMTP server configured) the
	// worker sends nothing and the store keeps new mails held.
	Mailer Mailer
	Log    *slog.Logger
	// Batch is how many mails one round claims (DefaultMailBatch).
	Batch int
	// Lease is how long claimed mails stay hidden from other workers
	// (DefaultMailLease); a round stops sending before it runs out.
	Lease time.Duration
	// MaxAttempts is how many attempts a mail gets (DefaultMailMaxAttempts).
	MaxAttempts int
	// Backoff gives the wait after failed attempt n, from 1 (MailBackoff
	// when nil); waits beyond an hour are cut to an hour.
	Backoff func(attempt int) time.Duration
	// Now gives the time retries are counted from (time.Now when nil).
	Now func() time.Time

	kickOnce sync.Once
	kicks    chan struct{}
}

// MailBackoff is the default wait after failed attempt n: about a minute
// after the first, doubling each time up to an hour, with random jitter
// (between half and all of it) so that mails failed together do not all
// come back together.
func MailBackoff(attempt int) time.Duration {
	d := mailBackoffCap
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 7 { // 2^6 minutes already exceeds the cap
		d = min(time.Minute<<(attempt-1), mailBackoffCap)
	}
	return d/2 + rand.N(d/2+1)
}

// Kick asks a running Run to send at once, without waiting for its next
// round: call it after queueing a mail. It never blocks.
func (w *MailWorker) Kick() {
	select {
	case w.kickChan() <- struct{}{}:
	default: // a round is already asked for
	}
}

func (w *MailWorker) kickChan() chan struct{} {
	w.kickOnce.Do(func() { w.kicks = make(chan struct{}, 1) })
	return w.kicks
}

// Run sends due mails every interval (DefaultMailInterval when not
// positive), and at once after Kick, until ctx is done. A full batch is
// followed by another round at once, so that a backlog drains quickly.
func (w *MailWorker) Run(ctx context.Context, every time.Duration) {
	log := w.log()
	if w.Mailer == nil {
		log.InfoContext(ctx, "no SMTP server configured: mails are held, not sent")
		<-ctx.Done()
		return
	}
	if every <= 0 {
		every = DefaultMailInterval
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for ctx.Err() == nil {
		sent, failed, err := w.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "mail outbox", "err", err)
		}
		if err == nil && sent+failed >= w.batch() {
			continue
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		case <-w.kickChan():
		}
	}
}

// SendDue claims a batch of due mails and tries to send each once. It
// returns how many were sent and how many failed (to be retried, or given
// up); err reports a failure of the outbox itself, not of a mail. With no
// Mailer it does nothing.
func (w *MailWorker) SendDue(ctx context.Context) (sent, failed int, err error) {
	if w.Mailer == nil {
		return 0, 0, nil
	}
	lease := w.Lease
	if lease <= 0 {
		lease = DefaultMailLease
	}
	// The round must end before the lease does, or another worker could
	// claim a mail this one is still sending. The lease runs on the real
	// clock, whatever Now says.
	leaseEnd := time.Now().Add(lease - lease/10)
	mails, err := w.Outbox.ClaimMail(ctx, w.batch(), lease)
	if err != nil {
		return 0, 0, err
	}
	roundCtx, cancel := context.WithDeadline(ctx, leaseEnd)
	defer cancel()
	var errs []error
	for _, m := range mails {
		if roundCtx.Err() != nil {
			// The rest stay claimed until their lease passes; then any
			// worker takes them, without counting an attempt.
			break
		}
		ok, err := w.send(roundCtx, m)
		if ok {
			sent++
		} else {
			failed++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return sent, failed, errors.Join(errs...)
}

// send tries m once and records the outcome. It reports whether the mail
// went, and an error when the outcome could not be recorded.
func (w *MailWorker) send(ctx context.Context, m *Mail) (bool, error) {
	log := w.log()
	sendErr := w.Mailer.Send(ctx, m)
	// The outcome is recorded even when ctx has just ended: a sent mail
	// left unmarked would be sent again after the lease.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if sendErr == nil {
		if err := w.Outbox.MailSent(rec, m.ID); err != nil {
			log.ErrorContext(ctx, "mail sent but not marked sent: it will be sent again", "mail", m.ID, "err", err)
			return true, err
		}
		log.InfoContext(ctx, "mail sent", "mail", m.ID, "attempt", m.Attempts+1)
		return true, nil
	}

	attempt := m.Attempts + 1
	final := isPermanentMailError(sendErr) || attempt >= w.maxAttempts()
	backoff := w.Backoff
	if backoff == nil {
		backoff = MailBackoff
	}
	retryAt := w.now().Add(min(backoff(attempt), mailBackoffCap))
	reason := sendErr.Error()
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	if final {
		log.ErrorContext(ctx, "mail given up", "mail", m.ID, "attempt", attempt, "err", sendErr)
	} else {
		log.WarnContext(ctx, "mail not sent, will retry", "mail", m.ID, "attempt", attempt, "retry_at", retryAt, "err", sendErr)
	}
	if err := w.Outbox.MailFailed(rec, m.ID, reason, retryAt, final); err != nil {
		log.ErrorContext(ctx, "mail failure not recorded", "mail", m.ID, "err", err)
		return false, err
	}
	return false, nil
}

// isPermanentMailError reports whether a Mailer said retrying cannot help.
// The interface is matched rather than a type, so that market needs no
// import of the mail package.
func isPermanentMailError(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

func (w *MailWorker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return DefaultMailBatch
}

func (w *MailWorker) maxAttempts() int {
	if w.MaxAttempts > 0 {
		return w.MaxAttempts
	}
	return DefaultMailMaxAttempts
}

func (w *MailWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *MailWorker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
