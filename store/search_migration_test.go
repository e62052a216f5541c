package store

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

// TestSearchMigration applies 00010_search to a database that already has
// merchants, written as they were before it (a search text that kept its
// punctuation, two spellings of one city): the search finds them through
// the new index, and the list of cities holds each of their cities once,
// in its most used spelling.
func TestSearchMigration(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			url := filepath.Join(t.TempDir(), "solidaire.db")
			if engine == "postgres" {
				url = testenv.PostgresURL(t)
			}
			db, err := Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
			if err != nil {
				t.Fatal(err)
			}
			dialect := goose.DialectPostgres
			if db.Dialect == SQLite {
				dialect = goose.DialectSQLite3
			}
			p, err := goose.NewProvider(dialect, db.write, sub)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 9); err != nil {
				t.Fatal(err)
			}
			for i, m := range []struct{ slug, name, category, city, currency string }{
				{"boulangerie-du-quartier", "Boulangerie du Quartier", "boulangerie", "Montréal", "cad"},
				{"cafe-olimpico", "Café Olimpico", "cafe", "montreal", "cad"},
				{"la-fournee", "La Fournée", "boulangerie", "Montréal", "cad"},
				{"l-atelier", "L’Atelier", "artisanat", "Lyon", "eur"},
				{"chez-lea", "Chez Léa", "restaurant", "Saint-Étienne", "eur"},
			} {
				cat, _ := market.CategoryByslug(market.Category(m.category))
				old := market.Fold(strings.Join([]string{m.name, "Un commerce du coin", m.city, cat.FR, cat.EN, m.category}, " "))
				_, err := db.write.ExecContext(ctx, `INSERT INTO merchants (id, slug, name, category, city, city_key, currency,
					min_amount, max_amount, status, search, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1000, 20000, 'approved', $8, 1)`,
					fmt.Sprintf("mer_%d", i), m.slug, m.name, m.category, m.city, market.Fold(m.city), m.currency, old)
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			cities, err := db.ListCities(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(cities); got != "[{Lyon FR} {Montréal CA} {Québec CA} {Saint-Étienne FR} {Sherbrooke CA}]" {
				t.Fatalf("cities %s", got)
			}
			for q, want := range map[string]string{
				"boulangerie montreal": "[boulangerie-du-quartier la-fournee]",
				"patisserie":           "[boulangerie-du-quartier la-fournee]",
				"atelier":              "[l-atelier]",
				"etienne lea":          "[chez-lea]",
				"cafe montreal":        "[cafe-olimpico]",
			} {
				list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Query: q})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range list {
					got = append(got, m.Slug)
				}
				if fmt.Sprint(got) != want {
					t.Errorf("%q found %v, want %s", q, got, want)
				}
			}
		})
	}
}
