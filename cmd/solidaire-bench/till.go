package main

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// tillShop serves the merchant routes of db as the real server does.
func tillShop(db *store.DB) (string, func(), error) {
	mem := cache.NewMemory()
	generous := api.Rate{Count: 1 << 30, Per: time.Minute}
	h := api.New(api.Config{BaseURL: "http://bench.local", Catalogue: db, Orders: db, Idempotency: db, Logger: accessLogger(),
		SignIn: &market.SignIn{Store: db}, Merchants: db, Till: &market.Till{Store: db, Feed: mem}, Onboarding: db, Feed: mem,
		Limiter: mem, Limits: api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous,
			LookupsPerDevice: generous, LoginPerIP: generous, LoginPerAccount: generous}})
	return serve(h)
}

// ownerToken makes an owner of the merchant with an open session and
// returns its bearer token.
func ownerToken(ctx context.Context, db *store.DB, m *market.Merchant) (string, error) {
	u := &market.User{Email: "owner-" + m.ID + "@bench.local", PasswordHash: "-"}
	if err := db.CreateUser(ctx, u); err != nil {
		return "", err
	}
	if err := db.GrantMerchant(ctx, u.ID, m.ID, market.RoleOwner); err != nil {
		return "", err
	}
	secret, _ := market.NewAccessToken()
	token := market.SessionTokenPrefix + secret // tagged, as the sign-in service issues them
	hash := market.HashToken(token)
	now := time.Now()
	return token, db.CreateSession(ctx, &market.Session{ID: market.NewID("ses"), TokenHash: hash, UserID: u.ID,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
}

// issue writes a paid voucher of amount at the merchant straight to the
// store (setup, not measured).
func issue(ctx context.Context, db *store.DB, m *market.Merchant, amount int64) (string, error) {
	_, hash := market.NewAccessToken()
	o := &market.Order{MerchantID: m.ID, Status: market.OrderPending, BuyerEmail: "bench@example.org", Currency: m.Currency,
		Total: amount, AccessHash: hash, Items: []*market.OrderItem{{Kind: market.KindGiftCertificate, Amount: amount, Quantity: 1}}}
	if err := db.CreateOrder(ctx, o); err != nil {
		return "", err
	}
	v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: m.ID, OrderID: o.ID, Initial: amount,
		Balance: amount, Currency: m.Currency, Status: market.VoucherActive, CreatedAt: time.Now()}
	_, err := db.FulfilOrder(ctx, &market.Fulfilment{OrderID: o.ID, PaidAt: time.Now(), Vouchers: []*market.Voucher{v}})
	return v.Code, err
}

func post(client *http.Client, url, token, key, body string) (int, error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// redeemRace sends 100 concurrent redemptions of 1,00 on a 50,00 voucher:
// 50 must succeed. Baseline: 100 concurrent raw conditional UPDATEs on the
// same database.
func redeemRace(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "redeem race", race)
}

func race(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
	m, err := db.Merchant(ctx, "boulangerie-du-quartier")
	if err != nil {
		return bench.Row{}, err
	}
	token, err := ownerToken(ctx, db, m)
	if err != nil {
		return bench.Row{}, err
	}
	base, stop, err := tillShop(db)
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	const n, rounds = 100, 10
	// rounds runs one untimed round (connections opened, statements
	// prepared, pages read: every way is measured warm), then the timed
	// ones, each on a fresh 50,00 voucher with n concurrent calls of
	// redeem, which reports a success; it returns their time and successes.
	timed := func(redeem func(code string, round, i int) bool) (time.Duration, int, error) {
		var total time.Duration
		ok := 0
		for r := -1; r < rounds; r++ {
			code, err := issue(ctx, db, m, 5000)
			if err != nil {
				return 0, 0, err
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			start := time.Now()
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					if redeem(code, r, i) && r >= 0 {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}(i)
			}
			wg.Wait()
			if r >= 0 {
				total += time.Since(start)
			}
		}
		return total, ok, nil
	}
	endPhase := serverPhase("redeem race " + engine)
	total, ok, err := timed(func(code string, r, i int) bool {
		st, _ := post(client, base+"/api/v1/merchant/vouchers/"+code+"/redemptions", token, fmt.Sprintf("race-key-%04d-%04d", r+1, i), `{"amount": 100}`)
		return st == 201
	})
	peak := endPhase()
	if err != nil {
		return bench.Row{}, err
	}
	// The same writes raw: the store's redemption transaction (the debit,
	// its ledger entry, the redemption row; on a refusal the read that
	// words it), called directly, without HTTP, auth or idempotency.
	sameTotal, sameOK, err := timed(func(code string, _, _ int) bool {
		return sameRedeem(ctx, db, m.ID, code, 100) == nil
	})
	if err != nil {
		return bench.Row{}, err
	}
	raw, _ := db.RawDB()
	rawTotal, rawOK, err := timed(func(code string, _, _ int) bool {
		res, err := raw.ExecContext(ctx, `UPDATE vouchers SET balance = balance - $1 WHERE code = $2 AND balance >= $1`, 100, code)
		if err != nil {
			return false
		}
		k, _ := res.RowsAffected()
		return k == 1
	})
	if err != nil {
		return bench.Row{}, err
	}
	perSec := float64(n*rounds) / total.Seconds()
	rawPerSec := float64(n*rounds) / rawTotal.Seconds()
	samePerSec := float64(n*rounds) / sameTotal.Seconds()
	return bench.Row{
		Scenario:  "redeem race " + engine,
		Figure:    fmt.Sprintf("%.0f redemptions/s, %d of %d succeeded", perSec, ok, n*rounds),
		Baseline:  fmt.Sprintf("raw conditional UPDATE: %.0f/s, %d succeeded", rawPerSec, rawOK),
		Ratio:     perSec / rawPerSec,
		PeakRSS:   peak,
		Same:      fmt.Sprintf("%.0f/s, %d succeeded", samePerSec, sameOK),
		SameRatio: perSec / samePerSec,
		Note:      fmt.Sprintf("%d rounds (after one untimed) of %d concurrent redemptions of 1,00 on a 50,00 voucher: exactly %d must succeed", rounds, n, rounds*50),
	}, nil
}

// scanLatency paces scan + redeem pairs at 20 per second from 50
// merchants' tills and reports their latency, next to the p99 of the raw
// redemption transaction.
func scanLatency(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "scan+redeem latency", latency)
}

