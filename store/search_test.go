package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// TestSearch is the directory's search on both engines: each term must
// begin a word of the name, summary, city or category names, whatever the
// accents and case, through the full-text index; filters and pagination
// keep working with it, and no input reaches a query syntax.
func TestSearch(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mk := func(slug, name string, cat market.Category, city, summary string) *market.Merchant {
			m := merchant(slug, name, cat, city)
			m.Summary = summary
			return m
		}
		for _, m := range []*market.Merchant{
			mk("boulangerie-du-quartier", "Boulangerie du Quartier", "boulangerie", "Montréal", "Pains au levain, viennoiseries"),
			mk("la-fournee", "La Fournée", "boulangerie", "Québec", "Pains et brioches"),
			mk("patisserie-saint-roch", "Pâtisserie Saint-Roch", "boulangerie", "Québec", "Gâteaux"),
			mk("cafe-montreal", "Café Montréal", "cafe", "Lyon", "Un café de Lyon qui a le mal du pays"),
			mk("epicerie-du-coin", "Épicerie du Coin", "epicerie", "montreal", "Fruits, légumes et pain"),
			mk("spa-bien-etre", "Spa Bien-Être", "bien-etre", "Sherbrooke", "Massages"),
			mk("librairie-l-alinea", "Librairie L’Alinéa", "librairie", "Lyon", "Romans 100% indépendants"),
		} {
			if err := db.CreateMerchant(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		pending := mk("boulangerie-en-attente", "Boulangerie en attente", "boulangerie", "Montréal", "")
		pending.Status = market.MerchantPending
		if err := db.CreateMerchant(ctx, pending); err != nil {
			t.Fatal(err)
		}
		bakeries := []string{"boulangerie-du-quartier", "la-fournee", "patisserie-saint-roch"}
		tests := []struct {
			name string
			f    market.MerchantFilter
			want []string
		}{
			{"TwoWords", market.MerchantFilter{Query: "boulangerie montreal"}, []string{"boulangerie-du-quartier"}},
			{"AnyOrder", market.MerchantFilter{Query: "montreal boulangerie"}, []string{"boulangerie-du-quartier"}},
			{"AccentsAndCase", market.MerchantFilter{Query: "BOULANGERIE Montréal"}, []string{"boulangerie-du-quartier"}},
			// The name, the city (stored "Montréal" from "montreal") and
			// the category each give a word.
			{"CityAccented", market.MerchantFilter{Query: "montréal"}, []string{"boulangerie-du-quartier", "cafe-montreal", "epicerie-du-coin"}},
			{"CityUpperCase", market.MerchantFilter{Query: "MONTREAL"}, []string{"boulangerie-du-quartier", "cafe-montreal", "epicerie-du-coin"}},
			{"CategoryFrenchLabel", market.MerchantFilter{Query: "Boulangerie-Pâtisserie"}, bakeries},
			{"CategoryEnglishLabel", market.MerchantFilter{Query: "bakery"}, bakeries},
			{"CategoryHyphenated", market.MerchantFilter{Query: "bien etre"}, []string{"spa-bien-etre"}},
			{"CategoryEnglishWellness", market.MerchantFilter{Query: "wellness sherbrooke"}, []string{"spa-bien-etre"}},
			{"Prefixes", market.MerchantFilter{Query: "boul mont"}, []string{"boulangerie-du-quartier"}},
			{"PrefixOfTwoLetters", market.MerchantFilter{Query: "gâ"}, []string{"patisserie-saint-roch"}},
			{"Summary", market.MerchantFilter{Query: "levain"}, []string{"boulangerie-du-quartier"}},
			{"EachWordMustMatch", market.MerchantFilter{Query: "boulangerie lyon"}, nil},
			{"NotInsideAWord", market.MerchantFilter{Query: "angerie"}, nil},
			{"Apostrophe", market.MerchantFilter{Query: "l'alinea"}, []string{"librairie-l-alinea"}},
			{"TypographicApostrophe", market.MerchantFilter{Query: "L’ALINÉA"}, []string{"librairie-l-alinea"}},
			{"StopWordsIgnored", market.MerchantFilter{Query: "la boulangerie du quartier"}, []string{"boulangerie-du-quartier"}},
			{"OneLetterIgnored", market.MerchantFilter{Query: "cafe a lyon"}, []string{"cafe-montreal"}},
			{"PendingNotFound", market.MerchantFilter{Query: "attente"}, nil},
			{"WithCity", market.MerchantFilter{Query: "montreal", City: "LYON"}, []string{"cafe-montreal"}},
			{"WithCityFolded", market.MerchantFilter{Query: "pain", City: "montreal"}, []string{"boulangerie-du-quartier", "epicerie-du-coin"}},
			{"WithCategory", market.MerchantFilter{Query: "montreal", Category: "boulangerie"}, []string{"boulangerie-du-quartier"}},
			{"WithCategoryAndCity", market.MerchantFilter{Query: "pain", Category: "boulangerie", City: "Québec"}, []string{"la-fournee"}},
			{"WithCategoryNothing", market.MerchantFilter{Query: "boulangerie", Category: "cafe"}, nil},
			{"OnlyPunctuation", market.MerchantFilter{Query: `%% ** "" \\ __`}, nil},
			{"OnlyOneLetters", market.MerchantFilter{Query: "e b"}, nil},
			{"Digits", market.MerchantFilter{Query: "100%"}, []string{"librairie-l-alinea"}},
			// Syntax of FTS5, tsquery and LIKE is text like any other.
			{"QuotedPhrase", market.MerchantFilter{Query: `"boulangerie" "montreal"`}, []string{"boulangerie-du-quartier"}},
			{"StarIsNoWildcard", market.MerchantFilter{Query: `boul*`}, bakeries},
			{"MinusIsNoNot", market.MerchantFilter{Query: `-boulangerie montreal`}, []string{"boulangerie-du-quartier"}},
			{"OrIsAWord", market.MerchantFilter{Query: `boulangerie OR cafe`}, nil},
			{"NearIsAWord", market.MerchantFilter{Query: `NEAR(boulangerie montreal)`}, nil},
			{"ColumnFilterIsText", market.MerchantFilter{Query: `search:levain`}, nil},
			{"TsqueryOperators", market.MerchantFilter{Query: `boul:* & !quartier | (mont)`}, []string{"boulangerie-du-quartier"}},
			{"CityNotText", market.MerchantFilter{Query: "boulangerie", City: "Mont\x00réal\xff"}, nil},
		}
		// Each search twice: sorting the matches, and walking the merchants
		// in slug order, the way taken when matches are many.
		for _, way := range []struct {
			name  string
			dense int
		}{{"Sorted", 2000}, {"Walked", 1}} {
			restore := store.SetDenseSearch(way.dense)
			for _, tt := range tests {
				t.Run(way.name+"/"+tt.name, func(t *testing.T) {
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
			restore()
		}

		t.Run("HostileInput", func(t *testing.T) {
			for _, q := range []string{`"`, `""`, `"""`, `*`, `%`, `_`, `\`, `\\'`, `'`, `''`, `'; DROP TABLE merchants; --`,
				`NEAR`, `NEAR/2`, `AND`, `OR NOT`, `-`, `+`, `^`, `:`, `{search}`, `(`, `)`, `&`, `|`, `!`, `<->`, `:*`,
				`boul"ang`, `boul'ang`, `boul\ang`, `mont*real`, "a\x00b", "caf\u00e9\u0301", "\u200b", `ÿÿ`, `ß`, `東京`,
				`"boulangerie" NEAR "montreal"`, `boul*ang*`, `x:*`, `'x':*`, strings.Repeat("é", 100),
				strings.Repeat("ab ", 33), strings.Repeat(`"a" `, 25)} {
				list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Query: q})
				if err != nil {
					t.Fatalf("q=%q: %v", q, err)
				}
				for _, m := range list {
					if m.Status != market.MerchantApproved {
						t.Fatalf("q=%q listed %s", q, m.Slug)
					}
				}
			}
		})

		t.Run("Pagination", func(t *testing.T) {
			defer store.SetDenseSearch(2)() // pages with more than 2 matches after them walked, the others sorted
			for _, f := range []market.MerchantFilter{
				{Query: "pain"},
				{Query: "pain", City: "Montréal"},
				{Query: "bakery", Category: "boulangerie"},
			} {
				want, _, err := db.ListMerchants(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) < 2 {
					t.Fatalf("%+v: too few to page through: %v", f, slugs(want))
				}
				var all []string
				f.Page = market.Page{Limit: 1}
				for i := 0; i < 10; i++ {
					list, next, err := db.ListMerchants(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if len(list) > 1 {
						t.Fatalf("%d on a page of 1", len(list))
					}
					all = append(all, slugs(list)...)
					if next == "" {
						break
					}
					f.Page.Cursor = next
				}
				if !equal(all, slugs(want)) {
					t.Fatalf("%+v: paged through %v, want %v", f, all, slugs(want))
				}
			}
		})

		// The index follows every write of the merchants, whichever
		// statement makes it.
		t.Run("FollowsWrites", func(t *testing.T) {
			if err := db.SetMerchantStatus(ctx, pending.ID, market.MerchantApproved); err != nil {
				t.Fatal(err)
			}
			list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Query: "boulangerie montreal"})
			if err != nil || !equal(slugs(list), []string{"boulangerie-du-quartier", "boulangerie-en-attente"}) {
				t.Fatalf("approved: %v, %v", slugs(list), err)
			}
			if err := db.SetMerchantStatus(ctx, pending.ID, market.MerchantClosed); err != nil {
				t.Fatal(err)
			}
			list, _, err = db.ListMerchants(ctx, market.MerchantFilter{Query: "attente"})
			if err != nil || len(list) != 0 {
				t.Fatalf("closed: %v, %v", slugs(list), err)
			}
			// Many more merchants: the right ones still come back, in order.
			for i := 0; i < 60; i++ {
				city := []string{"Montréal", "Québec", "Lyon"}[i%3]
				m := mk(fmt.Sprintf("fleuriste-%02d", i), fmt.Sprintf("Fleuriste %02d", i), "fleuriste", city, "Bouquets")
				if err := db.CreateMerchant(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			list, next, err := db.ListMerchants(ctx, market.MerchantFilter{Query: "bouquets montreal", Page: market.Page{Limit: 5}})
			if err != nil || !equal(slugs(list), []string{"fleuriste-00", "fleuriste-03", "fleuriste-06", "fleuriste-09", "fleuriste-12"}) || next == "" {
				t.Fatalf("fleuristes of Montréal: %v, %q, %v", slugs(list), next, err)
			}
		})
	})
}

// TestCities is the list of cities on both engines: seeded with the
// demo's, added to by admins, one per key, and the spelling a merchant's
// city is stored with.
func TestCities(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		list, err := db.ListCities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(list) != "[{Lyon FR} {Montréal CA} {Québec CA} {Sherbrooke CA}]" {
			t.Fatalf("seeded list %v", list)
		}
		for _, name := range []string{"Montréal", "montreal", " MONTREAL ", "Montréal"} {
			c, err := db.City(ctx, name)
			if err != nil || c != (market.City{Name: "Montréal", Country: "CA"}) {
				t.Fatalf("City(%q) = %v, %v", name, c, err)
			}
		}
		if _, err := db.City(ctx, "Paris"); code(err) != market.ENotFound {
			t.Fatalf("unknown city: %v", err)
		}

		t.Run("Add", func(t *testing.T) {
			c, err := db.AddCity(ctx, market.City{Name: "  Trois-Rivières ", Country: "ca"})
			if err != nil || c != (market.City{Name: "Trois-Rivières", Country: "CA"}) {
				t.Fatalf("AddCity = %v, %v", c, err)
			}
			if c, err := db.City(ctx, "trois-rivieres"); err != nil || c.Name != "Trois-Rivières" {
				t.Fatalf("added city: %v, %v", c, err)
			}
			_, err = db.AddCity(ctx, market.City{Name: "TROIS-RIVIERES"})
			if code(err) != market.EConflict || !strings.Contains(market.ErrorMessage(err), "Trois-Rivières") {
				t.Fatalf("second spelling: %v", err)
			}
			if _, err := db.AddCity(ctx, market.City{Name: "  "}); code(err) != market.EInvalid {
				t.Fatalf("empty name: %v", err)
			}
		})

		t.Run("MerchantsUseTheListSpelling", func(t *testing.T) {
			m := merchant("cafe-du-nord", "Café du Nord", "cafe", "  MONTREAL ")
			if err := db.CreateMerchant(ctx, m); err != nil {
				t.Fatal(err)
			}
			got, err := db.Merchant(ctx, "cafe-du-nord")
			if err != nil || got.City != "Montréal" || m.City != "Montréal" {
				t.Fatalf("city stored as %q (%v)", got.City, err)
			}
			// A city not in the list joins it (an admin's, the demo's).
			lyon := merchant("bouchon-lyonnais", "Bouchon", "restaurant", "Villeurbanne")
			lyon.Currency = market.EUR
			if err := db.CreateMerchant(ctx, lyon); err != nil {
				t.Fatal(err)
			}
			if c, err := db.City(ctx, "villeurbanne"); err != nil || c != (market.City{Name: "Villeurbanne", Country: "FR"}) {
				t.Fatalf("new city: %v, %v", c, err)
			}
			cities, err := db.Cities(ctx)
			if err != nil || !equal(cities, []string{"Montréal", "Villeurbanne"}) {
				t.Fatalf("cities with approved merchants: %v, %v", cities, err)
			}
			list, _, err := db.ListMerchants(ctx, market.MerchantFilter{City: "Montreal"})
			if err != nil || !equal(slugs(list), []string{"cafe-du-nord"}) {
				t.Fatalf("by city: %v, %v", slugs(list), err)
			}
		})
	})
}

