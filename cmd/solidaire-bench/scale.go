package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

var (
	scale          = flag.Bool("scale", false, "run the scale mode instead of the scenarios: a province-sized directory and a town card's vouchers on each engine")
	scaleMerchants = flag.Int("scale-merchants", 100_000, "merchants seeded by -scale")
	scaleCities    = flag.Int("scale-cities", 500, "cities the -scale merchants are spread over")
	scaleVouchers  = flag.Int("scale-vouchers", 1_000_000, "vouchers (with their issue entries) seeded by -scale")
)

// scaleRun seeds each engine at the size of a province (bulk load, timed,
// database size reported), then measures at *conns connections, without
// the one-second catalogue cache: directory searches by several words with
// accents, by city and category, deep cursor pages, and the redemption
// race next to the same race on the small demo data set. Each listing
// prints the plan of the statements it runs and the indexes they use.
func scaleRun(ctx context.Context) []bench.Row {
	var rows []bench.Row
	for _, engine := range []string{"sqlite", "postgres"} {
		if !selected(engine) {
			continue
		}
		fmt.Fprintf(os.Stderr, "… scale %s\n", engine)
		r, err := scaleEngine(ctx, engine)
		if err != nil {
			fmt.Fprintf(os.Stderr, "scale %s: %v\n", engine, err)
			rows = append(rows, bench.Row{Scenario: "scale " + engine, Figure: "not run: " + err.Error()})
			continue
		}
		rows = append(rows, r...)
	}
	return rows
}

func scaleEngine(ctx context.Context, engine string) ([]bench.Row, error) {
	// The redemption race on the small data set first, for the comparison.
	var rows []bench.Row
	small, err := eachEngineOnly(ctx, engine, race)
	if err != nil {
		return nil, err
	}
	small.Scenario = "redeem race " + engine + ", demo data"
	rows = append(rows, small)

	db, size, cleanup, err := openScaleDB(ctx, engine)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	raw, _ := db.RawDB()
	start := time.Now()
	cities, err := loadMerchants(ctx, raw, engine, *scaleMerchants, *scaleCities)
	if err != nil {
		return nil, fmt.Errorf("merchants: %w", err)
	}
	merchantsTook := time.Since(start)
	start = time.Now()
	if err := loadVouchers(ctx, raw, engine, *scaleVouchers, *scaleMerchants); err != nil {
		return nil, fmt.Errorf("vouchers: %w", err)
	}
	vouchersTook := time.Since(start)
	if _, err := raw.ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	bytes, err := size()
	if err != nil {
		return nil, err
	}
	rows = append(rows, bench.Row{
		Scenario: "scale " + engine + ": bulk load",
		Figure:   fmt.Sprintf("%d merchants in %.1f s, %d vouchers + entries in %.1f s", *scaleMerchants, merchantsTook.Seconds(), *scaleVouchers, vouchersTook.Seconds()),
		Baseline: "database size " + bench.MiB(bytes),
		Note:     bulkHow(engine),
	})

	h := api.New(api.Config{Catalogue: db, Logger: accessLogger(), CatalogueTTL: -1})
	base, stop, err := serve(h)
	if err != nil {
		return nil, err
	}
	defer stop()

	// The requests of each figure, drawn at random from a set.
	rng := rand.New(rand.NewSource(1))
	var words, cityCat, deep []url.Values
	for i := 0; i < 64; i++ {
		surname, place := surnames[rng.Intn(len(surnames))], places[rng.Intn(len(places))]
		cat := market.Categories[rng.Intn(len(market.Categories))]
		q := []string{cat.FR + " " + surname, market.Fold(cat.FR) + " " + market.Fold(surname), surname + " " + place,
			cat.FR + " " + surname + " " + place}[i%4]
		words = append(words, url.Values{"q": {q}})
		cityCat = append(cityCat, url.Values{"city": {cities[rng.Intn(len(cities))]}, "category": {string(cat.Slug)}})
	}
	// Deep pages: cursors from 10 % to 95 % of the directory.
	for _, frac := range []float64{.1, .3, .5, .7, .9, .95} {
		var slug string
		if err := raw.QueryRowContext(ctx, `SELECT slug FROM merchants WHERE status = 'approved' ORDER BY slug LIMIT 1 OFFSET $1`,
			int(frac*float64(*scaleMerchants))).Scan(&slug); err != nil {
			return nil, err
		}
		cursor := base64.RawURLEncoding.EncodeToString([]byte(slug))
		deep = append(deep, url.Values{"cursor": {cursor}}, url.Values{"cursor": {cursor}, "category": {"cafe"}})
	}
	for _, fig := range []struct {
		name string
		reqs []url.Values
	}{
		{"search, several words, accents", words},
		{"city + category", cityCat},
		{"deep cursor pages", deep},
	} {
		endPhase := serverPhase("scale " + engine + " " + strings.Fields(fig.name)[0])
		res := bench.Load(ctx, *conns, *duration, func() *http.Request {
			r, _ := http.NewRequest("GET", base+"/api/v1/merchants?"+fig.reqs[rand.Intn(len(fig.reqs))].Encode(), nil)
			return r
		}, func(s int) bool { return s == 200 })
		peak := endPhase()
		// The plans of the first two requests of the set.
		var used, scans []string
		hits := 0
		for _, v := range fig.reqs[:2] {
			list, plans, err := db.ListMerchantsPlans(ctx, market.MerchantFilter{Query: v.Get("q"), City: v.Get("city"),
				Category: market.Category(v.Get("category")), Page: market.Page{Limit: market.DefaultLimit, Cursor: v.Get("cursor")}})
			if err != nil {
				return nil, err
			}
			hits += len(list)
			for _, p := range plans {
				u, s := planIndexes(p)
				used, scans = union(used, u), union(scans, s)
				if len(s) > 0 {
					fmt.Fprintf(os.Stderr, "scale %s, %s (%s): a plan reads %s in full:\n%s\n", engine, fig.name, v.Encode(), strings.Join(s, ", "), p)
				}
			}
		}
		if len(scans) == 0 {
			scans = []string{"none"}
		}
		goal := "met"
		if res.P99 >= 20*time.Millisecond {
			goal = "not met"
		}
		rows = append(rows, bench.Row{
			Scenario: "scale " + engine + ": " + fig.name,
			Figure:   res.String(),
			Baseline: fmt.Sprintf("goal p99 < 20 ms: %s", goal),
			Note: fmt.Sprintf("e.g. %s (%d cards for 2 requests); indexes: %s; full scans: %s", fig.reqs[0].Encode(), hits,
				strings.Join(used, ", "), strings.Join(scans, ", ")),
			PeakRSS: peak,
		})
	}

	// The redemption race among a million vouchers.
	big, err := race(ctx, db, engine)
	if err != nil {
		return nil, err
	}
	big.Scenario = "redeem race " + engine + ", at scale"
	big.Note = fmt.Sprintf("among %d vouchers; %.2f× the demo data's rate (goal: within 20 %%)", *scaleVouchers,
		perSecond(big.Figure)/perSecond(small.Figure))
	rows = append(rows, big)
	return rows, nil
}

