package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/payments"
	"github.com/solidaire-app/solidaire/photo"
	"github.com/solidaire-app/solidaire/qrcode"
	"github.com/solidaire-app/solidaire/social"
	"github.com/solidaire-app/solidaire/store"
)

// Compile-time checks that the concrete adapters satisfy the interfaces
// they are used as.
var (
	_ api.Catalogue                = (*store.DB)(nil)
	_ api.Orders                   = (*store.DB)(nil)
	_ api.IdempotencyStore         = (*store.DB)(nil)
	_ api.Pinger                   = (*store.DB)(nil)
	_ api.Pinger                   = (*cache.Redis)(nil)
	_ api.Limiter                  = (*cache.Redis)(nil)
	_ api.Limiter                  = (*cache.Memory)(nil)
	_ api.Limiter                  = (*cache.FallbackLimiter)(nil)
	_ api.Counters                 = (*cache.Redis)(nil)
	_ api.Counters                 = (*cache.Memory)(nil)
	_ frontend.Limiter             = (*cache.FallbackLimiter)(nil)
	_ api.WebhookParser            = (*payments.Stripe)(nil)
	_ api.AdminOrders              = (*store.DB)(nil)
	_ api.PaymentAccounts          = (*market.PaymentsOnboarding)(nil)
	_ market.Connect               = (*payments.Stripe)(nil)
	_ market.OnboardingStore       = (*store.DB)(nil)
	_ market.RefundStore           = (*store.DB)(nil)
	_ market.EventStore            = (*store.DB)(nil)
	_ market.Leaser                = (*store.DB)(nil)
	_ market.ProgrammeStore        = (*store.DB)(nil)
	_ market.ProgrammeMailComposer = mail.Composer{}
	_ api.ProgrammeReads           = (*store.DB)(nil)
	_ api.Programmes               = (*market.Programmes)(nil)
	_ market.OrderStore            = (*store.DB)(nil)
	_ market.Outbox                = (*store.DB)(nil)
	_ market.Mailer                = (*mail.SMTP)(nil)
	_ market.MailComposer          = mail.Composer{}
	_ market.PaymentProvider       = (*payments.Stripe)(nil)
	_ market.PaymentProvider       = (*payments.Demo)(nil)
	_ market.SignInStore           = (*store.DB)(nil)
	_ market.RedemptionStore       = (*store.DB)(nil)
	_ market.AccountMailComposer   = mail.Composer{}
	_ market.Feed                  = (*cache.Redis)(nil)
	_ market.Feed                  = (*cache.Memory)(nil)
	_ api.Merchants                = (*store.DB)(nil)
	_ api.Onboarding               = (*store.DB)(nil)
	_ api.SignIn                   = (*market.SignIn)(nil)
	_ api.Till                     = (*market.Till)(nil)
	_ market.WalletStore           = (*store.DB)(nil)
	_ market.WalletMailComposer    = mail.Composer{}
	_ market.PassStore             = (*store.DB)(nil)
	_ api.Wallet                   = (*market.WalletService)(nil)
	_ api.WalletPasses             = (*market.WalletPasses)(nil)
	_ market.MentionStore          = (*store.DB)(nil)
	_ api.Mentions                 = (*market.Mentions)(nil)
	_ market.SocialReader          = (*social.Reader)(nil)
	_ frontend.Wall                = (*store.DB)(nil)
	_ frontend.WallReports         = (*store.DB)(nil)
	_ frontend.MerchantPages       = (*store.DB)(nil)
	_ frontend.Followers           = (*market.FollowerService)(nil)
	_ market.PageStore             = (*store.DB)(nil)
	_ market.FollowerStore         = (*store.DB)(nil)
	_ market.FollowerMailComposer  = mail.Composer{}
	_ api.MerchantPages            = (*market.MerchantPages)(nil)
	_ api.PageReads                = (*store.DB)(nil)
	_ api.Followers                = (*market.FollowerService)(nil)
)

// app is Solidaire wired together: the HTTP handler and the background
// work that goes with it.
type app struct {
	db         *store.DB
	handler    http.Handler
	checkout   *market.CheckoutService
	mailer     *market.MailWorker
	clicks     *market.ClickCounter
	events     *market.CancellationService
	refunds    *market.Refunds
	programmes *market.Programmes
	wallet     *market.WalletService
	passes     *market.WalletPasses
	mentions   *market.Mentions
	// files keeps the merchants' photos and resizer makes their widths
	// (packages storage and photo).
	files   market.FileStore
	resizer market.ImageResizer
	pages   *market.MerchantPages
	kick    chan struct{}
	closers []func() error
	running sync.WaitGroup // background work, waited for before closing
}

// Close releases what the app holds, the database last.
func (a *app) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	return errors.Join(errs...)
}

