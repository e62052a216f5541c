package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// order stores a pending order of one gift certificate at a new merchant.
func order(t *testing.T, db *store.DB, amount int64) *market.Order {
	t.Helper()
	ctx := context.Background()
	m, err := db.Merchant(ctx, "chez-lea")
	if err != nil {
		m = merchant("chez-lea", "Chez Léa", "restaurant", "Lyon")
		if err := db.CreateMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	_, hash := market.NewAccessToken()
	o := &market.Order{MerchantID: m.ID, Status: market.OrderPending, BuyerEmail: "awa@example.org", Lang: "fr",
		Currency: market.CAD, Total: amount, AccessHash: hash,
		Items: []*market.OrderItem{{Kind: market.KindGiftCertificate, Amount: amount, Quantity: 1}}}
	if err := db.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o
}

func fulfilment(o *market.Order, eventID string) *market.Fulfilment {
	v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: o.MerchantID, OrderID: o.ID,
		Initial: o.Total, Balance: o.Total, Currency: o.Currency, Status: market.VoucherActive, CreatedAt: now}
	return &market.Fulfilment{EventID: eventID, EventType: market.PaymentCompleted, OrderID: o.ID, PaidAt: now,
		Vouchers: []*market.Voucher{v}, Mails: []*market.Mail{{To: o.BuyerEmail, Subject: "Votre bon", Text: "Merci"}}}
}

func TestFulfilOrder(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("Once", func(t *testing.T) {
			o := order(t, db, 5000)
			if err := db.SetOrderSession(ctx, o.ID, "cs_"+o.ID); err != nil {
				t.Fatal(err)
			}
			out, err := db.FulfilOrder(ctx, fulfilment(o, "evt_1_"+o.ID))
			if err != nil || out != market.OutcomeFulfilled {
				t.Fatalf("first: %s, %v", out, err)
			}
			// Same event again; another event for the same payment; a late
			// expiry: nothing changes.
			if out, _ := db.FulfilOrder(ctx, fulfilment(o, "evt_1_"+o.ID)); out != market.OutcomeDuplicate {
				t.Fatalf("same event: %s", out)
			}
			if out, _ := db.FulfilOrder(ctx, fulfilment(o, "evt_2_"+o.ID)); out != market.OutcomeDuplicate {
				t.Fatalf("second event: %s", out)
			}
			if out, _ := db.ExpireOrder(ctx, "evt_3_"+o.ID, o.ID); out != market.OutcomeDuplicate {
				t.Fatalf("expiry after payment: %s", out)
			}
			got, err := db.OrderBySession(ctx, "cs_"+o.ID)
			if err != nil || got.Status != market.OrderPaid || got.PaidAt.IsZero() || len(got.Items) != 1 {
				t.Fatalf("order %+v, %v", got, err)
			}
			vs, err := db.OrderVouchers(ctx, o.ID)
			if err != nil || len(vs) != 1 || vs[0].Balance != 5000 || vs[0].MerchantSlug != "chez-lea" {
				t.Fatalf("vouchers %+v, %v", vs, err)
			}
			ledger, err := db.VoucherLedger(ctx, vs[0].Code)
			if err != nil || len(ledger) != 1 || ledger[0].Kind != market.EntryIssue || ledger[0].Amount != 5000 {
				t.Fatalf("ledger %+v, %v", ledger, err)
			}
			mails, _ := db.Mails(ctx, "", 100)
			if len(mails) != 1 || mails[0].Status != market.MailPending {
				t.Fatalf("mails %+v", mails)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			o := order(t, db, 2500)
			var wg sync.WaitGroup
			results := make(chan string, 16)
			for i := 0; i < 16; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					out, err := db.FulfilOrder(ctx, fulfilment(o, fmt.Sprintf("evt_c%d_%s", i%4, o.ID)))
					if err != nil {
						t.Error(err)
					}
					results <- out
				}(i)
			}
			wg.Wait()
			close(results)
			fulfilled := 0
			for out := range results {
				if out == market.OutcomeFulfilled {
					fulfilled++
				}
			}
			vs, _ := db.OrderVouchers(ctx, o.ID)
			if fulfilled != 1 || len(vs) != 1 {
				t.Fatalf("%d fulfilments, %d vouchers; want 1 and 1", fulfilled, len(vs))
			}
		})
		t.Run("ExpiredThenPaid", func(t *testing.T) {
			o := order(t, db, 1500)
			if out, _ := db.ExpireOrder(ctx, "evt_x_"+o.ID, o.ID); out != market.OutcomeExpired {
				t.Fatalf("expire: %s", out)
			}
			if out, _ := db.FulfilOrder(ctx, fulfilment(o, "evt_y_"+o.ID)); out != market.OutcomeFulfilled {
				t.Fatalf("a payment after the expiry must still be honoured: %s", out)
			}
		})
		t.Run("Review", func(t *testing.T) {
			o := order(t, db, 1500)
			if out, _ := db.ReviewOrder(ctx, "evt_r_"+o.ID, o.ID, "pi_r_"+o.ID, 1, "paid 1 cad"); out != market.OutcomeAmountMismatch {
				t.Fatalf("review: %s", out)
			}
			if out, _ := db.FulfilOrder(ctx, fulfilment(o, "evt_s_"+o.ID)); out != market.OutcomeDuplicate {
				t.Fatalf("an order under review must not be fulfilled: %s", out)
			}
			if _, err := db.ExpireOrder(ctx, "evt_z", "ord_unknown"); market.ErrorCode(err) != market.ENotFound {
				t.Fatalf("unknown order: %v", err)
			}
		})
		t.Run("PendingOrders", func(t *testing.T) {
			list, err := db.PendingOrders(ctx, now.Add(time.Hour), 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range list {
				if o.Status != market.OrderPending {
					t.Fatalf("pending list has %s", o.Status)
				}
			}
		})
		t.Run("Ledger", func(t *testing.T) {
			bad, err := db.LedgerMismatches(ctx)
			if err != nil || len(bad) != 0 {
				t.Fatalf("vouchers whose balance is not their ledger's sum: %v, %v", bad, err)
			}
		})
	})
}

