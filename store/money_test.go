package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// paidOrder is a paid order of amount with one voucher, paid by the payment
// intent "pi_" + the order id.
func paidOrder(t *testing.T, db *store.DB, amount int64) (*market.Order, *market.Voucher) {
	t.Helper()
	o := order(t, db, amount)
	f := fulfilment(o, "evt_paid_"+o.ID)
	f.PaymentIntent, f.AmountPaid = "pi_"+o.ID, amount
	if out, err := db.FulfilOrder(context.Background(), f); err != nil || out != market.OutcomeFulfilled {
		t.Fatalf("fulfil: %s %v", out, err)
	}
	return o, f.Vouchers[0]
}

func redeem(db *store.DB, v *market.Voucher, amount int64) (*market.Redemption, error) {
	r := &market.Redemption{ID: market.NewID("red"), VoucherCode: v.Code, MerchantID: v.MerchantID, Amount: amount,
		ActorID: "usr_test", ActorName: "Test", CreatedAt: now}
	return r, db.Redeem(context.Background(), r)
}

// checkLedger fails the test unless every voucher's stored balance is the
// sum of its ledger.
func checkLedger(t *testing.T, db *store.DB) {
	t.Helper()
	if bad, err := db.LedgerMismatches(context.Background()); err != nil || len(bad) > 0 {
		t.Fatalf("ledger mismatches: %v %v", bad, err)
	}
}

func TestIdempotencyInTheMoneyTransaction(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, v := paidOrder(t, db, 5000)
		answers := 0
		claim := func(key string) *market.Claim {
			return &market.Claim{Scope: "redeem:usr_test", Key: key, Hash: "h-" + key, Answer: func(result any) (int, []byte, error) {
				answers++
				r := result.(*market.Redemption)
				b, _ := json.Marshal(map[string]int64{"balance_after": r.BalanceAfter})
				return 201, b, nil
			}}
		}
		c := claim("key-one-0000000000")
		r := &market.Redemption{ID: market.NewID("red"), VoucherCode: v.Code, MerchantID: v.MerchantID, Amount: 1000, ActorID: "usr_test", CreatedAt: now}
		if err := db.Redeem(market.WithClaim(ctx, c), r); err != nil || !c.Kept || string(c.Body) != `{"balance_after":4000}` {
			t.Fatalf("first: %v kept=%v %s", err, c.Kept, c.Body)
		}
		hash, status, body, found, err := db.IdempotentAnswer(ctx, "redeem:usr_test", "key-one-0000000000")
		if err != nil || !found || status != 201 || hash != "h-key-one-0000000000" || string(body) != `{"balance_after":4000}` {
			t.Fatalf("stored: %v %v %d %s %s", err, found, status, hash, body)
		}

		t.Run("ErrIdempotentReplay", func(t *testing.T) {
			// A second request with the key (a concurrent retry) writes
			// nothing: its whole transaction rolls back.
			c2 := claim("key-one-0000000000")
			r2 := &market.Redemption{ID: market.NewID("red"), VoucherCode: v.Code, MerchantID: v.MerchantID, Amount: 1000, ActorID: "usr_test", CreatedAt: now}
			if err := db.Redeem(market.WithClaim(ctx, c2), r2); code(err) != market.EIdempotentReplay {
				t.Fatalf("replay: %v", err)
			}
			if got, _ := db.Voucher(ctx, v.Code); got.Balance != 4000 {
				t.Fatalf("balance %d after a replay, want 4000", got.Balance)
			}
		})
		t.Run("RefusalWritesNoKey", func(t *testing.T) {
			c3 := claim("key-two-0000000000")
			r3 := &market.Redemption{ID: market.NewID("red"), VoucherCode: v.Code, MerchantID: v.MerchantID, Amount: 99999, ActorID: "usr_test", CreatedAt: now}
			if err := db.Redeem(market.WithClaim(ctx, c3), r3); code(err) != market.EInsufficientBalance {
				t.Fatalf("short: %v", err)
			}
			if _, _, _, found, _ := db.IdempotentAnswer(ctx, "redeem:usr_test", "key-two-0000000000"); found || c3.Kept {
				t.Fatal("a refused debit kept its key in the money transaction")
			}
		})
		t.Run("KeepAndFinish", func(t *testing.T) {
			if err := db.KeepAnswer(ctx, "checkout:", "k-unfinished-000000", "h", 0, []byte(`{"order":{"id":"o"}}`)); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.StuckIdempotent(ctx, -time.Hour); n != 1 {
				t.Fatalf("stuck: %d, want 1", n)
			}
			if err := db.FinishAnswer(ctx, "checkout:", "k-unfinished-000000", 201, []byte(`{"done":true}`)); err != nil {
				t.Fatal(err)
			}
			if err := db.FinishAnswer(ctx, "checkout:", "k-unfinished-000000", 500, []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			if _, status, body, _, _ := db.IdempotentAnswer(ctx, "checkout:", "k-unfinished-000000"); status != 201 || string(body) != `{"done":true}` {
				t.Fatalf("finished: %d %s", status, body)
			}
			if n, _ := db.StuckIdempotent(ctx, -time.Hour); n != 0 {
				t.Fatalf("stuck: %d, want 0", n)
			}
			db.SetClock(func() time.Time { return now.Add(48 * time.Hour) })
			defer db.SetClock(func() time.Time { return now })
			if n, err := db.PurgeIdempotent(ctx, 24*time.Hour); n != 2 || err != nil {
				t.Fatalf("purge: %d %v", n, err)
			}
		})
		checkLedger(t, db)
	})
}

