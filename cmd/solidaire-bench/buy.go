package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	// The bench plays Stripe: it signs webhook payloads the way Stripe does,
	// with stripe-go's own helper. Only this client-side tool uses it outside
	// the payments package.
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/payments"
	"github.com/solidaire-app/solidaire/qrcode"
	"github.com/solidaire-app/solidaire/store"
)

const benchSecret = "whsec_bench"

// shop serves the buying routes of db as the real server does.
func shop(db *store.DB, base string) (http.Handler, error) {
	st, err := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_bench", WebhookSecrets: []string{benchSecret}, APIBase: "http://127.0.0.1:1"})
	if err != nil {
		return nil, err
	}
	checkout := &market.CheckoutService{Store: db, Payments: st, Mail: mail.Composer{BaseURL: base}, BaseURL: base, Log: quiet()}
	return api.New(api.Config{BaseURL: base, Catalogue: db, Checkout: checkout, Orders: db, Payments: st,
		Idempotency: db, QR: qrcode.PNG, Logger: accessLogger()}), nil
}

// webhookStorm delivers 10,000 signed checkout.session.completed events,
// 30% of them duplicates, shuffled, from 16 concurrent senders, and checks
// that every paid order has exactly one voucher. Baseline: a raw INSERT …
// ON CONFLICT DO NOTHING loop of the same event ids on the same database.
func webhookStorm(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "webhook storm", func(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
		return storm(ctx, db, engine, 10000, 7000)
	})
}