// TestPayOrder applies paid checkout events the way the domain does, with
// the order read by the store's own transaction: fulfilled once whatever
// the deliveries, unknown orders and wrong amounts recorded, and nothing
// left behind when the build fails.
func TestPayOrder(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		paid := func(o *market.Order, eventID string) *market.PaymentEvent {
			return &market.PaymentEvent{ID: eventID, Type: market.PaymentCompleted, OrderID: o.ID, AmountTotal: o.Total,
				Currency: o.Currency, PaymentIntent: "pi_" + o.ID, PaymentPaid: true}
		}
		var builds atomic.Int64
		build := func(_ context.Context, o *market.Order, _ market.FulfilmentReader) (*market.Fulfilment, error) {
			builds.Add(1)
			return fulfilment(o, ""), nil
		}
		t.Run("Once", func(t *testing.T) {
			o := order(t, db, 4200)
			var seen *market.Order
			out, err := db.PayOrder(ctx, paid(o, "evt_p1_"+o.ID), now, func(ctx context.Context, got *market.Order, r market.FulfilmentReader) (*market.Fulfilment, error) {
				seen = got
				return build(ctx, got, r)
			})
			if err != nil || out != market.OutcomeFulfilled {
				t.Fatalf("first: %s, %v", out, err)
			}
			if seen == nil || seen.ID != o.ID || seen.MerchantSlug != "chez-lea" || seen.MerchantName != "Chez Léa" ||
				seen.BuyerEmail != o.BuyerEmail || seen.Lang != "fr" || seen.Total != 4200 || seen.Currency != market.CAD ||
				len(seen.Items) != 1 || seen.Items[0].Kind != market.KindGiftCertificate || seen.Items[0].Amount != 4200 {
				t.Fatalf("the build saw %+v", seen)
			}
			before := builds.Load()
			for _, ev := range []string{"evt_p1_" + o.ID, "evt_p2_" + o.ID} {
				if out, err := db.PayOrder(ctx, paid(o, ev), now, build); err != nil || out != market.OutcomeDuplicate {
					t.Fatalf("%s again: %s, %v", ev, out, err)
				}
			}
			if builds.Load() != before {
				t.Fatal("a duplicate built a fulfilment")
			}
			got, err := db.Order(ctx, o.ID)
			if err != nil || got.Status != market.OrderPaid || got.PaymentIntent != "pi_"+o.ID || got.AmountPaid != 4200 {
				t.Fatalf("order %+v, %v", got, err)
			}
			if vs, _ := db.OrderVouchers(ctx, o.ID); len(vs) != 1 {
				t.Fatalf("%d vouchers", len(vs))
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			o := order(t, db, 2600)
			before := builds.Load()
			var wg sync.WaitGroup
			results := make(chan string, 16)
			for i := 0; i < 16; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					out, err := db.PayOrder(ctx, paid(o, fmt.Sprintf("evt_pc%d_%s", i%4, o.ID)), now, build)
					if err != nil {
						t.Error(err)
					}
					results <- out
				}(i)
			}
			wg.Wait()
			close(results)
			fulfilled := 0
			for out := range results {
				if out == market.OutcomeFulfilled {
					fulfilled++
				}
			}
			vs, _ := db.OrderVouchers(ctx, o.ID)
			if fulfilled != 1 || len(vs) != 1 || builds.Load()-before != 1 {
				t.Fatalf("%d fulfilments, %d vouchers, %d builds; want 1 each", fulfilled, len(vs), builds.Load()-before)
			}
		})
		t.Run("UnknownOrder", func(t *testing.T) {
			ev := paid(&market.Order{ID: "ord_nope", Total: 100, Currency: market.CAD}, "evt_pu")
			for i := 0; i < 2; i++ {
				if out, err := db.PayOrder(ctx, ev, now, build); err != nil || out != market.OutcomeUnknownOrder {
					t.Fatalf("delivery %d: %s, %v", i, out, err)
				}
			}
		})
		t.Run("AmountMismatch", func(t *testing.T) {
			before := builds.Load()
			short := order(t, db, 3000)
			ev := paid(short, "evt_ps_"+short.ID)
			ev.AmountTotal = 300
			if out, err := db.PayOrder(ctx, ev, now, build); err != nil || out != market.OutcomeAmountMismatch {
				t.Fatalf("short payment: %s, %v", out, err)
			}
			got, _ := db.Order(ctx, short.ID)
			if got.Status != market.OrderReview || got.AmountPaid != 300 || got.PaymentIntent != "pi_"+short.ID ||
				got.ReviewNote != "paid 300 cad for an order of 3000 cad" {
				t.Fatalf("order in review: %+v", got)
			}
			if out, _ := db.PayOrder(ctx, ev, now, build); out != market.OutcomeDuplicate {
				t.Fatalf("short payment again: %s", out)
			}
			if out, _ := db.PayOrder(ctx, paid(short, "evt_pf_"+short.ID), now, build); out != market.OutcomeDuplicate {
				t.Fatalf("an order in review must not be fulfilled by a payment: %s", out)
			}
			euro := order(t, db, 3000)
			ev = paid(euro, "evt_pe_"+euro.ID)
			ev.Currency = market.EUR
			if out, _ := db.PayOrder(ctx, ev, now, build); out != market.OutcomeAmountMismatch {
				t.Fatalf("payment in another currency: %s", out)
			}
			if builds.Load() != before {
				t.Fatal("a payment of the wrong amount built a fulfilment")
			}
		})
		t.Run("BuildFails", func(t *testing.T) {
			o := order(t, db, 1800)
			ev := paid(o, "evt_pb_"+o.ID)
			// The reader reads within the payment's transaction.
			_, err := db.PayOrder(ctx, ev, now, func(ctx context.Context, o *market.Order, r market.FulfilmentReader) (*market.Fulfilment, error) {
				return nil, errorOf(r.Event(ctx, "evt_unknown"))
			})
			if market.ErrorCode(err) != market.ENotFound {
				t.Fatalf("a build that fails: %v", err)
			}
			got, _ := db.Order(ctx, o.ID)
			if got.Status != market.OrderPending || got.PaymentIntent != "" {
				t.Fatalf("a failed build left the order %+v", got)
			}
			if out, err := db.PayOrder(ctx, ev, now, build); err != nil || out != market.OutcomeFulfilled {
				t.Fatalf("redelivery after a failed build: %s, %v", out, err)
			}
		})
		if bad, err := db.LedgerMismatches(ctx); err != nil || len(bad) != 0 {
			t.Fatalf("ledger: %v, %v", bad, err)
		}
	})
}

