package main

import (
	"context"
	"fmt"
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
	base := "http://bench.local"
	mem := cache.NewMemory()
	generous := api.Rate{Count: 1 << 30, Per: time.Minute}
	checkout := &market.CheckoutService{Store: db, Payments: payments.NewDemo(base), Mail: mail.Composer{BaseURL: base}, BaseURL: base, Log: quiet()}
	h := api.New(api.Config{BaseURL: base, Catalogue: db, Checkout: checkout, Orders: db, Idempotency: db, Limiter: mem, Logger: accessLogger(),
		Limits: api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous, LookupsPerDevice: generous,
			LoginPerIP: generous, LoginPerAccount: generous}})
	url, stop, err := serve(h)
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100, MaxConnsPerHost: 100}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := time.Now()
	for i := 0; i < buyers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"buyer": {"email": "fan%d@example.org"}, "items": [{"kind": "ticket", "event": %q, "ticket_type": %q}]}`,
				i, e.ID, e.TicketTypes[0].ID)
			req, _ := http.NewRequest("POST", url+"/api/v1/checkout", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("spike-key-%08d", i))
			res, err := client.Do(req)
			st := 0
			if err == nil {
				res.Body.Close()
				st = res.StatusCode
			}
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
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
	rawStart := time.Now()
	rawSold := 0
	for i := 0; i < buyers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := raw.ExecContext(ctx, `UPDATE ticket_types SET seats_left = seats_left - 1 WHERE id = $1 AND seats_left >= 1`, e2.TicketTypes[0].ID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 1 {
					mu.Lock()
					rawSold++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	rawElapsed := time.Since(rawStart)
	perSec := float64(buyers) / elapsed.Seconds()
	rawPerSec := float64(buyers) / rawElapsed.Seconds()
	return bench.Row{
		Scenario: "on-sale spike " + engine,
		Figure:   fmt.Sprintf("%.0f checkouts/s; %d seats sold of %d (201: %d, 409: %d)", perSec, sold, seats, statuses[201], statuses[409]),
		Baseline: fmt.Sprintf("raw seat decrement: %.0f/s, %d sold", rawPerSec, rawSold),
		Ratio:    perSec / rawPerSec,
		Note:     fmt.Sprintf("%d concurrent buyers for %d seats", buyers, seats),
	}, nil
}
