package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// TestListMerchantsPlans: the bench's explained listing answers as the
// listing does, with one plan per statement run, naming an index.
func TestListMerchantsPlans(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		for _, f := range []market.MerchantFilter{{}, {Query: "boulangerie montréal"}, {City: "Montréal", Category: "cafe"}} {
			want, _, err := db.ListMerchants(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, plans, err := db.ListMerchantsPlans(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%+v: %d merchants, want %d", f, len(got), len(want))
			}
			if len(plans) == 0 || !strings.Contains(strings.ToLower(strings.Join(plans, "")), "index") {
				t.Errorf("%+v: plans %q", f, plans)
			}
		}
	})
}