// TestSearchWords: a term is searched as the words it begins when they are
// few (search_words), and stays a prefix query otherwise, with the same
// answers either way, on both engines; the list of words follows every
// write of a search text, and a text written around the store is still
// found.
func TestSearchWords(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 20 words beginning with "fleur": more than a term is replaced with.
		for i := 0; i < 20; i++ {
			m := merchant(fmt.Sprintf("fleur-%02d", i), fmt.Sprintf("Fleur%c Atelier", 'a'+i), "fleuriste", "Montréal")
			if err := db.CreateMerchant(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		bakery := merchant("boulangerie-du-quartier", "Boulangerie du Quartier", "boulangerie", "Montréal")
		if err := db.CreateMerchant(ctx, bakery); err != nil {
			t.Fatal(err)
		}
		raw, _ := db.RawDB()
		// A search text written around the store, with characters no
		// search text of the store holds.
		if _, err := raw.ExecContext(ctx, `INSERT INTO merchants (id, slug, name, category, city, city_key, currency,
			min_amount, max_amount, status, search, created_at) VALUES ('mer_raw', 'zz-raw', 'Raw', 'cafe', 'Lyon', 'lyon', 'eur',
			1000, 20000, 'approved', 'cafe "guillemet" back\slash lyon', 1)`); err != nil {
			t.Fatal(err)
		}
		search := func(q string, want ...string) {
			t.Helper()
			list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Query: q, Page: market.Page{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if got := slugs(list); !equal(got, want) {
				t.Fatalf("q=%q: got %v, want %v", q, got, want)
			}
		}
		var flowers []string
		for i := 0; i < 20; i++ {
			flowers = append(flowers, fmt.Sprintf("fleur-%02d", i))
		}
		search("fleur", flowers...)                // too many words: a prefix query
		search("fleurc", "fleur-02")               // one word
		search("fleurc montr", "fleur-02")         // each term a prefix of a word
		search("fleurc atel montreal", "fleur-02") // words and prefixes, several terms
		search("boul", "boulangerie-du-quartier")  // while typing
		search("boulangerie montreal", "boulangerie-du-quartier")
		search("boulangerie montréal", "boulangerie-du-quartier")
		search("fleurz")              // no word begins with it
		search("guillemet", "zz-raw") // a text the list could not split
		search("backsl")
		search("back lyon", "zz-raw")

		// A new word, by every statement that writes a search text.
		bakery.Summary = "Pains au levain, kouign-amann"
		if err := db.UpdateProfile(ctx, bakery, "", nil); err != nil {
			t.Fatal(err)
		}
		search("kouig", "boulangerie-du-quartier")
		search("kouign amann montreal", "boulangerie-du-quartier")
		if _, err := raw.ExecContext(ctx, `UPDATE merchants SET search = 'fleurange tisserand montreal' WHERE slug = 'fleur-05'`); err != nil {
			t.Fatal(err)
		}
		search("tisser", "fleur-05")
		search("fleura", "fleur-00", "fleur-05")
	})
}