// eachEngineOnly runs fn on a fresh demo database of one engine.
func eachEngineOnly(ctx context.Context, engine string, fn func(ctx context.Context, db *store.DB, engine string) (bench.Row, error)) (bench.Row, error) {
	db, cleanup, err := openDB(ctx, engine)
	if err != nil {
		return bench.Row{}, err
	}
	defer cleanup()
	return fn(ctx, db, engine)
}

func perSecond(figure string) float64 {
	var v float64
	fmt.Sscanf(figure, "%f", &v)
	return v
}

func bulkHow(engine string) string {
	if engine == "postgres" {
		return "bulk load: COPY (pgx CopyFrom) of every table; then ANALYZE"
	}
	return "bulk load: multi-row INSERTs of 500 rows, 100,000 rows per transaction, triggers filling the FTS5 index; then ANALYZE"
}

// openScaleDB returns a migrated database of the engine with the demo data
// (the race's merchant), a function that measures its size on disk, and
// one that removes it.
func openScaleDB(ctx context.Context, engine string) (*store.DB, func() (int64, error), func(), error) {
	db, cleanup, err := openDB(ctx, engine)
	if err != nil {
		return nil, nil, nil, err
	}
	raw, _ := db.RawDB()
	size := func() (int64, error) {
		var n int64
		if engine == "postgres" {
			err := raw.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
			return n, err
		}
		if _, err := raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return 0, err
		}
		var file string
		if err := raw.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
			return 0, err
		}
		for _, f := range []string{file, file + "-wal"} {
			if st, err := os.Stat(f); err == nil {
				n += st.Size()
			}
		}
		return n, nil
	}
	return db, size, cleanup, nil
}