// build opens the database and the shared state and wires every adapter,
// for the public base URL.
func build(ctx context.Context, cfg *config, base string, log *slog.Logger) (*app, error) {
	a := &app{}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a.db = db
	a.closers = append(a.closers, db.Close)
	fail := func(err error) (*app, error) {
		a.Close()
		return nil, err
	}

	ready := map[string]api.Pinger{"database": db}
	mem := cache.NewMemory()
	var limiter api.Limiter = mem
	var feed market.Feed = mem
	var counter market.Counter = mem
	var counters api.Counters = mem
	if cfg.RedisURL != "" {
		rc, err := cache.NewRedis(cfg.RedisURL, "solidaire:")
		if err != nil {
			return fail(fmt.Errorf("redis: %w", err))
		}
		a.closers = append(a.closers, rc.Close)
		ready["redis"] = rc
		// A Redis outage must not switch the sign-in and code-lookup
		// limits off: they fall back to this instance's own counts.
		limiter, feed, counter = cache.NewFallbackLimiter(rc, mem, log), rc, rc
		// Sign-in failures are counted across instances, or an attacker
		// would get each instance's allowance.
		counters = rc
	}
	a.clicks = &market.ClickCounter{Shared: counter, Local: mem, Store: db, Log: log}

	var provider market.PaymentProvider
	var webhooks api.WebhookParser
	onboarding := &market.PaymentsOnboarding{Store: db, Countries: cfg.StripeCountries, ReturnURL: base + "/commerce/paiements"}
	ready4 := func(*market.Merchant) bool { return true }
	if cfg.StripeKey != "" {
		st, err := payments.NewStripe(payments.StripeConfig{SecretKey: cfg.StripeKey, APIBase: cfg.StripeAPIBase,
			WebhookSecrets: payments.SplitSecrets(cfg.StripeWebhook), ConnectWebhookSecrets: payments.SplitSecrets(cfg.StripeConnect)})
		if err != nil {
			return fail(err)
		}
		provider, webhooks, onboarding.Connect = st, st, st
		ready4 = func(m *market.Merchant) bool { return m.StripeAccount != "" && m.ChargesEnabled }
	} else {
		if err := payments.CheckDemoAllowed(cfg.Production); err != nil {
			return fail(fmt.Errorf("STRIPE_SECRET_KEY is required in production: %w", err))
		}
		provider = payments.NewDemo(base)
	}

	apple, google, err := walletPasses(cfg)
	if err != nil {
		return fail(err)
	}
	composer := mail.Composer{BaseURL: base, AppleWallet: apple != nil}
	a.refunds = &market.Refunds{Store: db, Payments: provider, Log: log}
	a.checkout = &market.CheckoutService{
		Store:          db,
		Payments:       provider,
		Mail:           composer,
		BaseURL:        base,
		FeeBasisPoints: cfg.FeeBasisPoints,
		Ready:          ready4,
		Refunds:        a.refunds,
		Log:            log,
	}

	a.mailer = &market.MailWorker{Outbox: db, Log: log}
	if cfg.SMTPURL != "" {
		sc, err := mail.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return fail(fmt.Errorf("SMTP_URL: %w", err))
		}
		a.mailer.Mailer = &mail.SMTP{Config: sc}
		if n, err := db.ReleaseHeldMail(ctx); err != nil {
			return fail(err)
		} else if n > 0 {
			log.Info("held mails released for sending", "count", n)
		}
	} else {
		db.HoldMail(true)
		log.Warn("no SMTP_URL: emails are kept in the outbox (solidaire outbox lists them), not sent")
	}

	a.programmes = &market.Programmes{Store: db, Payments: provider, Mail: composer, FeeBasisPoints: cfg.FeeBasisPoints, Log: log}

	a.kick = make(chan struct{}, 1)
	a.events = &market.CancellationService{Store: db, Payments: provider, Refunds: a.refunds, Mail: composer, Log: log, Kick: func() {
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}}

	a.wallet = &market.WalletService{Store: db, Mail: composer, BaseURL: base}
	a.passes = &market.WalletPasses{Store: db, Apple: apple, Google: google, BaseURL: base, Log: log}

	if (cfg.BlueskyIdentifier == "") != (cfg.BlueskyPassword == "") {
		return fail(errors.New("BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD go together: set both, or neither"))
	}
	contact := cfg.SocialContact
	if contact == "" {
		contact = base
	}
	reader := social.New(social.Config{Contact: contact, BlueskyIdentifier: cfg.BlueskyIdentifier,
		BlueskyAppPassword: cfg.BlueskyPassword})
	a.mentions = &market.Mentions{Store: db, Reader: reader, BaseURL: base, Log: log}
	files, err := cfg.fileStore(ctx)
	if err != nil {
		return fail(err)
	}
	log.Info("photos are stored", "in", cfg.Storage.Describe())
	a.files, a.resizer = files, photo.New()
	a.pages = &market.MerchantPages{Store: db, Resizer: a.resizer, Files: a.files, Mail: composer, BaseURL: base, Log: log}
	followers := &market.FollowerService{Store: db, Mail: composer, BaseURL: base}

	limits := api.DefaultLimits.Scaled(cfg.LimitScale)
	pages, err := frontend.New(frontend.Config{Catalogue: db, BaseURL: base, Logger: log, Demo: cfg.Demo,
		LookupsPerIP: limits.LookupsPerIP.Count, LookupsWindow: limits.LookupsPerIP.Per,
		Checkout: a.checkout, Orders: db, DemoPayments: provider.Name() == "demo",
		FeeBasisPoints: cfg.FeeBasisPoints, Limiter: limiter, Tickets: a.events,
		Wall: db, WallReports: db, MerchantPages: db, Followers: followers,
		Wallet: a.wallet, AppleWallet: a.passes.Apple != nil, GoogleWallet: a.passes.Google != nil, Passes: a.passes})
	if err != nil {
		return fail(err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.handler = api.New(api.Config{
		BaseURL:         base,
		Catalogue:       db,
		Checkout:        a.checkout,
		Orders:          db,
		Payments:        webhooks,
		Idempotency:     db,
		Limiter:         limiter,
		Counters:        counters,
		QR:              qrcode.PNG,
		SignIn:          &market.SignIn{Store: db, Mail: composer, BaseURL: base},
		Merchants:       db,
		Till:            &market.Till{Store: db, Feed: feed},
		Onboarding:      db,
		Review:          &market.MerchantReview{Store: db, Mail: composer},
		Feed:            feed,
		PaymentAccounts: onboarding,
		AdminOrders:     db,
		Programmes:      a.programmes,
		ProgrammeReads:  db,
		DemoPayments:    onboarding.Connect == nil,
		Campaigns:       db,
		Clicks:          a.clicks,
		Mentions:        a.mentions,
		Stats:           db,
		Tickets:         a.events,
		TicketStore:     db,
		Wallet:          a.wallet,
		Passes:          a.passes,
		MerchantPages:   a.pages,
		PageReads:       db,
		Followers:       followers,
		Media:           a.files,
		TrustedProxies:  cfg.TrustedProxies,
		Limits:          limits,
		Ready:           ready,
		Pages:           pages,
		Logger:          log,
		Registry:        reg,
	})
	return a, nil
}

// background runs the app's periodic work until ctx is done: the mail
// worker and the click counter on every instance; the reconciliation,
// refunds, cancellation, programme settlement (weekly), transfer, bonus
// expiry and purge passes on one instance at a time (a lease in the
// database). Close waits for all of it before closing the database.
func (a *app) background(ctx context.Context, log *slog.Logger) {
	run := func(f func()) {
		a.running.Add(1)
		go func() {
			defer a.running.Done()
			f()
		}()
	}
	holder := instanceID()
	pass := func(name string, every time.Duration, kick <-chan struct{}, fn func(context.Context) error) {
		p := &market.Pass{Name: name, Leases: a.db, Holder: holder, Every: every, Run: fn, Log: log}
		run(func() { p.Loop(ctx, kick) })
	}
	run(func() { a.mailer.Run(ctx, 15*time.Second) })
	run(func() { a.clicks.Run(ctx, 10*time.Second) })
	pass("reconcile", 2*time.Minute, nil, func(ctx context.Context) error {
		_, err := a.checkout.Reconcile(ctx, 10*time.Minute)
		return err
	})
	pass("refunds", time.Minute, nil, func(ctx context.Context) error {
		_, err := a.refunds.PayDue(ctx)
		return err
	})
	pass("cancellations", time.Minute, a.kick, a.events.Round)
	pass("settlements", 6*time.Hour, nil, a.programmes.SettleDue)
	// One instance reads the hashtags' sources; each source at most once a
	// minute, a new one at once on the lease holder.
	pass("mentions", 20*time.Second, a.mentions.Kicks(), a.mentions.Poll)
	pass("transfers", 5*time.Minute, nil, func(ctx context.Context) error {
		_, err := a.programmes.PayTransfers(ctx)
		return err
	})
	pass("bonuses", time.Hour, nil, func(ctx context.Context) error {
		_, err := a.programmes.ExpireBonuses(ctx)
		return err
	})
	if a.passes.Apple != nil || a.passes.Google != nil {
		// Without a phone wallet configured there is nobody to tell.
		pass("wallet-passes", 30*time.Second, nil, func(ctx context.Context) error {
			_, err := a.passes.PushChanges(ctx)
			return err
		})
	}
	pass("purge", time.Hour, nil, func(ctx context.Context) error {
		_, err := a.db.PurgeIdempotent(ctx, 48*time.Hour)
		return err
	})
}

// instanceID names this process among the instances, for leases.
func instanceID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), market.NewID("i"))
}

// splitList reads a comma-separated setting.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseBPS reads a fee in basis points (0..10000).
func parseBPS(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 10000 {
		return 0, fmt.Errorf("platform fee must be 0 to 10000 basis points, got %q", s)
	}
	return n, nil
}