// TestBonusRace is the race: 20 concurrent redemptions of 3,00 on a
// voucher of 100,00 paid and 20,00 of live bonus. Exactly the affordable 20
// succeed (60,00 of 120,00), every balance_after distinct and true, the
// bonus spent first.
func TestBonusRace(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := order(t, db, 10000)
		v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: o.MerchantID, OrderID: o.ID,
			Initial: 10000, Balance: 10000, Bonus: 2000, BonusExpiresAt: now.Add(time.Hour), Currency: market.CAD,
			Status: market.VoucherActive, CreatedAt: now}
		f := &market.Fulfilment{EventID: "evt_bonus", EventType: market.PaymentCompleted, OrderID: o.ID, PaidAt: now, AmountPaid: 10000,
			Vouchers: []*market.Voucher{v}}
		if _, err := db.FulfilOrder(ctx, f); err != nil {
			t.Fatal(err)
		}
		const n, amount = 45, 300 // 45 × 3,00 = 135,00 asked of 120,00: 40 fit
		var wg sync.WaitGroup
		var mu sync.Mutex
		var afters []int64
		refused := 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := redeem(db, v, amount)
				mu.Lock()
				defer mu.Unlock()
				switch code(err) {
				case "":
					afters = append(afters, r.BalanceAfter)
				case market.EInsufficientBalance:
					refused++
				default:
					t.Errorf("redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		if len(afters) != 40 || refused != 5 {
			t.Fatalf("%d succeeded, %d refused; want 40 and 5", len(afters), refused)
		}
		sort.Slice(afters, func(i, j int) bool { return afters[i] > afters[j] })
		for i, a := range afters {
			if want := int64(12000 - (i+1)*amount); a != want {
				t.Fatalf("balance_after #%d = %d, want %d (all: %v)", i, a, want, afters)
			}
		}
		got, _ := db.Voucher(ctx, v.Code)
		if got.Balance != 0 || got.Bonus != 0 {
			t.Fatalf("left %d paid + %d bonus, want 0 + 0", got.Balance, got.Bonus)
		}
		checkLedger(t, db)
	})
}

func TestLedgerAppendOnly(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		_, v := paidOrder(t, db, 2500)
		raw, _ := db.RawDB()
		for _, q := range []string{
			`UPDATE voucher_entries SET amount = 999999 WHERE voucher_id = $1`,
			`DELETE FROM voucher_entries WHERE voucher_id = $1`,
		} {
			if _, err := raw.Exec(q, v.ID); err == nil {
				t.Errorf("%s: allowed, want refused", q)
			}
		}
		checkLedger(t, db)
	})
}

