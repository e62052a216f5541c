package market_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
)

// mailClock is a test clock that moves only when told.
type mailClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *mailClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *mailClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mailOutbox is an in-memory Outbox that keeps the store's contract: a
// claimed mail is hidden until its lease passes or its outcome is
// recorded; MailFailed counts an attempt and sets the next one.
type mailOutbox struct {
	mu     sync.Mutex
	now    func() time.Time
	order  []string
	mails  map[string]*market.Mail
	leases map[string]time.Time
	claims int
	// failSent, when set, is the error of MailSent.
	failSent error
}

func newMailOutbox(now func() time.Time) *mailOutbox {
	return &mailOutbox{now: now, mails: map[string]*market.Mail{}, leases: map[string]time.Time{}}
}

func (o *mailOutbox) add(m *market.Mail) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m.Status, m.CreatedAt, m.NextAttempt = market.MailPending, o.now(), o.now()
	o.order = append(o.order, m.ID)
	o.mails[m.ID] = m
}

func (o *mailOutbox) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]*market.Mail, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.claims++
	now := o.now()
	var out []*market.Mail
	for _, id := range o.order {
		m := o.mails[id]
		if len(out) == n {
			break
		}
		if m.Status != market.MailPending || m.NextAttempt.After(now) || o.leases[id].After(now) {
			continue
		}
		o.leases[id] = now.Add(lease)
		c := *m
		c.Attachments = append([]market.Attachment(nil), m.Attachments...)
		out = append(out, &c)
	}
	return out, nil
}

func (o *mailOutbox) MailSent(ctx context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failSent != nil {
		return o.failSent
	}
	m := o.mails[id]
	m.Status, m.SentAt = market.MailSent, o.now()
	delete(o.leases, id)
	return nil
}

func (o *mailOutbox) MailFailed(ctx context.Context, id, reason string, retryAt time.Time, final bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.mails[id]
	m.Attempts++
	m.LastError, m.NextAttempt = reason, retryAt
	if final {
		m.Status = market.MailFailed
	}
	delete(o.leases, id)
	return nil
}

func (o *mailOutbox) get(id string) market.Mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.mails[id]
}

func (o *mailOutbox) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range o.mails {
		if m.Status == market.MailPending {
			n++
		}
	}
	return n
}

// mailSender is the real SMTP sender, pointed at sink in clear.
func mailSender(t *testing.T, sink *testenv.SMTPSink) *mail.SMTP {
	t.Helper()
	host, port, _ := net.SplitHostPort(sink.Addr())
	cfg, err := mail.ParseSMTPURL("smtp://" + host + ":" + port + "?tls=none&timeout=5s&from=Solidaire%20%3Cbonjour@solidaire.example%3E")
	if err != nil {
		t.Fatal(err)
	}
	return &mail.SMTP{Config: cfg}
}

