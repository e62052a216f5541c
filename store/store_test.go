package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// engines runs fn once per database engine, each on a fresh migrated
// database: the store's conformance suite.
func engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, open(t, filepath.Join(t.TempDir(), "solidaire.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, open(t, testenv.PostgresURL(t)))
	})
}

func open(t *testing.T, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetClock(func() time.Time { return now })
	return db
}

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func merchant(slug, name string, cat market.Category, city string) *market.Merchant {
	return &market.Merchant{
		Slug: slug, Name: name, Category: cat, City: city, Summary: "Un commerce du quartier",
		Currency: market.CAD, Accepts: []market.ItemKind{market.KindGiftCertificate},
		MinAmount: 1000, MaxAmount: 20000, Suggested: []int64{2500, 5000}, Status: market.MerchantApproved,
	}
}

func code(err error) string { return market.ErrorCode(err) }

func TestMerchants(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		empty, err := db.Empty(ctx)
		if err != nil || !empty {
			t.Fatalf("Empty = %v, %v; want true", empty, err)
		}
		for _, m := range []*market.Merchant{
			merchant("boulangerie-du-quartier", "Boulangerie du quartier", "boulangerie", "Montréal"),
			merchant("cafe-olimpico", "Café 100% Olimpico", "cafe", "Montréal"),
			merchant("librairie-pantoute", "Librairie Pantoute_", "librairie", "Québec"),
			merchant("chez-lea", "Chez Léa", "restaurant", "Lyon"),
		} {
			if err := db.CreateMerchant(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		pending := merchant("en-attente", "En attente", "cafe", "Montréal")
		pending.Status = market.MerchantPending
		if err := db.CreateMerchant(ctx, pending); err != nil {
			t.Fatal(err)
		}

		t.Run("ErrConflict", func(t *testing.T) {
			err := db.CreateMerchant(ctx, merchant("chez-lea", "Autre", "cafe", "Lyon"))
			if code(err) != market.EConflict {
				t.Fatalf("duplicate slug: %v, want conflict", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.CreateMerchant(ctx, merchant("x", "X", "garage", "Lyon"))
			if code(err) != market.EInvalid {
				t.Fatalf("unknown category: %v, want invalid", err)
			}
		})
		t.Run("Get", func(t *testing.T) {
			m, err := db.Merchant(ctx, "chez-lea")
			if err != nil {
				t.Fatal(err)
			}
			if m.Name != "Chez Léa" || m.City != "Lyon" || len(m.Suggested) != 2 || !m.Accepting(market.KindGiftCertificate) {
				t.Fatalf("got %+v", m)
			}
			if _, err := db.Merchant(ctx, "nope"); code(err) != market.ENotFound {
				t.Fatalf("unknown slug: %v, want not found", err)
			}
		})
		tests := []struct {
			name string
			f    market.MerchantFilter
			want []string
		}{
			{"All", market.MerchantFilter{}, []string{"boulangerie-du-quartier", "cafe-olimpico", "chez-lea", "librairie-pantoute"}},
			{"CityFolded", market.MerchantFilter{City: "montreal"}, []string{"boulangerie-du-quartier", "cafe-olimpico"}},
			{"CityAccented", market.MerchantFilter{City: "Québec"}, []string{"librairie-pantoute"}},
			{"Category", market.MerchantFilter{Category: "cafe"}, []string{"cafe-olimpico"}},
			{"QueryAccents", market.MerchantFilter{Query: "LEA"}, []string{"chez-lea"}},
			{"QueryCategoryLabel", market.MerchantFilter{Query: "bakery"}, []string{"boulangerie-du-quartier"}},
			{"QueryPercentIsLiteral", market.MerchantFilter{Query: "100%"}, []string{"cafe-olimpico"}},
			{"QueryUnderscoreIsText", market.MerchantFilter{Query: "pantoute_"}, []string{"librairie-pantoute"}},
			// One letter begins too many words to narrow anything: a
			// query of nothing longer finds nothing.
			{"QueryOneLetter", market.MerchantFilter{Query: "e_"}, nil},
			{"QueryQuote", market.MerchantFilter{Query: "l'"}, nil},
			{"Combined", market.MerchantFilter{City: "Montréal", Category: "boulangerie", Query: "quartier"}, []string{"boulangerie-du-quartier"}},
			{"NoMatch", market.MerchantFilter{City: "Paris"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, next, err := db.ListMerchants(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := slugs(list); !equal(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				if next != "" {
					t.Fatalf("next cursor %q on a last page", next)
				}
			})
		}
		t.Run("Pagination", func(t *testing.T) {
			var all []string
			cursor := ""
			for i := 0; i < 10; i++ {
				list, next, err := db.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Limit: 3, Cursor: cursor}})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, slugs(list)...)
				if next == "" {
					break
				}
				cursor = next
			}
			if len(all) != 4 || all[3] != "librairie-pantoute" {
				t.Fatalf("paged through %v", all)
			}
		})
		t.Run("ErrBadCursor", func(t *testing.T) {
			_, _, err := db.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Cursor: "%%%"}})
			if code(err) != market.EInvalid {
				t.Fatalf("bad cursor: %v, want invalid", err)
			}
		})
		t.Run("Cities", func(t *testing.T) {
			cities, err := db.Cities(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(cities, []string{"Lyon", "Montréal", "Québec"}) {
				t.Fatalf("cities %v", cities)
			}
		})
	})
}