// errorOf keeps a call's error.
func errorOf[T any](_ T, err error) error { return err }

func TestOutbox(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := order(t, db, 1000)
		f := fulfilment(o, "")
		f.Mails = append(f.Mails, &market.Mail{To: "jo@example.org", Subject: "Cadeau", Text: "Pour toi",
			Attachments: []market.Attachment{{Name: "qr.png", ContentType: "image/png", Data: []byte{1, 2, 3}, Inline: true}}})
		if _, err := db.FulfilOrder(ctx, f); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		claims := make(chan int, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ms, err := db.ClaimMail(ctx, 10, time.Minute)
				if err != nil {
					t.Error(err)
				}
				claims <- len(ms)
			}()
		}
		wg.Wait()
		close(claims)
		total := 0
		for n := range claims {
			total += n
		}
		if total != 2 {
			t.Fatalf("4 workers claimed %d mails, want 2 (each once)", total)
		}
		ms, _ := db.Mails(ctx, market.MailPending, 10)
		var gift *market.Mail
		for _, m := range ms {
			if m.To == "jo@example.org" {
				gift = m
			}
		}
		if gift == nil || len(gift.Attachments) != 1 || string(gift.Attachments[0].Data) != "\x01\x02\x03" {
			t.Fatalf("attachment not kept: %+v", gift)
		}
		if err := db.MailFailed(ctx, gift.ID, "451 busy", now.Add(-time.Second), false); err != nil {
			t.Fatal(err)
		}
		again, _ := db.ClaimMail(ctx, 10, time.Minute)
		if len(again) != 1 || again[0].ID != gift.ID || again[0].Attempts != 1 {
			t.Fatalf("retry claim: %+v", again)
		}
		if err := db.MailSent(ctx, gift.ID); err != nil {
			t.Fatal(err)
		}
		if sent, _ := db.Mails(ctx, market.MailSent, 10); len(sent) != 1 {
			t.Fatalf("sent: %d", len(sent))
		}
		db.HoldMail(true)
		o2 := order(t, db, 1000)
		if _, err := db.FulfilOrder(ctx, fulfilment(o2, "")); err != nil {
			t.Fatal(err)
		}
		if held, _ := db.Mails(ctx, market.MailHeld, 10); len(held) != 1 {
			t.Fatalf("held: %d", len(held))
		}
		if n, err := db.ReleaseHeldMail(ctx); n != 1 || err != nil {
			t.Fatalf("release: %d, %v", n, err)
		}
	})
}