func latency(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
	type till struct{ token, code, merchant string }
	var tills []till
	for i := 0; i < 50; i++ {
		m := &market.Merchant{Slug: fmt.Sprintf("bench-%02d", i), Name: fmt.Sprintf("Commerce %d", i), Category: "cafe", City: "Montréal",
			Currency: market.CAD, Accepts: []market.ItemKind{market.KindGiftCertificate}, MinAmount: 100, MaxAmount: 100000,
			Status: market.MerchantApproved}
		if err := db.CreateMerchant(ctx, m); err != nil {
			return bench.Row{}, err
		}
		token, err := ownerToken(ctx, db, m)
		if err != nil {
			return bench.Row{}, err
		}
		code, err := issue(ctx, db, m, 100000)
		if err != nil {
			return bench.Row{}, err
		}
		tills = append(tills, till{token, code, m.ID})
	}
	base, stop, err := tillShop(db)
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	d := *duration * 2
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	failed, seq := 0, 0
	// Each till scans and redeems once first, untimed: connections opened
	// and statements prepared, so that what is measured (a p99 of some
	// 200 pairs is their second slowest) is the till's steady state, as
	// for the baselines below.
	for i, t := range tills {
		post(client, base+"/api/v1/merchant/scan", t.token, "", `{"code": "`+t.code+`"}`)
		post(client, base+"/api/v1/merchant/vouchers/"+t.code+"/redemptions", t.token, fmt.Sprintf("latency-warm-%08d", i), `{"amount": 1}`)
	}
	endPhase := serverPhase("scan+redeem " + engine)
	for time.Now().Before(deadline) {
		<-tick.C
		t := tills[rand.Intn(len(tills))]
		seq++
		wg.Add(1)
		go func(seq int) {
			defer wg.Done()
			start := time.Now()
			st1, err1 := post(client, base+"/api/v1/merchant/scan", t.token, "", `{"code": "`+t.code+`"}`)
			st2, err2 := post(client, base+"/api/v1/merchant/vouchers/"+t.code+"/redemptions", t.token, fmt.Sprintf("latency-key-%08d", seq), `{"amount": 1}`)
			el := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			if err1 != nil || err2 != nil || st1 != 200 || st2 != 201 {
				failed++
				return
			}
			lat = append(lat, el)
		}(seq)
	}
	wg.Wait()
	peak := endPhase()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })

	// The same writes raw: the scan's read and the store's redemption
	// transaction, called directly, paced as the pairs were.
	var sameLat []time.Duration
	sameTick := time.NewTicker(50 * time.Millisecond)
	defer sameTick.Stop()
	for i := -10; i < len(lat) && i < 200; i++ { // the first ten untimed
		<-sameTick.C
		t := tills[rand.Intn(len(tills))]
		start := time.Now()
		if _, err := db.VoucherAt(ctx, t.code, t.merchant); err != nil {
			return bench.Row{}, err
		}
		if err := sameRedeem(ctx, db, t.merchant, t.code, 1); err != nil {
			return bench.Row{}, err
		}
		if i >= 0 {
			sameLat = append(sameLat, time.Since(start))
		}
	}
	sort.Slice(sameLat, func(i, j int) bool { return sameLat[i] < sameLat[j] })

	// Baseline: the redemption's transaction in raw SQL, at the same pace.
	raw, _ := db.RawDB()
	var rawLat []time.Duration
	for i := -10; i < 200; i++ { // the first ten untimed
		t := tills[(i+len(tills))%len(tills)]
		start := time.Now()
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return bench.Row{}, err
		}
		var id string
		var bal int64
		err = tx.QueryRowContext(ctx, `UPDATE vouchers SET balance = balance - 1 WHERE code = $1 AND balance >= 1 RETURNING id, balance`, t.code).Scan(&id, &bal)
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at)
				VALUES ($1, $2, 'redeem', -1, $3, '', $4)`, market.NewID("ent"), id, bal, time.Now().UnixMilli())
		}
		if err != nil {
			tx.Rollback()
			return bench.Row{}, err
		}
		if err := tx.Commit(); err != nil {
			return bench.Row{}, err
		}
		if i >= 0 {
			rawLat = append(rawLat, time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	sort.Slice(rawLat, func(i, j int) bool { return rawLat[i] < rawLat[j] })
	if len(lat) == 0 {
		return bench.Row{}, fmt.Errorf("no successful pair (%d failed)", failed)
	}
	p := func(l []time.Duration, q float64) time.Duration { return l[int(float64(len(l)-1)*q)] }
	return bench.Row{
		Scenario: "scan+redeem latency " + engine,
		Figure:   fmt.Sprintf("p50 %s, p99 %s (%d pairs at 20/s, %d failed)", ms(p(lat, .5)), ms(p(lat, .99)), len(lat), failed),
		Baseline: fmt.Sprintf("raw redemption transaction: p50 %s, p99 %s", ms(p(rawLat, .5)), ms(p(rawLat, .99))),
		Ratio:    float64(p(rawLat, .99)) / float64(p(lat, .99)),
		PeakRSS:  peak,
		Same: fmt.Sprintf("scan read + redemption transaction: p50 %s, p99 %s (pair p99 %+.2f ms)", ms(p(sameLat, .5)), ms(p(sameLat, .99)),
			float64((p(lat, .99)-p(sameLat, .99)).Microseconds())/1000),
		SameRatio: float64(p(sameLat, .99)) / float64(p(lat, .99)),
		Note:      "ratios: baseline p99 / pair p99 (higher is better); a pair is two HTTP requests",
	}, nil
}

// sameRedeem runs the store's redemption transaction for amount on the
// merchant's voucher code, as the till does, without a claim.
func sameRedeem(ctx context.Context, db *store.DB, merchantID, code string, amount int64) error {
	return db.Redeem(ctx, &market.Redemption{ID: market.NewID("red"), VoucherCode: code, MerchantID: merchantID, Amount: amount,
		ActorID: "bench", ActorName: "Banc d'essai", CreatedAt: time.Now().UTC()})
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
