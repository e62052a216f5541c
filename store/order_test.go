package store_test

import (
	"context"
	"fmt"
	"sync"
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
