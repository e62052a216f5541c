package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/payments"
	"github.com/solidaire-app/solidaire/store"
)

// onSaleSpike sends 500 concurrent buyers at 100 seats through the real
// checkout (demo provider) and counts the seats sold, next to 500
// concurrent raw conditional seat decrements on the same database.
func onSaleSpike(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "on-sale spike", spike)
}

func spike(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
	const buyers, seats = 500, 100
	venue, err := db.Merchant(ctx, "theatre-du-faubourg")
	if err != nil {
		return bench.Row{}, err
	}
	newEvent := func() (*market.Event, error) {
		e := &market.Event{MerchantID: venue.ID, Title: "Spectacle complet", City: venue.City, StartsAt: time.Now().Add(48 * time.Hour),
			Status: market.EventScheduled, Currency: venue.Currency,
			TicketTypes: []*market.TicketType{{Name: "Régulier", Price: 3000, Capacity: seats, SeatsLeft: seats}}}
		return e, db.CreateEvent(ctx, e)
	}
	e, err := newEvent()
	if err != nil {
		return bench.Row{}, err
	}
	url, stop, err := checkoutShop(db)
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	buy := func(e *market.Event) func(i int) string {
		return func(i int) string {
			return fmt.Sprintf(`{"buyer": {"email": "fan%d@example.org"}, "items": [{"kind": "ticket", "event": %q, "ticket_type": %q}]}`,
				i, e.ID, e.TicketTypes[0].ID)
		}
	}
	// Each way first meets a spike of its own, untimed, on another event:
	// the server's database connections opened and statements prepared,
	// as they are for a real on-sale after the first minutes. The buyers'
	// connections are new in every spike, as a crowd's phones are.
	warm, err := newEvent()
	if err != nil {
		return bench.Row{}, err
	}
	rush(url, buyers, "spike-warm", buy(warm))
	endPhase := serverPhase("on-sale spike " + engine)
	statuses, _, elapsed := rush(url, buyers, "spike-key", buy(e))
	peak := endPhase()
	after, err := db.Event(ctx, e.ID)
	if err != nil {
		return bench.Row{}, err
	}
	sold := seats - after.TicketTypes[0].SeatsLeft

	// Baseline: the same 500 concurrent conditional decrements, raw.
	e2, err := newEvent()
	if err != nil {
		return bench.Row{}, err
	}
	raw, _ := db.RawDB()
	decrement := `UPDATE ticket_types SET seats_left = seats_left - 1 WHERE id = $1 AND seats_left >= 1`
	if warm, err = newEvent(); err != nil {
		return bench.Row{}, err
	}
	rawRush(ctx, raw, buyers, decrement, warm.TicketTypes[0].ID)
	rawSold, rawElapsed := rawRush(ctx, raw, buyers, decrement, e2.TicketTypes[0].ID)
	// The same writes raw: the store's order transaction (order, seat
	// hold, items) and the session's update, called directly.
	e3, err := newEvent()
	if err != nil {
		return bench.Row{}, err
	}
	order := func(e *market.Event) func(i int) *market.Order {
		return func(i int) *market.Order {
			return &market.Order{MerchantID: venue.ID, Status: market.OrderPending, BuyerEmail: fmt.Sprintf("fan%d@example.org", i), Lang: "fr",
				Currency: venue.Currency, Total: 3000, Items: []*market.OrderItem{{Kind: market.KindTicket, Amount: 3000, Quantity: 1,
					EventID: e.ID, TicketTypeID: e.TicketTypes[0].ID}}}
		}
	}
	if warm, err = newEvent(); err != nil {
		return bench.Row{}, err
	}
	sameCheckouts(ctx, db, buyers, order(warm))
	sameSold, sameElapsed := sameCheckouts(ctx, db, buyers, order(e3))
	perSec := float64(buyers) / elapsed.Seconds()
	rawPerSec := float64(buyers) / rawElapsed.Seconds()
	samePerSec := float64(buyers) / sameElapsed.Seconds()
	return bench.Row{
		Scenario:  "on-sale spike " + engine,
		Figure:    fmt.Sprintf("%.0f checkouts/s; %d seats sold of %d (201: %d, 409: %d)", perSec, sold, seats, statuses[201], statuses[409]),
		Baseline:  fmt.Sprintf("raw seat decrement: %.0f/s, %d sold", rawPerSec, rawSold),
		Ratio:     perSec / rawPerSec,
		PeakRSS:   peak,
		Same:      fmt.Sprintf("%.0f/s, %d sold", samePerSec, sameSold),
		SameRatio: perSec / samePerSec,
		Note:      fmt.Sprintf("%d concurrent buyers for %d seats (each way after an untimed spike of its own)", buyers, seats),
	}, nil
}