// Words of the generated directory: names and cities with accents, so
// that a query typed without them must still find them.
var (
	surnames = []string{"Gagnon", "Tremblay", "Côté", "Bélanger", "Lévesque", "Gélinas", "Pépin", "Thériault", "Bérubé", "Ménard",
		"Dufresne", "Chênevert", "Gauthier", "Ouellet", "Lefèbvre", "Béliveau", "Fréchette", "Hébert", "Désilets", "Séguin",
		"Poirier", "Boisvert", "Lachapelle", "Marchand", "Brûlé", "Émond", "Giguère", "Létourneau", "Paré", "Rhéaume"}
	places = []string{"du Vieux-Port", "des Érables", "de la Rivière", "du Marché", "des Pins", "de l'Île", "du Plateau",
		"de la Gare", "des Cèdres", "du Faubourg", "de la Côte", "des Forges", "du Moulin", "de l'Église", "des Prés"}
	cityHeads = []string{"Saint-", "Sainte-", "Notre-Dame-de-", "Lac-", "Mont-", "Val-", "Pointe-", "Rivière-", "Cap-", "L'Île-"}
	cityTails = []string{"Élie", "Jérôme", "Anne", "Hyacinthe", "Agathe", "Rémi", "Étienne", "Zénon", "Honoré", "Félicité",
		"Adèle", "Théodore", "Ursule", "Gédéon", "Césaire", "Hélène", "Médard", "Séverin", "Eugène", "Léonard",
		"Aimé", "Bénédicte", "Clément", "Damase", "Éloi", "Flavien", "Gérard", "Irénée", "Joachim", "Lambert",
		"Mathias", "Nérée", "Odilon", "Placide", "Raphaël", "Sylvère", "Timothée", "Ulric", "Valère", "Wilfrid",
		"Apollinaire", "Barnabé", "Cyprien", "Donat", "Elzéar", "Fabien", "Germain", "Hilaire", "Isidore", "Josaphat"}
)

var slugJunk = regexp.MustCompile(`[^a-z0-9]+`)

// loadMerchants bulk-loads n approved merchants spread over n cities and
// every category, and the cities; it returns the cities' names.
func loadMerchants(ctx context.Context, raw *sql.DB, engine string, n, nCities int) ([]string, error) {
	var cities []string
	for i := 0; len(cities) < nCities; i++ {
		name := cityHeads[i%len(cityHeads)] + cityTails[(i/len(cityHeads))%len(cityTails)]
		if i >= len(cityHeads)*len(cityTails) {
			name += fmt.Sprintf(" %d", i/(len(cityHeads)*len(cityTails)))
		}
		cities = append(cities, name)
	}
	created := time.Now().Add(-time.Hour).UnixMilli()
	if err := bulk(ctx, raw, engine, "cities", []string{"city_key", "name", "country", "created_at"}, len(cities), func(i int) []any {
		return []any{market.CityKey(cities[i]), cities[i], "CA", created}
	}); err != nil {
		return nil, err
	}
	accepts, _ := json.Marshal([]market.ItemKind{market.KindGiftCertificate})
	rng := rand.New(rand.NewSource(42))
	cols := []string{"id", "slug", "name", "category", "city", "city_key", "summary", "currency", "accepts", "min_amount",
		"max_amount", "status", "search", "created_at"}
	return cities, bulk(ctx, raw, engine, "merchants", cols, n, func(i int) []any {
		cat := market.Categories[rng.Intn(len(market.Categories))]
		name := cat.FR + " " + surnames[rng.Intn(len(surnames))] + " " + places[rng.Intn(len(places))]
		city := cities[rng.Intn(len(cities))]
		summary := "Commerce indépendant de " + city + ", ouvert depuis " + fmt.Sprint(1950+rng.Intn(75))
		slug := strings.Trim(slugJunk.ReplaceAllString(market.Fold(name), "-"), "-") + fmt.Sprintf("-%d", i)
		return []any{fmt.Sprintf("mer_scale%07d", i), slug, name, string(cat.Slug), city, market.CityKey(city), summary, "cad",
			string(accepts), int64(500), int64(50000), "approved",
			market.SearchText(name, summary, city, cat.FR, cat.EN, string(cat.Slug)), created}
	})
}

