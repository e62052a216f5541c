package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// walletListing measures GET /api/v1/wallet (a citizen's vouchers with
// their stories) on each engine, next to the same reads run raw.
func walletListing(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "wallet", walletRead)
}

// walletHolder is the address whose wallet is read: 12 vouchers with two
// redemptions each, among 3,000 vouchers of other buyers.
const walletHolder = "awa@bench.local"

func walletRead(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
	m, err := db.Merchant(ctx, "boulangerie-du-quartier")
	if err != nil {
		return bench.Row{}, err
	}
	for i := 0; i < 3012; i++ {
		buyer := fmt.Sprintf("buyer%d@bench.local", i)
		if i < 12 {
			buyer = walletHolder
		}
		code, err := issueTo(ctx, db, m, buyer, 5000)
		if err != nil {
			return bench.Row{}, err
		}
		if i < 12 {
			for r := 0; r < 2; r++ {
				if err := db.Redeem(ctx, &market.Redemption{ID: market.NewID("red"), VoucherCode: code, MerchantID: m.ID,
					Amount: 500, ActorID: "bench", CreatedAt: time.Now()}); err != nil {
					return bench.Row{}, err
				}
			}
		}
	}
	// A wallet session, as the mailed link opens one.
	_, linkHash := market.NewAccessToken()
	now := time.Now()
	if err := db.CreateWalletLink(ctx, linkHash, walletHolder, now, now.Add(time.Hour),
		&market.Mail{To: walletHolder, Subject: "bench", Text: "bench"}); err != nil {
		return bench.Row{}, err
	}
	token, hash := market.NewAccessToken()
	if err := db.OpenWalletLink(ctx, linkHash, hash, &market.WalletSession{ID: market.NewID("wal"), CreatedAt: now,
		ExpiresAt: now.Add(time.Hour)}); err != nil {
		return bench.Row{}, err
	}
	wallet := &market.WalletService{Store: db}
	base, stop, err := serve(api.New(api.Config{BaseURL: "http://bench.local", Catalogue: db, Orders: db, Wallet: wallet,
		Logger: accessLogger()}))
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	u := base + "/api/v1/wallet"
	req := func() *http.Request {
		r, _ := http.NewRequest("GET", u, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return r
	}
	figure := bench.Load(ctx, *conns, *duration, req, func(s int) bool { return s == 200 })

	// The same reads, raw: the session, the vouchers and their entries, in
	// one read transaction, as many as the same connections can.
	raw := db.RawReadDB()
	var done atomic.Int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if rawWallet(ctx, raw, hash) == nil {
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	rawPerSec := float64(done.Load()) / duration.Seconds()
	return bench.Row{
		Scenario: "wallet listing " + engine,
		Figure:   figure.String(),
		Baseline: fmt.Sprintf("the same reads raw: %.0f/s", rawPerSec),
		Ratio:    figure.PerSecond() / rawPerSec,
		Note:     "12 vouchers with 2 redemptions each, among 3,012; session, vouchers and entries in one read transaction",
	}, nil
}

// rawWallet runs the wallet's reads without HTTP, JSON or the domain: the
// session, the vouchers and their entries, in one read transaction.
func rawWallet(ctx context.Context, raw *sql.DB, hash string) error {
	tx, err := raw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var email string
	if err := tx.QueryRowContext(ctx, `SELECT email FROM wallet_sessions WHERE token_hash = $1 AND revoked_at = 0
		AND expires_at > $2`, hash, time.Now().UnixMilli()).Scan(&email); err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	for _, q := range []string{
		`SELECT v.id, v.code, m.name, v.balance, v.bonus, v.status, o.buyer_name FROM vouchers v
			JOIN merchants m ON m.id = v.merchant_id LEFT JOIN orders o ON o.id = v.order_id
			WHERE v.id IN (SELECT wv.id FROM orders wo JOIN vouchers wv ON wv.order_id = wo.id WHERE wo.buyer_email = $1
				UNION SELECT wv.id FROM vouchers wv WHERE wv.recipient_email = $1 AND wv.deliver_at <= $2)
			ORDER BY v.created_at DESC`,
		`SELECT e.voucher_id, e.kind, e.amount, e.created_at, COALESCE(mr.name, '') FROM voucher_entries e
			JOIN vouchers v ON v.id = e.voucher_id LEFT JOIN orders o ON o.id = v.order_id
			LEFT JOIN redemptions r ON r.id = e.reference LEFT JOIN merchants mr ON mr.id = r.merchant_id
			WHERE v.id IN (SELECT wv.id FROM orders wo JOIN vouchers wv ON wv.order_id = wo.id WHERE wo.buyer_email = $1
				UNION SELECT wv.id FROM vouchers wv WHERE wv.recipient_email = $1 AND wv.deliver_at <= $2)
			ORDER BY e.voucher_id, e.created_at`,
	} {
		rows, err := tx.QueryContext(ctx, q, email, now)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// issueTo writes a paid voucher of amount at the merchant bought by buyer,
// straight to the store (setup, not measured).
func issueTo(ctx context.Context, db *store.DB, m *market.Merchant, buyer string, amount int64) (string, error) {
	_, hash := market.NewAccessToken()
	o := &market.Order{MerchantID: m.ID, Status: market.OrderPending, BuyerEmail: buyer, BuyerName: "Awa", Currency: m.Currency,
		Total: amount, AccessHash: hash, Items: []*market.OrderItem{{Kind: market.KindGiftCertificate, Amount: amount, Quantity: 1}}}
	if err := db.CreateOrder(ctx, o); err != nil {
		return "", err
	}
	v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: m.ID, OrderID: o.ID, Initial: amount,
		Balance: amount, Currency: m.Currency, Status: market.VoucherActive, CreatedAt: time.Now()}
	_, err := db.FulfilOrder(ctx, &market.Fulfilment{OrderID: o.ID, PaidAt: time.Now(), Vouchers: []*market.Voucher{v}})
	return v.Code, err
}