func TestEventsAndCampaigns(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		venue := merchant("theatre-du-faubourg", "Théâtre du Faubourg", "spectacle", "Montréal")
		venue.Accepts = append(venue.Accepts, market.KindTicket, market.KindSolidarityTicket)
		if err := db.CreateMerchant(ctx, venue); err != nil {
			t.Fatal(err)
		}
		mk := func(id string, in time.Duration, status market.EventStatus) *market.Event {
			return &market.Event{ID: id, MerchantID: venue.ID, Title: "Soirée " + id, City: "Montréal",
				StartsAt: now.Add(in), Status: status, Currency: market.CAD, SolidarityMin: 1000,
				TicketTypes: []*market.TicketType{
					{Name: "Régulier", Price: 3500, Capacity: 100, SeatsLeft: 100},
					{Name: "Étudiant", Price: 2000, Capacity: 20, SeatsLeft: 20},
				}}
		}
		events := []*market.Event{
			mk("evt_past", -48*time.Hour, market.EventScheduled),
			mk("evt_a", 24*time.Hour, market.EventScheduled),
			mk("evt_b", 48*time.Hour, market.EventCancelled),
			mk("evt_c", 72*time.Hour, market.EventPostponed),
		}
		for _, e := range events {
			if err := db.CreateEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("ErrUnknownMerchant", func(t *testing.T) {
			e := mk("evt_x", time.Hour, market.EventScheduled)
			e.MerchantID = "mer_nope"
			if err := db.CreateEvent(ctx, e); code(err) != market.ENotFound {
				t.Fatalf("got %v, want not found", err)
			}
		})
		t.Run("Get", func(t *testing.T) {
			e, err := db.Event(ctx, "evt_a")
			if err != nil {
				t.Fatal(err)
			}
			if e.MerchantSlug != "theatre-du-faubourg" || len(e.TicketTypes) != 2 || e.TicketTypes[0].Name != "Régulier" ||
				e.TicketTypes[1].SeatsLeft != 20 || !e.StartsAt.Equal(now.Add(24*time.Hour)) {
				t.Fatalf("got %+v", e)
			}
			if _, err := db.Event(ctx, "evt_nope"); code(err) != market.ENotFound {
				t.Fatalf("got %v, want not found", err)
			}
		})
		t.Run("List", func(t *testing.T) {
			list, _, err := db.ListEvents(ctx, market.EventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := eventIDs(list); !equal(got, []string{"evt_past", "evt_a", "evt_b", "evt_c"}) {
				t.Fatalf("all: %v", got)
			}
			list, _, _ = db.ListEvents(ctx, market.EventFilter{Upcoming: true, Merchant: "theatre-du-faubourg"})
			if got := eventIDs(list); !equal(got, []string{"evt_a", "evt_b", "evt_c"}) {
				t.Fatalf("upcoming: %v", got)
			}
			list, _, _ = db.ListEvents(ctx, market.EventFilter{Status: market.EventCancelled})
			if got := eventIDs(list); !equal(got, []string{"evt_b"}) || len(list[0].TicketTypes) != 2 {
				t.Fatalf("cancelled: %v", got)
			}
			var paged []string
			cursor := ""
			for {
				list, next, err := db.ListEvents(ctx, market.EventFilter{Page: market.Page{Limit: 1, Cursor: cursor}})
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, eventIDs(list)...)
				if next == "" {
					break
				}
				cursor = next
			}
			if len(paged) != 4 {
				t.Fatalf("paged: %v", paged)
			}
		})
		t.Run("Filters", func(t *testing.T) {
			// Another city, another category, and a venue not approved
			// whose event never shows.
			shop := merchant("librairie-du-port", "Librairie du Port", "librairie", "Québec")
			pending := merchant("salle-en-attente", "Salle en attente", "spectacle", "Montréal")
			pending.Status = market.MerchantPending
			for _, m := range []*market.Merchant{shop, pending} {
				if err := db.CreateMerchant(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			for _, e := range []*market.Event{
				{ID: "evt_port", MerchantID: shop.ID, Title: "Lecture", City: "Québec", StartsAt: now.Add(30 * time.Hour), Currency: market.CAD},
				{ID: "evt_hidden", MerchantID: pending.ID, Title: "Cachée", City: "Montréal", StartsAt: now.Add(30 * time.Hour), Currency: market.CAD},
			} {
				if err := db.CreateEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			for name, tc := range map[string]struct {
				f    market.EventFilter
				want []string
			}{
				"city, any spelling": {market.EventFilter{City: "  montreal ", Upcoming: true}, []string{"evt_a", "evt_b", "evt_c"}},
				"other city":         {market.EventFilter{City: "Québec"}, []string{"evt_port"}},
				"unknown city":       {market.EventFilter{City: "Gaspé"}, nil},
				"category":           {market.EventFilter{Category: "librairie"}, []string{"evt_port"}},
				"category and city":  {market.EventFilter{Category: "spectacle", City: "Québec"}, nil},
				"from":               {market.EventFilter{From: now.Add(36 * time.Hour)}, []string{"evt_b", "evt_c"}},
				"to":                 {market.EventFilter{Upcoming: true, To: now.Add(30 * time.Hour)}, []string{"evt_a"}},
				"from and to":        {market.EventFilter{From: now.Add(25 * time.Hour), To: now.Add(49 * time.Hour)}, []string{"evt_port", "evt_b"}},
				"from before now":    {market.EventFilter{Upcoming: true, From: now.Add(-72 * time.Hour), City: "Montréal"}, []string{"evt_a", "evt_b", "evt_c"}},
			} {
				list, _, err := db.ListEvents(ctx, tc.f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got := eventIDs(list); !equal(got, tc.want) {
					t.Errorf("%s: got %v, want %v", name, got, tc.want)
				}
			}
		})
		t.Run("Campaign", func(t *testing.T) {
			c := &market.Campaign{Slug: "billetsolidaire", Title: "#billetsolidaire", Hashtags: []string{"billetsolidaire"},
				StartsAt: now, Currency: market.CAD, Goal: 500000}
			if err := db.CreateCampaign(ctx, c, []string{"theatre-du-faubourg"}, []string{"evt_c", "evt_a"}); err != nil {
				t.Fatal(err)
			}
			got, err := db.Campaign(ctx, "billetsolidaire")
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Merchants) != 1 || !equal(eventIDs(got.Events), []string{"evt_a", "evt_c"}) ||
				len(got.Events[0].TicketTypes) != 2 || got.Goal != 500000 || got.Hashtags[0] != "billetsolidaire" {
				t.Fatalf("got %+v", got)
			}
			bad := &market.Campaign{Slug: "autre", Title: "Autre", Hashtags: []string{"x"}, StartsAt: now, Currency: market.CAD}
			if err := db.CreateCampaign(ctx, bad, []string{"inconnu"}, nil); code(err) != market.EInvalid {
				t.Fatalf("unknown merchant: %v", err)
			}
			if _, err := db.Campaign(ctx, "autre"); code(err) != market.ENotFound {
				t.Fatalf("half-written campaign after a failed create: %v", err)
			}
			list, err := db.ListCampaigns(ctx)
			if err != nil || len(list) != 1 {
				t.Fatalf("list %v %v", list, err)
			}
		})
	})
}

func TestUsers(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := &market.User{Email: " Awa@Example.org ", Name: "Awa", PasswordHash: "x", Admin: true}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateUser(ctx, &market.User{Email: "awa@example.org", PasswordHash: "y"}); code(err) != market.EConflict {
			t.Fatalf("duplicate email: %v", err)
		}
		got, err := db.UserByEmail(ctx, "AWA@example.org")
		if err != nil || got.ID != u.ID || !got.Admin {
			t.Fatalf("got %+v %v", got, err)
		}
		if _, err := db.UserByEmail(ctx, "nobody@example.org"); code(err) != market.ENotFound {
			t.Fatalf("unknown: %v", err)
		}
		m := merchant("chez-lea", "Chez Léa", "restaurant", "Lyon")
		if err := db.CreateMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := db.GrantMerchant(ctx, u.ID, m.ID, market.RoleOwner); err != nil {
			t.Fatal(err)
		}
		if err := db.GrantMerchant(ctx, u.ID, m.ID, market.RoleStaff); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMigrateTwice(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		n, err := db.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, %v", n, err)
		}
	})
}

func slugs(list []*market.Merchant) []string {
	var s []string
	for _, m := range list {
		s = append(s, m.Slug)
	}
	return s
}

func eventIDs(list []*market.Event) []string {
	var s []string
	for _, e := range list {
		s = append(s, e.ID)
	}
	return s
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMigrateConcurrently starts several instances' migrations at once on
// one PostgreSQL database, as a scale-out deployment does on a new release.
func TestMigrateConcurrently(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			db, err := store.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			_, err = db.Migrate(ctx)
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