// loadVouchers bulk-loads n active vouchers of 50,00 spread over the
// scale merchants, each with its issue entry: the ledger balances.
func loadVouchers(ctx context.Context, raw *sql.DB, engine string, n, merchants int) error {
	created := time.Now().Add(-time.Hour).UnixMilli()
	cols := []string{"id", "code", "merchant_id", "initial", "balance", "currency", "status", "created_at"}
	if err := bulk(ctx, raw, engine, "vouchers", cols, n, func(i int) []any {
		return []any{fmt.Sprintf("vch_scale%08d", i), market.NewCode(), fmt.Sprintf("mer_scale%07d", i%merchants), int64(5000), int64(5000),
			"cad", string(market.VoucherActive), created}
	}); err != nil {
		return err
	}
	cols = []string{"id", "voucher_id", "kind", "part", "amount", "balance_after", "reference", "created_at"}
	return bulk(ctx, raw, engine, "voucher_entries", cols, n, func(i int) []any {
		id := fmt.Sprintf("vch_scale%08d", i)
		return []any{fmt.Sprintf("ent_scale%08d", i), id, market.EntryIssue, "paid", int64(5000), int64(5000), id, created}
	})
}

// bulk inserts n rows made by row into table: COPY on PostgreSQL,
// multi-row INSERTs in large transactions on SQLite.
func bulk(ctx context.Context, raw *sql.DB, engine, table string, cols []string, n int, row func(i int) []any) error {
	if engine == "postgres" {
		conn, err := raw.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			i := 0
			_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
				if i == n {
					return nil, nil
				}
				i++
				return row(i - 1), nil
			}))
			return err
		})
	}
	const perStatement, perTx = 500, 100_000
	stmt := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		for r := 0; r < rows; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", r*len(cols)+c+1)
			}
			b.WriteByte(')')
		}
		return b.String()
	}
	full := stmt(perStatement)
	for from := 0; from < n; from += perTx {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		to := min(from+perTx, n)
		for s := from; s < to; s += perStatement {
			k := min(perStatement, to-s)
			q := full
			if k < perStatement {
				q = stmt(k)
			}
			args := make([]any, 0, k*len(cols))
			for i := s; i < s+k; i++ {
				args = append(args, row(i)...)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

var (
	sqliteIndex = regexp.MustCompile(`(?:USING (?:COVERING )?INDEX (\w+))|(?:VIRTUAL TABLE INDEX \d+:\S*)|(?:USING (?:INTEGER )?PRIMARY KEY)`)
	sqliteScan  = regexp.MustCompile(`^SCAN (\w+)$`)
	sqliteSub   = regexp.MustCompile(`^(?:CO-ROUTINE|MATERIALIZE) (\w+)$`)
	pgIndex     = regexp.MustCompile(`(?:Index (?:Only )?Scan (?:Backward )?using (\w+))|(?:Bitmap Index Scan on (\w+))`)
	pgScan      = regexp.MustCompile(`Seq Scan on (\w+)`)
)

// planIndexes returns the indexes a plan uses and the tables it reads in
// full (SQLite's "SCAN t" without an index, PostgreSQL's Seq Scan). A
// subquery or CTE that SQLite computes first (CO-ROUTINE, MATERIALIZE) is
// read in full by design: it holds only the rows it was limited to.
func planIndexes(plan string) (used, scans []string) {
	lines := strings.Split(plan, "\n")
	var subqueries []string
	for _, line := range lines {
		if m := sqliteSub.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			subqueries = append(subqueries, m[1])
		}
	}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if m := pgIndex.FindStringSubmatch(line); m != nil {
			used = append(used, m[1]+m[2])
		}
		if m := pgScan.FindStringSubmatch(line); m != nil {
			scans = append(scans, m[1])
		}
		if m := sqliteIndex.FindStringSubmatch(line); m != nil {
			switch {
			case m[1] != "":
				used = append(used, m[1])
			case strings.Contains(m[0], "VIRTUAL"):
				used = append(used, "merchant_search_fts (FTS5)")
			default:
				used = append(used, strings.Fields(line)[1]+" primary key")
			}
		}
		if m := sqliteScan.FindStringSubmatch(line); m != nil && !slices.Contains(subqueries, m[1]) {
			scans = append(scans, m[1])
		}
	}
	return used, scans
}

func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}