func TestDisputes(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dispute := func(id, status string) *market.Dispute { return &market.Dispute{ID: id, Amount: 5000, Status: status} }

		t.Run("FreezeThenWon", func(t *testing.T) {
			o, v := paidOrder(t, db, 5000)
			if _, err := redeem(db, v, 1000); err != nil {
				t.Fatal(err)
			}
			out, err := db.OpenDispute(ctx, "evt_dc_1", "pi_"+o.ID, dispute("dp_1", "needs_response"), now)
			if err != nil || out != market.OutcomeDisputeOpened {
				t.Fatalf("open: %s %v", out, err)
			}
			if out, _ := db.OpenDispute(ctx, "evt_dc_1", "pi_"+o.ID, dispute("dp_1", "needs_response"), now); out != market.OutcomeDuplicate {
				t.Fatalf("same event again: %s", out)
			}
			if _, err := redeem(db, v, 100); code(err) != market.EVoucherDisputed {
				t.Fatalf("redeem a disputed voucher: %v", err)
			}
			if got, _ := db.Voucher(ctx, v.Code); got.Status != market.VoucherDisputed || got.Balance != 4000 {
				t.Fatalf("frozen: %s %d", got.Status, got.Balance)
			}
			if out, err := db.CloseDispute(ctx, "evt_dx_1", "pi_"+o.ID, dispute("dp_1", "won"), now); err != nil || out != market.OutcomeDisputeWon {
				t.Fatalf("won: %s %v", out, err)
			}
			if _, err := redeem(db, v, 100); err != nil {
				t.Fatalf("redeem after a won dispute: %v", err)
			}
		})
		t.Run("Lost", func(t *testing.T) {
			o, v := paidOrder(t, db, 5000)
			redeem(db, v, 1500)
			db.OpenDispute(ctx, "evt_dc_2", "pi_"+o.ID, dispute("dp_2", "needs_response"), now)
			if out, err := db.CloseDispute(ctx, "evt_dx_2", "pi_"+o.ID, dispute("dp_2", "lost"), now); err != nil || out != market.OutcomeDisputeLost {
				t.Fatalf("lost: %s %v", out, err)
			}
			got, _ := db.Voucher(ctx, v.Code)
			if got.Status != market.VoucherVoid || got.Balance != 0 {
				t.Fatalf("after a lost dispute: %s %d", got.Status, got.Balance)
			}
			entries, _ := db.VoucherLedger(ctx, v.Code)
			var list []string
			for _, e := range entries {
				list = append(list, fmt.Sprintf("%s:%d", e.Kind, e.Amount))
			}
			sort.Strings(list)
			if kinds := fmt.Sprint(list); kinds != "[freeze:0 issue:5000 redeem:-1500 void:-3500]" {
				t.Fatalf("ledger: %s", kinds)
			}
		})
		t.Run("ClosedBeforeOpened", func(t *testing.T) {
			o, v := paidOrder(t, db, 5000)
			if out, _ := db.CloseDispute(ctx, "evt_dx_3", "pi_"+o.ID, dispute("dp_3", "won"), now); out != market.OutcomeDisputeWon {
				t.Fatalf("closed first: %s", out)
			}
			if out, _ := db.OpenDispute(ctx, "evt_dc_3", "pi_"+o.ID, dispute("dp_3", "needs_response"), now); out != market.OutcomeDuplicate {
				t.Fatalf("opened after its end: %s", out)
			}
			if _, err := redeem(db, v, 100); err != nil {
				t.Fatalf("a dispute won before it was seen open froze the voucher: %v", err)
			}
		})
		t.Run("UnknownOrder", func(t *testing.T) {
			if out, err := db.OpenDispute(ctx, "evt_dc_4", "pi_nobody", dispute("dp_4", "needs_response"), now); err != nil || out != market.OutcomeUnknownOrder {
				t.Fatalf("unknown: %s %v", out, err)
			}
		})
		checkLedger(t, db)
	})
}

