package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// TestCampaignCounterShards: concurrent sales of one campaign's merchant
// spread over the counter's shards and add up, on every read of the
// campaign, to exactly what was sold.
func TestCampaignCounterShards(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		before, err := db.Campaign(ctx, demo.AchatLocalSlug)
		if err != nil {
			t.Fatal(err)
		}
		m, err := db.Merchant(ctx, demo.BoulangerieSlug)
		if err != nil {
			t.Fatal(err)
		}
		const sales = 40
		orders := make([]*market.Order, sales)
		var want int64
		for i := range orders {
			_, hash := market.NewAccessToken()
			total := int64(1000 + 100*i)
			orders[i] = &market.Order{MerchantID: m.ID, Status: market.OrderPending, BuyerEmail: "awa@example.org", Currency: m.Currency,
				Total: total, AccessHash: hash, Items: []*market.OrderItem{{Kind: market.KindGiftCertificate, Amount: total, Quantity: 1}}}
			if err := db.CreateOrder(ctx, orders[i]); err != nil {
				t.Fatal(err)
			}
			want += total
		}
		var wg sync.WaitGroup
		for _, o := range orders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v := &market.Voucher{ID: market.NewID("vch"), Code: market.NewCode(), MerchantID: m.ID, OrderID: o.ID, Initial: o.Total,
					Balance: o.Total, Currency: o.Currency, Status: market.VoucherActive, CreatedAt: now}
				if _, err := db.FulfilOrder(ctx, &market.Fulfilment{OrderID: o.ID, EventID: "evt_" + o.ID, PaidAt: now,
					AmountPaid: o.Total, Vouchers: []*market.Voucher{v}}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		// A repeated delivery counts nothing.
		if _, err := db.FulfilOrder(ctx, &market.Fulfilment{OrderID: orders[0].ID, EventID: "evt_" + orders[0].ID, PaidAt: now,
			AmountPaid: orders[0].Total}); err != nil {
			t.Fatal(err)
		}
		wantCounter := market.CampaignCounter{Supporters: before.Counter.Supporters + sales, Raised: before.Counter.Raised + want}
		after, err := db.Campaign(ctx, demo.AchatLocalSlug)
		if err != nil {
			t.Fatal(err)
		}
		if after.Counter != wantCounter {
			t.Fatalf("campaign counter %+v, want %+v", after.Counter, wantCounter)
		}
		list, err := db.ListCampaigns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if c.Slug == demo.AchatLocalSlug && c.Counter != wantCounter {
				t.Errorf("listed counter %+v, want %+v", c.Counter, wantCounter)
			}
		}
		inv, err := db.CampaignInvitations(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range inv {
			if i.Campaign.Slug == demo.AchatLocalSlug && i.Campaign.Counter != wantCounter {
				t.Errorf("invitation's counter %+v, want %+v", i.Campaign.Counter, wantCounter)
			}
		}
		raw, _ := db.RawDB()
		var shards int
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_counters WHERE campaign_id = $1`, after.ID).Scan(&shards); err != nil {
			t.Fatal(err)
		}
		if shards < 2 {
			t.Errorf("%d shards used by %d sales", shards, sales)
		}
	})
}