func storm(ctx context.Context, db *store.DB, engine string, events, unique int) (bench.Row, error) {
	m, err := db.Merchant(ctx, "boulangerie-du-quartier")
	if err != nil {
		return bench.Row{}, err
	}
	// Orders to pay, written straight to the store (not measured): one set
	// for the HTTP storm, one for the same writes raw.
	newOrders := func() ([]*market.Order, error) {
		orders := make([]*market.Order, unique)
		for i := range orders {
			_, hash := market.NewAccessToken()
			o := &market.Order{MerchantID: m.ID, MerchantSlug: m.Slug, MerchantName: m.Name, Status: market.OrderPending,
				BuyerEmail: "bench@example.org", Lang: "fr", Currency: m.Currency, Total: 2500, AccessHash: hash,
				Items: []*market.OrderItem{{Kind: market.KindGiftCertificate, Amount: 2500, Quantity: 1}}}
			if err := db.CreateOrder(ctx, o); err != nil {
				return nil, err
			}
			orders[i] = o
		}
		return orders, nil
	}
	orders, err := newOrders()
	if err != nil {
		return bench.Row{}, err
	}
	sameOrders, err := newOrders()
	if err != nil {
		return bench.Row{}, err
	}
	type delivery struct {
		payload []byte
		sig     string
	}
	now := time.Now()
	all := make([]delivery, 0, events)
	for i := 0; i < events; i++ {
		o := orders[i%unique] // the first 7,000 are new, the rest repeat event ids
		payload, _ := json.Marshal(map[string]any{
			"id": "evt_" + o.ID, "object": "event", "api_version": "2023-10-16", "created": now.Unix(),
			"type": "checkout.session.completed",
			"data": map[string]any{"object": map[string]any{"id": "cs_" + o.ID, "object": "checkout.session",
				"status": "complete", "payment_status": "paid", "client_reference_id": o.ID,
				"metadata": map[string]any{"order_id": o.ID}, "amount_total": o.Total, "currency": string(o.Currency),
				"payment_intent": "pi_" + o.ID}},
		})
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: benchSecret, Timestamp: now})
		all = append(all, delivery{payload, sig.Header})
	}
	rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })

	h, err := shop(db, "http://bench.local")
	if err != nil {
		return bench.Row{}, err
	}
	base, stop, err := serve(h)
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var failures atomic.Int64
	// The storm's merchant is in a running campaign (#achatlocal): every
	// sale adds to its public counter (sharded: campaign_counters).
	before, err := db.Campaign(ctx, demo.AchatLocalSlug)
	if err != nil {
		return bench.Row{}, err
	}
	endPhase := serverPhase("webhook storm " + engine)
	start := time.Now()
	workers(16, len(all), func(i int) {
		req, _ := http.NewRequest("POST", base+"/api/v1/webhooks/stripe", strings.NewReader(string(all[i].payload)))
		req.Header.Set("Stripe-Signature", all[i].sig)
		res, err := client.Do(req)
		if err != nil {
			failures.Add(1)
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			failures.Add(1)
		}
	})
	elapsed := time.Since(start)
	peak := endPhase()

	after, err := db.Campaign(ctx, demo.AchatLocalSlug)
	if err != nil {
		return bench.Row{}, err
	}
	// Exactly one voucher per paid order.
	wrong := 0
	for _, o := range orders {
		vs, err := db.OrderVouchers(ctx, o.ID)
		if err != nil {
			return bench.Row{}, err
		}
		if len(vs) != 1 {
			wrong++
		}
	}

	// The same writes raw: the store's fulfilment transaction (order,
	// event record, items, voucher and its entry, mail, campaign
	// counters), called directly for the same mix of new and repeated
	// event ids from 16 workers, without HTTP, signature or the domain
	// service; the voucher mail is composed once beforehand and its bytes
	// reused.
	paidAt := time.Now().UTC()
	tmplVoucher := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: m.ID, MerchantSlug: m.Slug,
		MerchantName: m.Name, Initial: 2500, Balance: 2500, Currency: m.Currency, Status: market.VoucherActive, CreatedAt: paidAt}
	tmplMail, err := mail.Composer{BaseURL: "http://bench.local"}.VoucherIssued(tmplVoucher, "bench@example.org", "", "fr")
	if err != nil {
		return bench.Row{}, err
	}
	order := make([]int, events)
	for i := range order {
		order[i] = i % unique
	}
	rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var sameFailures atomic.Int64
	sameStart := time.Now()
	workers(16, len(order), func(i int) {
		o := sameOrders[order[i]]
		ev := &market.PaymentEvent{ID: "evt_" + o.ID, Type: market.PaymentCompleted, OrderID: o.ID, AmountTotal: o.Total,
			Currency: o.Currency, PaymentIntent: "pi_" + o.ID, PaymentPaid: true}
		build := func(_ context.Context, o *market.Order, _ market.FulfilmentReader) (*market.Fulfilment, error) {
			v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: o.MerchantID, OrderID: o.ID,
				Initial: o.Total, Balance: o.Total, Currency: o.Currency, Status: market.VoucherActive, CreatedAt: paidAt}
			ml := *tmplMail
			ml.ID = ""
			return &market.Fulfilment{Vouchers: []*market.Voucher{v}, Mails: []*market.Mail{&ml}}, nil
		}
		if _, err := db.PayOrder(ctx, ev, paidAt, build); err != nil {
			sameFailures.Add(1)
		}
	})
	sameElapsed := time.Since(sameStart)

	// Baseline: the raw dedupe insert of the same ids, one statement each.
	raw, err := db.RawDB()
	if err != nil {
		return bench.Row{}, err
	}
	if _, err := raw.ExecContext(ctx, `CREATE TABLE bench_events (id TEXT PRIMARY KEY, received_at BIGINT NOT NULL)`); err != nil {
		return bench.Row{}, err
	}
	rawStart := time.Now()
	for i := 0; i < events; i++ {
		if _, err := raw.ExecContext(ctx, `INSERT INTO bench_events (id, received_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			"evt_"+orders[i%unique].ID, i); err != nil {
			return bench.Row{}, err
		}
	}
	rawElapsed := time.Since(rawStart)
	perSec := float64(events) / elapsed.Seconds()
	rawPerSec := float64(events) / rawElapsed.Seconds()
	samePerSec := float64(events) / sameElapsed.Seconds()
	return bench.Row{
		Scenario:  fmt.Sprintf("webhook storm %s", engine),
		Figure:    fmt.Sprintf("%.0f events/s (%d events, %d failed)", perSec, events, failures.Load()),
		Baseline:  fmt.Sprintf("raw INSERT ON CONFLICT loop: %.0f/s", rawPerSec),
		Ratio:     perSec / rawPerSec,
		PeakRSS:   peak,
		Same:      fmt.Sprintf("%.0f/s (%d failed)", samePerSec, sameFailures.Load()),
		SameRatio: perSec / samePerSec,
		Note: fmt.Sprintf("orders with exactly one voucher: %d of %d; running campaign %s's counter: +%d supporters",
			unique-wrong, unique, demo.AchatLocalSlug, after.Counter.Supporters-before.Counter.Supporters),
	}, nil
}

// workers runs fn(i) for every i in [0, count) on n goroutines that take
// the next i as they finish, and returns when all are done.
func workers(n, count int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(count); i = next.Add(1) - 1 {
				fn(int(i))
			}
		}()
	}
	wg.Wait()
}

// qrServing measures warm QR PNGs served per second against a bare gin
// handler serving the same bytes.
func qrServing(ctx context.Context) ([]bench.Row, error) {
	db, cleanup, err := openDB(ctx, "sqlite")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	m, err := db.Merchant(ctx, "boulangerie-du-quartier")
	if err != nil {
		return nil, err
	}
	_, hash := market.NewAccessToken()
	o := &market.Order{MerchantID: m.ID, Status: market.OrderPending, BuyerEmail: "bench@example.org", Currency: m.Currency,
		Total: 2500, AccessHash: hash, Items: []*market.OrderItem{{Kind: market.KindGiftCertificate, Amount: 2500, Quantity: 1}}}
	if err := db.CreateOrder(ctx, o); err != nil {
		return nil, err
	}
	v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: m.ID, OrderID: o.ID, Initial: 2500,
		Balance: 2500, Currency: m.Currency, Status: market.VoucherActive, CreatedAt: time.Now()}
	if _, err := db.FulfilOrder(ctx, &market.Fulfilment{OrderID: o.ID, PaidAt: time.Now(), Vouchers: []*market.Voucher{v}}); err != nil {
		return nil, err
	}
	h, err := shop(db, "http://bench.local")
	if err != nil {
		return nil, err
	}
	base, stop, err := serve(h)
	if err != nil {
		return nil, err
	}
	defer stop()
	path := "/api/v1/vouchers/" + v.Code + "/qr.png"
	body, err := get(base + path)
	if err != nil {
		return nil, err
	}
	bare := gin.New()
	bare.GET(path, func(c *gin.Context) { c.Data(200, "image/png", body) })
	bareBase, stopBare, err := serve(bare)
	if err != nil {
		return nil, err
	}
	baseline := load(ctx, bareBase+path)
	stopBare()
	stopProfile := startProfile("voucher qr")
	figure := load(ctx, base+path)
	stopProfile()
	return []bench.Row{{
		Scenario: fmt.Sprintf("voucher QR, warm (%d B PNG)", len(body)),
		Figure:   figure.String(),
		Baseline: "bare gin, same bytes: " + baseline.String(),
		Ratio:    figure.PerSecond() / baseline.PerSecond(),
	}}, nil
}
