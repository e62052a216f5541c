package frontend_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	demodata "github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/payments"
	"github.com/solidaire-app/solidaire/photo"
	"github.com/solidaire-app/solidaire/qrcode"
	"github.com/solidaire-app/solidaire/storage"
	"github.com/solidaire-app/solidaire/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// startSite runs Solidaire as cmd/solidaire wires it and returns its base
// URL; see newSite.
func startSite(t *testing.T, dist fs.FS, demo bool) string {
	t.Helper()
	return newSite(t, dist, demo).base
}

// site is Solidaire running for a test: its address, and what the tests
// reach into to check what a page did.
type site struct {
	base     string
	db       *store.DB
	checkout *market.CheckoutService
	pages    frontend.Config // the pages' configuration, to build variants on the same database
}

// newSite runs Solidaire as cmd/solidaire wires it (the API, with the
// checkout on the demo payment provider and the pages behind it) on a free
// loopback port, over a fresh SQLite database loaded with the demo data
// set. dist, when not nil, replaces the embedded script bundle; demo is
// Config.Demo. Any error the server logs fails the test: a page that
// renders but logs a failure is a bug.
func newSite(t *testing.T, dist fs.FS, demo bool) *site {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "solidaire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demodata.Seed(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	seedShopOwners(t, db)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	logs := &errorLog{}
	log := slog.New(logs)
	checkout := &market.CheckoutService{Store: db, Payments: payments.NewDemo(base), Mail: mail.Composer{BaseURL: base},
		BaseURL: base, Log: log}
	checkout.Refunds = &market.Refunds{Store: db, Payments: checkout.Payments, Log: log}
	limiter := cache.NewMemory()
	composer := mail.Composer{BaseURL: base}
	// Holders are told of a cancellation as in production: the events
	// pass runs when kicked (see background in cmd/solidaire/app.go).
	kick := make(chan struct{}, 1)
	events := &market.CancellationService{Store: db, Payments: checkout.Payments, Mail: composer, Log: log, Kick: func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}}
	// Citizens' wallets ("Mes bons"), as cmd/solidaire wires them.
	wallet := &market.WalletService{Store: db, Mail: composer, BaseURL: base}
	cfg := frontend.Config{Catalogue: db, BaseURL: base, Logger: log, Demo: demo,
		Checkout: checkout, Orders: db, DemoPayments: true, Limiter: limiter, Tickets: events, Wallet: wallet,
		LookupsPerIP: 10000, LookupsWindow: time.Minute}
	// A campaign's wall, when the store keeps mentions (#15).
	if w, ok := any(db).(frontend.Wall); ok {
		cfg.Wall = w
	}
	if w, ok := any(db).(frontend.WallReports); ok {
		cfg.WallReports = w
	}
	// What merchants run on their pages (#13): photos kept in a directory
	// of the test's, followers mailed through the outbox.
	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	merchantPages := &market.MerchantPages{Store: db, Resizer: photo.New(), Files: files, Mail: composer, BaseURL: base, Log: log}
	followers := &market.FollowerService{Store: db, Mail: composer, BaseURL: base}
	cfg.MerchantPages, cfg.Followers = db, followers
	var pages *frontend.Pages
	if dist != nil {
		pages, err = frontend.NewWithBundle(cfg, dist)
	} else {
		pages, err = frontend.New(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Towns' programmes, as cmd/solidaire wires them. Their clock runs the
	// till's undo window ahead: in production a redemption waits that
	// long before a settlement takes it (a till may still undo it); a test
	// settles what it just redeemed.
	programmes := &market.Programmes{Store: db, Payments: checkout.Payments, Mail: composer, Log: log,
		Now: func() time.Time { return time.Now().Add(market.ReverseWindow + time.Minute) }}
	// The tests buy more often from one address than a launch day allows.
	generous := api.Rate{Count: 10000, Per: time.Minute}
	// The whole API, wired as cmd/solidaire does, for the pages' islands.
	clicks := &market.ClickCounter{Shared: limiter, Local: cache.NewMemory(), Store: db, Log: log}
	handler := api.New(api.Config{BaseURL: base, Catalogue: db, Checkout: checkout, Orders: db,
		Idempotency: db, Limiter: limiter, QR: qrcode.PNG, Pages: pages, Logger: log,
		SignIn: &market.SignIn{Store: db, Mail: composer, BaseURL: base}, Merchants: db,
		Till: &market.Till{Store: db, Feed: limiter}, Onboarding: db, Feed: limiter, DemoPayments: true,
		PaymentAccounts: &market.PaymentsOnboarding{Store: db, ReturnURL: base + "/commerce/paiements"}, AdminOrders: db,
		MerchantPages: merchantPages, PageReads: db, Followers: followers, Media: files,
		Campaigns: db, Clicks: clicks, Mentions: &market.Mentions{Store: db, BaseURL: base}, Tickets: events, TicketStore: db, Programmes: programmes, ProgrammeReads: db, Wallet: wallet,
		Limits: api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous,
			LookupsPerDevice: generous, LoginPerIP: generous, LoginPerAccount: generous}})
	// A test-only route: the click counter rolls up every 10 s in
	// production; a test that counts clicks flushes it instead of waiting.
	mux := http.NewServeMux()
	mux.HandleFunc("POST /test/clicks/flush", func(w http.ResponseWriter, r *http.Request) {
		clicks.Flush(r.Context())
		clicks.RollUp(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	// Test-only routes that stand for Stripe: a payment that does not
	// match its order (the order goes to review), and a dispute opened on
	// an order paid with the demo provider (its payment intent is
	// "demo_pi_" and the order's id). The browser tests drive the admin's
	// review and the till's blocked voucher with them.
	mux.HandleFunc("POST /test/orders/{id}/review", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		paid, err := strconv.ParseInt(r.FormValue("paid"), 10, 64)
		if err != nil {
			http.Error(w, "paid: "+err.Error(), http.StatusBadRequest)
			return
		}
		out, err := db.ReviewOrder(r.Context(), "evt_test_review_"+id, id, "pi_test_"+id, paid, r.FormValue("note"))
		if err != nil || out != market.OutcomeAmountMismatch {
			http.Error(w, fmt.Sprintf("review: %s %v", out, err), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /test/orders/{id}/dispute", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		out, err := db.OpenDispute(r.Context(), "evt_test_dispute_"+id, "demo_pi_"+id,
			&market.Dispute{ID: "dp_" + id, Status: "needs_response"}, time.Now())
		if err != nil || out != market.OutcomeDisputeOpened {
			http.Error(w, fmt.Sprintf("dispute: %s %v", out, err), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	// A test-only route: the outbox's mails to an address, newest first,
	// as the browser tests read the links that mails carry.
	mux.HandleFunc("GET /test/mails", func(w http.ResponseWriter, r *http.Request) {
		list, err := db.Mails(r.Context(), "", 1000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		type mailJSON struct {
			To          string    `json:"to"`
			Subject     string    `json:"subject"`
			Text        string    `json:"text"`
			Status      string    `json:"status"`
			NextAttempt time.Time `json:"next_attempt"`
		}
		out := []mailJSON{}
		for _, m := range list {
			if strings.EqualFold(m.To, r.URL.Query().Get("to")) {
				out = append(out, mailJSON{To: m.To, Subject: m.Subject, Text: m.Text, Status: string(m.Status), NextAttempt: m.NextAttempt})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	mux.Handle("/", handler)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	bg, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		(&market.Pass{Name: "cancellations", Leases: db, Holder: "test", Every: time.Minute, Run: events.Round}).Loop(bg, kick)
	}()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		stop()
		<-ran
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
		for _, e := range logs.errors() {
			t.Errorf("the server logged an error: %s", e)
		}
	})
	return &site{base: base, db: db, checkout: checkout, pages: cfg}
}

// shopOwners are sign-ins for Sherbrooke shops that take the town's card
// (the demo data set has owners for its fixed sign-ins only): the browser
// tests redeem a programme's card at two tills, and a third shop leaves
// the programme and asks to join again. Their password is the demo one.
var shopOwners = map[string]struct{ name, shop string }{
	"rejeanne@sherbrooke.test":    {"Réjeanne Tremblay", "casse-croute-chez-rejeanne"},
	"cantons@sherbrooke.test":     {"Luc Bergeron", "cafe-des-cantons"},
	"bouquinerie@sherbrooke.test": {"Denis Lapointe", "bouquinerie-du-lac-des-nations"},
}

// seedShopOwners creates the shopOwners' accounts, each the owner of its
// shop.
func seedShopOwners(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	hash, err := market.HashPassword(demodata.Password)
	if err != nil {
		t.Fatal(err)
	}
	for email, o := range shopOwners {
		m, err := db.Merchant(ctx, o.shop)
		if err != nil {
			t.Fatal(err)
		}
		u := &market.User{Email: email, Name: o.name, PasswordHash: hash}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.GrantMerchant(ctx, u.ID, m.ID, market.RoleOwner); err != nil {
			t.Fatal(err)
		}
	}
}

// errorLog is a slog handler that keeps the messages of error records.
type errorLog struct {
	mu   sync.Mutex
	list []string
}

func (h *errorLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *errorLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += " " + a.String()
		return true
	})
	h.mu.Lock()
	h.list = append(h.list, msg)
	h.mu.Unlock()
	return nil
}

func (h *errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorLog) WithGroup(string) slog.Handler      { return h }

func (h *errorLog) errors() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.list...)
}