// checkoutShop serves the checkout routes of db as the real server does,
// with the demo payment provider and limits no rush reaches.
func checkoutShop(db *store.DB) (string, func(), error) {
	base := "http://bench.local"
	mem := cache.NewMemory()
	generous := api.Rate{Count: 1 << 30, Per: time.Minute}
	checkout := &market.CheckoutService{Store: db, Payments: payments.NewDemo(base), Mail: mail.Composer{BaseURL: base}, BaseURL: base, Log: quiet()}
	h := api.New(api.Config{BaseURL: base, Catalogue: db, Checkout: checkout, Orders: db, Idempotency: db, Limiter: mem, Logger: accessLogger(),
		Limits: api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous, LookupsPerDevice: generous,
			LoginPerIP: generous, LoginPerAccount: generous}})
	return serve(h)
}

// rush sends n concurrent checkouts to the shop at url, buyer i's body made
// by body(i) and its Idempotency-Key by key and i, over at most 100
// connections. It returns how many answers had each status (0: no
// answer), how many error answers had each code, and the time they all
// took.
func rush(url string, n int, key string, body func(i int) string) (map[int]int, map[string]int, time.Duration) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100, MaxConnsPerHost: 100}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses, codes := map[int]int{}, map[string]int{}
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("POST", url+"/api/v1/checkout", strings.NewReader(body(i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%08d", key, i))
			res, err := client.Do(req)
			st, code := 0, ""
			if err == nil {
				st = res.StatusCode
				if st >= 400 {
					var e struct {
						Error struct {
							Code string `json:"code"`
						} `json:"error"`
					}
					json.NewDecoder(res.Body).Decode(&e)
					code = e.Error.Code
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			mu.Lock()
			statuses[st]++
			if code != "" {
				codes[code]++
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return statuses, codes, time.Since(start)
}

// sameCheckouts stores n orders made by newOrder through the store's
// order transaction and then records a session for each order it took,
// as the checkout does, from at most 100 goroutines at once (the rush's
// connections), without HTTP, validation, idempotency or a payment
// provider. It returns how many orders were taken and the time they took.
func sameCheckouts(ctx context.Context, db *store.DB, n int, newOrder func(i int) *market.Order) (int, time.Duration) {
	orders := make([]*market.Order, n)
	for i := range orders {
		o := newOrder(i)
		_, o.AccessHash = market.NewAccessToken()
		o.CreatedAt = time.Now().UTC()
		o.ExpiresAt = o.CreatedAt.Add(market.DefaultHoldTime)
		orders[i] = o
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	slots := make(chan struct{}, 100)
	start := time.Now()
	for _, o := range orders {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			if db.CreateOrder(ctx, o) != nil {
				return
			}
			if db.SetOrderSession(ctx, o.ID, "cs_demo_"+o.ID) == nil {
				mu.Lock()
				taken++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return taken, time.Since(start)
}

// rawRush runs n concurrent executions of a raw conditional update on raw
// and returns how many changed a row, and the time they all took.
func rawRush(ctx context.Context, raw *sql.DB, n int, query string, args ...any) (int, time.Duration) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	changed := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := raw.ExecContext(ctx, query, args...)
			if err == nil {
				if k, _ := res.RowsAffected(); k == 1 {
					mu.Lock()
					changed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return changed, time.Since(start)
}