// voucherMail is a real voucher mail, as fulfilment queues it.
func voucherMail(t *testing.T, to string) *market.Mail {
	t.Helper()
	v := &market.Voucher{Code: market.NewCode(), MerchantName: "Café Névé", Initial: 2500, Balance: 2500, Currency: market.CAD}
	m, err := mail.Composer{BaseURL: "https://solidaire.example"}.VoucherIssued(v, to, "Marie", "fr")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mailTest is a worker with its outbox, clock and sink.
type mailTest struct {
	clock  *mailClock
	outbox *mailOutbox
	sink   *testenv.SMTPSink
	worker *market.MailWorker
}

func newMailTest(t *testing.T) *mailTest {
	clock := &mailClock{t: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)}
	sink := testenv.SMTP(t)
	outbox := newMailOutbox(clock.Now)
	return &mailTest{clock: clock, outbox: outbox, sink: sink, worker: &market.MailWorker{
		Outbox: outbox, Mailer: mailSender(t, sink), Now: clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
}

func (mt *mailTest) sendDue(t *testing.T, wantSent, wantFailed int) {
	t.Helper()
	sent, failed, err := mt.worker.SendDue(context.Background())
	if err != nil || sent != wantSent || failed != wantFailed {
		t.Fatalf("SendDue: %d sent, %d failed, %v; want %d sent, %d failed", sent, failed, err, wantSent, wantFailed)
	}
}

func TestMailWorkerDelivers(t *testing.T) {
	mt := newMailTest(t)
	var ids []string
	for i := range 3 {
		m := voucherMail(t, fmt.Sprintf("client%d@example.org", i))
		mt.outbox.add(m)
		ids = append(ids, m.ID)
	}
	mt.sendDue(t, 3, 0)
	mt.sendDue(t, 0, 0)

	msgs := mt.sink.Messages()
	if len(msgs) != 3 {
		t.Fatalf("the server got %d messages, want 3", len(msgs))
	}
	for i, msg := range msgs {
		if want := fmt.Sprintf("client%d@example.org", i); len(msg.To) != 1 || msg.To[0] != want {
			t.Errorf("message %d went to %v, want %s", i, msg.To, want)
		}
		if !strings.Contains(string(msg.Data), "Content-ID: <qr.png>") {
			t.Errorf("message %d has no inline QR code", i)
		}
	}
	for _, id := range ids {
		if m := mt.outbox.get(id); m.Status != market.MailSent || !m.SentAt.Equal(mt.clock.Now()) {
			t.Errorf("mail %s is %s, sent at %v", id, m.Status, m.SentAt)
		}
	}
}

func TestMailWorkerRetries(t *testing.T) {
	mt := newMailTest(t)
	m := voucherMail(t, "julie@example.org")
	mt.outbox.add(m)
	mt.sink.FailNext(451, 1)

	mt.sendDue(t, 0, 1)
	got := mt.outbox.get(m.ID)
	now := mt.clock.Now()
	if got.Status != market.MailPending || got.Attempts != 1 || !strings.Contains(got.LastError, "451") {
		t.Errorf("after a 451: %s, %d attempts, %q", got.Status, got.Attempts, got.LastError)
	}
	if d := got.NextAttempt.Sub(now); d < 30*time.Second || d > time.Minute {
		t.Errorf("retry in %v, want between 30s and 1m", d)
	}
	mt.sendDue(t, 0, 0) // not due yet

	mt.clock.Add(time.Minute)
	mt.sendDue(t, 1, 0)
	if got := mt.outbox.get(m.ID); got.Status != market.MailSent {
		t.Errorf("after the retry: %s", got.Status)
	}
	if n := len(mt.sink.Messages()); n != 1 {
		t.Errorf("the server got %d messages, want 1", n)
	}
}

func TestMailWorkerGivesUp(t *testing.T) {
	t.Run("Permanent", func(t *testing.T) {
		mt := newMailTest(t)
		m := voucherMail(t, "nobody@example.org")
		mt.outbox.add(m)
		mt.sink.FailNext(550, 1)
		mt.sendDue(t, 0, 1)
		got := mt.outbox.get(m.ID)
		if got.Status != market.MailFailed || got.Attempts != 1 || !strings.Contains(got.LastError, "550") {
			t.Errorf("after a 550: %s, %d attempts, %q", got.Status, got.Attempts, got.LastError)
		}
		mt.clock.Add(2 * time.Hour)
		mt.sendDue(t, 0, 0)
		if n := len(mt.sink.Messages()); n != 0 {
			t.Errorf("the server got %d messages", n)
		}
	})
	t.Run("LastAttempt", func(t *testing.T) {
		mt := newMailTest(t)
		mt.worker.MaxAttempts = 3
		mt.worker.Backoff = func(int) time.Duration { return 2 * time.Hour } // cut to 1h
		m := voucherMail(t, "julie@example.org")
		mt.outbox.add(m)
		mt.sink.FailNext(451, 3)
		for attempt := 1; attempt <= 3; attempt++ {
			mt.sendDue(t, 0, 1)
			got := mt.outbox.get(m.ID)
			wantStatus := market.MailPending
			if attempt == 3 {
				wantStatus = market.MailFailed
			}
			if got.Status != wantStatus || got.Attempts != attempt {
				t.Fatalf("after attempt %d: %s, %d attempts; want %s", attempt, got.Status, got.Attempts, wantStatus)
			}
			if attempt < 3 && !got.NextAttempt.Equal(mt.clock.Now().Add(time.Hour)) {
				t.Errorf("retry at %v, want in an hour", got.NextAttempt)
			}
			mt.clock.Add(time.Hour)
		}
		mt.sendDue(t, 0, 0)
	})
}

// countingMailer counts the sends of each mail.
type countingMailer struct {
	market.Mailer
	mu    sync.Mutex
	sends map[string]int
}

func (c *countingMailer) Send(ctx context.Context, m *market.Mail) error {
	c.mu.Lock()
	c.sends[m.ID]++
	c.mu.Unlock()
	return c.Mailer.Send(ctx, m)
}

// TestMailWorkerConcurrent runs two workers on one outbox: every mail goes
// once, thanks to the lease.
func TestMailWorkerConcurrent(t *testing.T) {
	mt := newMailTest(t)
	const n = 24
	for i := range n {
		mt.outbox.add(voucherMail(t, "client"+strconv.Itoa(i)+"@example.org"))
	}
	counter := &countingMailer{Mailer: mt.worker.Mailer, sends: map[string]int{}}
	var wg sync.WaitGroup
	var totals [2]int
	for w := range 2 {
		worker := &market.MailWorker{Outbox: mt.outbox, Mailer: counter, Batch: 3, Now: mt.clock.Now, Log: mt.worker.Log}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for mt.outbox.pending() > 0 {
				sent, failed, err := worker.SendDue(context.Background())
				if err != nil || failed != 0 {
					t.Errorf("worker %d: %d failed, %v", w, failed, err)
					return
				}
				totals[w] += sent
			}
		}()
	}
	wg.Wait()

	if totals[0]+totals[1] != n {
		t.Errorf("the workers sent %d and %d, want %d in all", totals[0], totals[1], n)
	}
	if totals[0] == 0 || totals[1] == 0 {
		t.Logf("one worker sent everything (%v): the interleaving was not exercised this time", totals)
	}
	for id, k := range counter.sends {
		if k != 1 {
			t.Errorf("mail %s sent %d times", id, k)
		}
	}
	var to []string
	for _, m := range mt.sink.Messages() {
		to = append(to, m.To...)
	}
	sort.Strings(to)
	if len(to) != n {
		t.Fatalf("the server got %d messages, want %d", len(to), n)
	}
	for i := 1; i < len(to); i++ {
		if to[i] == to[i-1] {
			t.Errorf("%s got its mail twice", to[i])
		}
	}
}

// TestMailWorkerLease: mails claimed by a worker that died are left alone
// until their lease passes, then sent by another.
func TestMailWorkerLease(t *testing.T) {
	mt := newMailTest(t)
	m := voucherMail(t, "julie@example.org")
	mt.outbox.add(m)
	if claimed, _ := mt.outbox.ClaimMail(context.Background(), 10, market.DefaultMailLease); len(claimed) != 1 {
		t.Fatalf("claimed %d mails", len(claimed))
	}
	mt.sendDue(t, 0, 0)
	mt.clock.Add(market.DefaultMailLease + time.Second)
	mt.sendDue(t, 1, 0)
	if got := mt.outbox.get(m.ID); got.Status != market.MailSent || got.Attempts != 0 {
		t.Errorf("%s after %d attempts", got.Status, got.Attempts)
	}
}

func TestMailWorkerNoMailer(t *testing.T) {
	outbox := newMailOutbox(time.Now)
	m := &market.Mail{ID: "mail_held", To: "a@example.org", Text: "x"}
	outbox.add(m)
	w := &market.MailWorker{Outbox: outbox, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sent, failed, err := w.SendDue(context.Background())
	if sent != 0 || failed != 0 || err != nil || outbox.claims != 0 {
		t.Errorf("SendDue without a mailer: %d sent, %d failed, %v, %d claims", sent, failed, err, outbox.claims)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, time.Millisecond); close(done) }()
	w.Kick()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	if outbox.claims != 0 || outbox.get(m.ID).Status != market.MailPending {
		t.Error("a worker without a mailer touched the outbox")
	}
}

// TestMailWorkerRunKick: Run sends a mail queued after it started as soon
// as it is kicked, long before its next round.
func TestMailWorkerRunKick(t *testing.T) {
	mt := newMailTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { mt.worker.Run(ctx, time.Hour); close(done) }()
	defer func() {
		cancel()
		<-done
	}()
	for i := range 2 {
		mt.outbox.add(voucherMail(t, "client"+strconv.Itoa(i)+"@example.org"))
		mt.worker.Kick()
		if err := mt.sink.WaitFor(i+1, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMailWorkerBacklog: a round that claims a full batch is followed by
// another at once.
func TestMailWorkerBacklog(t *testing.T) {
	mt := newMailTest(t)
	mt.worker.Batch = 2
	for i := range 5 {
		mt.outbox.add(voucherMail(t, "client"+strconv.Itoa(i)+"@example.org"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { mt.worker.Run(ctx, time.Hour); close(done) }()
	defer func() {
		cancel()
		<-done
	}()
	if err := mt.sink.WaitFor(5, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestMailWorkerOutboxErrors(t *testing.T) {
	mt := newMailTest(t)
	m := voucherMail(t, "julie@example.org")
	mt.outbox.add(m)
	mt.outbox.failSent = errors.New("database is locked")
	sent, failed, err := mt.worker.SendDue(context.Background())
	if sent != 1 || failed != 0 || err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("SendDue: %d sent, %d failed, %v; want 1 sent and the outbox's error", sent, failed, err)
	}
}

func TestMailBackoff(t *testing.T) {
	for attempt := 0; attempt <= 12; attempt++ {
		base := time.Hour
		if n := max(attempt, 1); n <= 7 {
			base = min(time.Minute<<(n-1), time.Hour)
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			d := market.MailBackoff(attempt)
			if d < base/2 || d > base {
				t.Fatalf("attempt %d: %v, want between %v and %v", attempt, d, base/2, base)
			}
			seen[d] = true
		}
		if len(seen) < 100 {
			t.Errorf("attempt %d: only %d distinct waits in 200: too little jitter", attempt, len(seen))
		}
	}
}