func TestChargeRefunded(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("PartialThenFullAnyOrder", func(t *testing.T) {
			o, v := paidOrder(t, db, 5000)
			// The full refund's event arrives first, then the partial one's,
			// then the full one again: 5000 is voided once.
			if out, err := db.ApplyChargeRefund(ctx, "evt_cr_full", "pi_"+o.ID, 5000, now); err != nil || out != market.OutcomeRefundApplied {
				t.Fatalf("full: %s %v", out, err)
			}
			if out, _ := db.ApplyChargeRefund(ctx, "evt_cr_part", "pi_"+o.ID, 2000, now); out != market.OutcomeRefundKnown {
				t.Fatalf("older partial: %s", out)
			}
			if out, _ := db.ApplyChargeRefund(ctx, "evt_cr_full", "pi_"+o.ID, 5000, now); out != market.OutcomeDuplicate {
				t.Fatalf("again: %s", out)
			}
			got, _ := db.Voucher(ctx, v.Code)
			if got.Status != market.VoucherVoid || got.Balance != 0 {
				t.Fatalf("after a full refund: %s %d", got.Status, got.Balance)
			}
		})
		t.Run("PartialNeverBelowZero", func(t *testing.T) {
			o, v := paidOrder(t, db, 5000)
			redeem(db, v, 4000)
			if out, _ := db.ApplyChargeRefund(ctx, "evt_cr_2", "pi_"+o.ID, 2500, now); out != market.OutcomeRefundApplied {
				t.Fatalf("partial: %s", out)
			}
			got, _ := db.Voucher(ctx, v.Code)
			if got.Balance != 0 || got.Status != market.VoucherVoid {
				t.Fatalf("spent voucher after a refund larger than its balance: %s %d", got.Status, got.Balance)
			}
		})
		t.Run("PartialKeepsTheRest", func(t *testing.T) {
			o, v := paidOrder(t, db, 5000)
			db.ApplyChargeRefund(ctx, "evt_cr_3a", "pi_"+o.ID, 1000, now)
			db.ApplyChargeRefund(ctx, "evt_cr_3b", "pi_"+o.ID, 1500, now)
			got, _ := db.Voucher(ctx, v.Code)
			if got.Balance != 3500 || got.Status != market.VoucherActive {
				t.Fatalf("after refunds of 10,00 then 5,00 more: %s %d", got.Status, got.Balance)
			}
		})
		checkLedger(t, db)
	})
}

func TestReviewRefund(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := order(t, db, 5000)
		if out, _ := db.ReviewOrder(ctx, "evt_rv", o.ID, "pi_"+o.ID, 4900, "paid 49 for 50"); out != market.OutcomeAmountMismatch {
			t.Fatalf("review: %s", out)
		}
		if list, _ := db.OrdersByStatus(ctx, market.OrderReview, 10); len(list) != 1 || list[0].AmountPaid != 4900 {
			t.Fatalf("in review: %+v", list)
		}
		r, err := db.RefundReviewOrder(ctx, o.ID, &market.Mail{To: o.BuyerEmail, Subject: "Remboursé", Text: "…"}, now)
		if err != nil || r.Amount != 4900 || r.PaymentIntent != "pi_"+o.ID {
			t.Fatalf("refund: %+v %v", r, err)
		}
		if _, err := db.RefundReviewOrder(ctx, o.ID, nil, now); code(err) != market.EConflict {
			t.Fatalf("twice: %v", err)
		}
		claimed, err := db.ClaimRefund(ctx, o.ID, now, time.Minute)
		if err != nil || claimed.ID != o.ID {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if _, err := db.ClaimRefund(ctx, o.ID, now, time.Minute); code(err) != market.ENotFound {
			t.Fatalf("leased twice: %v", err)
		}
		if err := db.RefundAttempted(ctx, o.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := db.RefundPaid(ctx, o.ID, "re_1", now); err != nil {
			t.Fatal(err)
		}
		// Stripe's charge.refunded for Solidaire's own refund voids nothing.
		if out, _ := db.ApplyChargeRefund(ctx, "evt_cr_own", "pi_"+o.ID, 4900, now); out != market.OutcomeRefundKnown {
			t.Fatalf("own refund's event: %s", out)
		}
		got, _ := db.Order(ctx, o.ID)
		if got.Status != market.OrderRefunded {
			t.Fatalf("status %s", got.Status)
		}
	})
}

func TestLeases(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		take := func(holder string, at time.Time) bool {
			ok, err := db.TakeLease(ctx, "reconcile", holder, at.Add(time.Minute), at)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !take("a", now) || take("b", now) || !take("a", now.Add(30*time.Second)) {
			t.Fatal("a lease must be one holder's, renewable by it")
		}
		if !take("b", now.Add(2*time.Minute)) {
			t.Fatal("an expired lease must go to another holder")
		}
		if err := db.DropLease(ctx, "reconcile", "b"); err != nil || !take("a", now.Add(2*time.Minute)) {
			t.Fatalf("a dropped lease must be free: %v", err)
		}
		// Concurrent takers: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := db.TakeLease(ctx, "race", fmt.Sprint("h", i), now.Add(time.Minute), now)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d holders took one lease", won)
		}
	})
}
