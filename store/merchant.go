package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

// merchantCardColumns are what a listing shows: no description, today's
// status and the cover photo.
var merchantCardColumns = `id, slug, name, category, city, summary, currency, accepts, status,
	open_status, status_note, status_until, ` + coverColumn("merchants")

// merchantPlainColumns are a merchant's own columns; merchantColumns adds
// its cover photo.
const merchantPlainColumns = `id, slug, name, category, city, address, summary, description, website,
	currency, accepts, min_amount, max_amount, suggested, status, stripe_account, charges_enabled,
	registration, contact_email, contact_phone, created_at, payouts_enabled, payments_due, payments_disabled_reason,
	payments_checked_at, refused_reason, description_en, facebook, instagram, hours, open_status, status_note, status_until`

var merchantColumns = merchantPlainColumns + ", " + coverColumn("merchants")

// coverColumn is the cover photo of the merchant of table (a name or an
// alias) as one text, "id|widths|width|height", NULL without one: the
// first visible photo by position, read in the listing's own query.
func coverColumn(table string) string {
	return `(SELECT pp.id || '|' || pp.widths || '|' || pp.width || '|' || pp.height FROM page_photos pp
		WHERE pp.merchant_id = ` + table + `.id AND pp.hidden = 0 ORDER BY pp.position, pp.id LIMIT 1)`
}

// scanCover reads coverColumn.
func scanCover(merchantID string, v sql.NullString) *market.PagePhoto {
	if !v.Valid {
		return nil
	}
	parts := strings.Split(v.String, "|")
	if len(parts) != 4 {
		return nil
	}
	p := &market.PagePhoto{ID: parts[0], MerchantID: merchantID, Key: "photos/" + merchantID + "/" + parts[0]}
	if json.Unmarshal([]byte(parts[1]), &p.Widths) != nil {
		return nil
	}
	p.Width, _ = strconv.Atoi(parts[2])
	p.Height, _ = strconv.Atoi(parts[3])
	return p
}

// ListMerchants returns one page of approved merchants matching f, ordered
// by slug, and the cursor of the next page ("" on the last one). A query
// is searched for through the full-text index of each engine: each of its
// terms (market.SearchTerms) must begin a word of the merchant's name,
// summary, city or category names; a query without any term finds nothing.
func (db *DB) ListMerchants(ctx context.Context, f market.MerchantFilter) ([]*market.Merchant, string, error) {
	after := ""
	if f.Page.Cursor != "" {
		parts, err := decodeCursor(f.Page.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		after = parts[0]
	}
	var terms []string
	if strings.TrimSpace(f.Query) != "" {
		if terms = market.SearchTerms(f.Query); len(terms) == 0 {
			return nil, "", nil
		}
	}
	city := market.CityKey(f.City)
	if !utf8.ValidString(city) || strings.ContainsRune(city, 0) {
		return nil, "", nil // no city has that name, and PostgreSQL would refuse it
	}
	n := limit(f.Page)
	var list []*market.Merchant
	var err error
	if len(terms) == 0 {
		var l listing
		q := `SELECT ` + merchantCardColumns + ` FROM merchants WHERE ` + l.filters(f.Category, city, after, f.Status, db.now()) +
			` ORDER BY slug LIMIT ` + l.arg(n+1)
		list, _, err = db.merchantCards(ctx, q, l.args)
	} else {
		var index string
		if index, err = db.searchQuery(ctx, terms, f.Category, f.City); err == nil {
			list, err = db.searchMerchants(ctx, index, f.Category, city, after, f.Status, n+1)
		}
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > n {
		list = list[:n]
		next = encodeCursor(list[n-1].Slug)
	}
	return list, next, nil
}

// denseSearch is the number of matches from which a search walks the
// merchants in slug order instead of sorting every match.
var denseSearch = 2000

// searchMerchants returns the first max approved merchants in slug order,
// after the slug given, that the full-text query index matches, in the
// category and city given (each "" for all). It picks between two ways:
// sort every match (the cost grows with the matches, fine up to a few
// thousand: "boulangerie montreal"), or walk the merchants in slug order
// and keep those that match (the cost grows with the distance to the
// matches, small when they are many: "restaurant"). An index cannot tell
// in advance how many rows match, so the first way is tried on at most
// denseSearch matches and the second one taken when there are more.
func (db *DB) searchMerchants(ctx context.Context, index string, category market.Category, city, after string, status market.OpenStatus, max int) ([]*market.Merchant, error) {
	var l listing
	match := l.arg(index)
	filters := l.filters(category, city, after, status, db.now())
	// Both statements take these arguments, then their limits: $k1 (and $k2).
	k1, k2 := "$"+strconv.Itoa(len(l.args)+1), "$"+strconv.Itoa(len(l.args)+2)
	var hits, walk string
	if db.Dialect == SQLite {
		// The index drives the join (CROSS JOIN keeps it the outer loop:
		// FTS5 hands its matches over one by one), so that LIMIT stops it.
		hits = `SELECT slug FROM merchant_search_fts CROSS JOIN merchant_search ON merchant_search.id = merchant_search_fts.rowid
			WHERE merchant_search_fts MATCH ` + match + ` AND ` + filters
		walk = `SELECT slug FROM merchant_search INDEXED BY merchant_search_listing
			WHERE id IN (SELECT rowid FROM merchant_search_fts WHERE merchant_search_fts MATCH ` + match + `) AND ` + filters
	} else {
		hits = `SELECT slug FROM merchants WHERE search_words @@ ` + match + `::tsquery AND ` + filters
		walk = hits
	}
	// The hits are MATERIALIZED: they all come from the index, then are
	// sorted. Left to itself, PostgreSQL's planner may walk the slug index
	// and test each row, betting that the matches are spread evenly along
	// it; they are not (a bakery's slug begins with "boulangerie"), and the
	// walk can cross most of the table before the page is full.
	sorted := `WITH hits AS MATERIALIZED (` + hits + ` LIMIT ` + k1 + `)
		SELECT ` + merchantCardColumns + `, (SELECT COUNT(*) FROM hits) FROM merchants
		WHERE slug IN (SELECT slug FROM hits ORDER BY slug LIMIT ` + k2 + `) ORDER BY slug`
	list, matches, err := db.merchantCards(ctx, sorted, append(slices.Clone(l.args), denseSearch+1, max))
	if err != nil || matches <= denseSearch {
		return list, err
	}
	walked := `SELECT ` + merchantCardColumns + ` FROM merchants
		WHERE slug IN (` + walk + ` ORDER BY slug LIMIT ` + k1 + `) ORDER BY slug`
	list, _, err = db.merchantCards(ctx, walked, append(l.args, max))
	return list, err
}

// listing writes the WHERE clause of a listing and collects its arguments.
type listing struct{ args []any }

// arg adds an argument and returns its placeholder.
func (l *listing) arg(v any) string {
	l.args = append(l.args, v)
	return "$" + strconv.Itoa(len(l.args))
}

// text adds an argument compared with an indexed text column and returns
// it as an expression: once ANALYZE has sampled the index (sqlite_stat4),
// SQLite plans a statement for the value bound there, and so prepares it
// again each time one is bound, as it does for a LIMIT's (see
// unboundLimits). A cast is not a placeholder to its planner, which then
// plans once; PostgreSQL reads it as the text it is.
func (l *listing) text(v string) string {
	return "CAST(" + l.arg(v) + " AS TEXT)"
}

// filters returns the conditions of an approved merchant of category and
// city (by key; each "" for all) after the slug given, whose status today
// (at now; "" for any) is status. Only the filters given are written, so
// that the engine can walk the index of the one given (category or city)
// in slug order. The status is read from merchants by slug, so that the
// same words work on SQLite's merchant_search.
func (l *listing) filters(category market.Category, city, after string, status market.OpenStatus, now time.Time) string {
	where := "status = 'approved'"
	if category != "" {
		where += " AND category = " + l.text(string(category))
	}
	if city != "" {
		where += " AND city_key = " + l.text(city)
	}
	if status != "" {
		where += " AND slug IN (SELECT slug FROM merchants WHERE open_status = " + l.arg(string(status)) +
			" AND (status_until = 0 OR status_until > " + l.arg(millis(now)) + "))"
	}
	return where + " AND slug > " + l.text(after)
}

// merchantCards runs a listing's query, whose rows are merchantCardColumns
// and, when the query has one more column, a count, which it returns (0
// without rows).
func (db *DB) merchantCards(ctx context.Context, q string, args []any) ([]*market.Merchant, int, error) {
	if err := db.recordPlan(ctx, q, args); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, 0, translate(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, 0, translate(err)
	}
	var list []*market.Merchant
	var count int
	for rows.Next() {
		var m market.Merchant
		var category, currency, accepts, status, open string
		var until int64
		var cover sql.NullString
		dest := []any{&m.ID, &m.Slug, &m.Name, &category, &m.City, &m.Summary, &currency, &accepts, &status,
			&open, &m.StatusNote, &until, &cover}
		if len(cols) > len(dest) {
			dest = append(dest, &count)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, translate(err)
		}
		m.Category, m.Currency, m.Status = market.Category(category), market.Currency(currency), market.MerchantStatus(status)
		m.OpenStatus, m.StatusUntil, m.Cover = market.OpenStatus(open), fromMillis(until), scanCover(m.ID, cover)
		if m.Accepts, err = decodeKinds(accepts); err != nil {
			return nil, 0, err
		}
		list = append(list, &m)
	}
	return list, count, translate(rows.Err())
}

// plansKey is the context key under which ListMerchantsPlans collects the
// plans of the statements a listing runs.
type plansKey struct{}

// ListMerchantsPlans runs ListMerchants(f) and returns, with its answer,
// the engine's plan of every statement it ran (EXPLAIN QUERY PLAN on
// SQLite, EXPLAIN on PostgreSQL), one text per statement: for the bench's
// check that a search is served by an index, not a scan.
func (db *DB) ListMerchantsPlans(ctx context.Context, f market.MerchantFilter) ([]*market.Merchant, []string, error) {
	var plans []string
	list, _, err := db.ListMerchants(context.WithValue(ctx, plansKey{}, &plans), f)
	return list, plans, err
}

// recordPlan adds the engine's plan of q with args to the plans that
// ListMerchantsPlans collects, when it is the caller.
func (db *DB) recordPlan(ctx context.Context, q string, args []any) error {
	plans, ok := ctx.Value(plansKey{}).(*[]string)
	if !ok {
		return nil
	}
	plan, err := db.explain(ctx, q, args)
	if err != nil {
		return err
	}
	*plans = append(*plans, plan)
	return nil
}

// explain returns the engine's plan of q with args, one line per node.
func (db *DB) explain(ctx context.Context, q string, args []any) (string, error) {
	prefix := "EXPLAIN "
	if db.Dialect == SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.read.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		return "", translate(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		dest := make([]any, len(cols))
		for i := range dest {
			dest[i] = new(any)
		}
		if err := rows.Scan(dest...); err != nil {
			return "", translate(err)
		}
		// SQLite: id, parent, notused, detail; PostgreSQL: one text.
		line := *(dest[len(dest)-1].(*any))
		switch v := line.(type) {
		case []byte:
			b.Write(v)
		default:
			fmt.Fprint(&b, v)
		}
		b.WriteByte('\n')
	}
	return b.String(), translate(rows.Err())
}

// searchQuery writes the full-text query of the engine for terms, each a
// prefix of a word, all of which must match: FTS5's
// `("fleuriste" OR "fleuristes") AND "bo"*`, or PostgreSQL's tsquery
// `('fleuriste' | 'fleuristes') & 'bo':*`. Terms hold letters and digits
// only (market.SearchTerms), so no quote or operator can reach either
// syntax. The words of the category and city filtered on are added: every
// merchant of that category or city has them in its search text, so they
// change nothing in the answer but let the index, rather than the filter
// after it, set aside the other merchants. A term is written as the words
// it begins (searchExpansions) when there are a few, so that the index
// reads their matches lazily instead of gathering every match of the
// prefix first.
func (db *DB) searchQuery(ctx context.Context, terms []string, category market.Category, city string) (string, error) {
	all := slices.Clone(terms)
	for _, w := range market.SearchTerms(string(category) + " " + city) {
		if utf8.RuneCountInString(w) >= 3 {
			all = append(all, w)
		}
	}
	// A term that begins another one is implied by it.
	var kept []string
	for i, w := range all {
		implied := slices.ContainsFunc(all, func(o string) bool { return o != w && strings.HasPrefix(o, w) })
		if !implied && !slices.Contains(all[:i], w) {
			kept = append(kept, w)
		}
	}
	words, err := db.searchExpansions(ctx, kept)
	if err != nil {
		return "", err
	}
	quote := func(w string) string {
		if db.Dialect == SQLite {
			return `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(w) + `'`
	}
	or, and, prefix := " OR ", " AND ", "*"
	if db.Dialect == Postgres {
		or, and, prefix = " | ", " & ", ":*"
	}
	parts := make([]string, len(kept))
	for i, w := range kept {
		switch exact := words[w]; {
		case len(exact) == 0:
			parts[i] = quote(w) + prefix
		case len(exact) == 1:
			parts[i] = quote(exact[0])
		default:
			for k := range exact {
				exact[k] = quote(exact[k])
			}
			parts[i] = "(" + strings.Join(exact, or) + ")"
		}
	}
	return strings.Join(parts, and), nil
}

// maxExpansion is the most words a term is replaced with; a term that
// begins more of them stays a prefix query.
const maxExpansion = 16

// expandFrom is the shortest term replaced with the words it begins: the
// shorter ones have FTS5 prefix indexes (2 and 3 characters) that the
// engine reads lazily already, and begin too many words anyway.
const expandFrom = 4

// searchExpansions returns, for each term of expandFrom characters or
// more, the words of search_words it begins, when it begins
// maxExpansion of them or fewer. A term missing from the answer stays a
// prefix query: one that begins too many words, and one that begins none
// (it then matches nothing, or only a search text written around the
// store that search_words could not split; the prefix query is right in
// both cases and costs little, the index holding no word it begins).
func (db *DB) searchExpansions(ctx context.Context, terms []string) (map[string][]string, error) {
	var branches []string
	var args []any
	var long []string
	for _, t := range terms {
		if utf8.RuneCountInString(t) < expandFrom {
			continue
		}
		// Every word beginning with t sorts between t and t followed by
		// the last code point, byte by byte (UTF-8; C collation).
		// (Casts: see listing.text.)
		args = append(args, t, t+"\U0010FFFF")
		branches = append(branches, fmt.Sprintf(`SELECT %d, word FROM (SELECT word FROM search_words
			WHERE word >= CAST($%d AS TEXT) AND word < CAST($%d AS TEXT) ORDER BY word LIMIT %d) AS w%d`,
			len(long), len(args)-1, len(args), maxExpansion+1, len(long)))
		long = append(long, t)
	}
	if len(long) == 0 {
		return nil, nil
	}
	q := strings.Join(branches, " UNION ALL ")
	if err := db.recordPlan(ctx, q, args); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	words := map[string][]string{}
	for rows.Next() {
		var i int
		var w string
		if err := rows.Scan(&i, &w); err != nil {
			return nil, translate(err)
		}
		words[long[i]] = append(words[long[i]], w)
	}
	for t, ws := range words {
		if len(ws) > maxExpansion {
			delete(words, t)
		}
	}
	return words, translate(rows.Err())
}

// Merchant returns the merchant with the given slug, whatever its status;
// ENotFound when there is none.
func (db *DB) Merchant(ctx context.Context, slug string) (*market.Merchant, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE slug = $1`, slug)
	m, err := scanMerchant(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Commerce")
	}
	return m, err
}

// CreateMerchant validates and stores m, giving it an id and a creation time
// when it has none. EConflict when the slug is taken.
func (db *DB) CreateMerchant(ctx context.Context, m *market.Merchant) error {
	if err := db.prepareMerchant(m); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error { return insertMerchant(ctx, tx, m) })
}

// CreateApplication stores a business that applies, pending, with its
// owner's account, in one transaction. EConflict when the slug or the
// email is taken.
func (db *DB) CreateApplication(ctx context.Context, m *market.Merchant, owner *market.User) error {
	if err := db.prepareMerchant(m); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := insertMerchant(ctx, tx, m); err != nil {
			return err
		}
		if err := db.insertUser(ctx, tx, owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_merchants (user_id, merchant_id, role) VALUES ($1, $2, $3)`,
			owner.ID, m.ID, string(market.RoleOwner))
		return err
	})
}

func (db *DB) prepareMerchant(m *market.Merchant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = market.NewID("mer")
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now().UTC()
	}
	if m.Status == "" {
		m.Status = market.MerchantPending
	}
	return nil
}

// insertMerchant stores m. Its city is written as the list of cities
// writes it, and joins the list when it is not there yet (the merchants an
// admin, the demo or a programme creates; an application's city was found
// in the list before). Its search text is what the directory's search
// looks in: a statement that changes its name, summary, city or category
// must write it again with merchantSearch.
func insertMerchant(ctx context.Context, tx *sql.Tx, m *market.Merchant) error {
	city, err := listCity(ctx, tx, market.City{Name: m.City, Country: market.CountryOf(m)}, m.CreatedAt)
	if err != nil {
		return err
	}
	m.City = city.Name
	accepts, _ := json.Marshal(nonNil(m.Accepts))
	suggested, _ := json.Marshal(nonNil(m.Suggested))
	_, err = tx.ExecContext(ctx, `INSERT INTO merchants (id, slug, name, category, city, city_key,
		address, summary, description, website, currency, accepts, min_amount, max_amount,
		suggested, status, search, stripe_account, charges_enabled, registration, contact_email, contact_phone, created_at,
		description_en, facebook, instagram, hours, open_status, status_note, status_until, status_set_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		$24, $25, $26, $27, $28, $29, $30, $31)`,
		m.ID, m.Slug, m.Name, string(m.Category), m.City, market.CityKey(m.City),
		m.Address, m.Summary, m.Description, m.Website, string(m.Currency), string(accepts),
		m.MinAmount, m.MaxAmount, string(suggested), string(m.Status), merchantSearch(m),
		m.StripeAccount, boolInt(m.ChargesEnabled), m.Registration, m.ContactEmail, m.ContactPhone, millis(m.CreatedAt),
		m.DescriptionEN, m.Facebook, m.Instagram, encodeHours(m.Hours), string(m.OpenStatus), m.StatusNote,
		millis(m.StatusUntil), statusSetAt(m))
	return err
}

// merchantSearch is the search text of m (market.SearchText): its name,
// summary and city, and its category's slug and French and English names.
func merchantSearch(m *market.Merchant) string {
	cat, _ := market.CategoryByslug(m.Category)
	return market.SearchText(m.Name, m.Summary, m.City, cat.FR, cat.EN, string(m.Category))
}

// ListMerchantsByStatus returns the merchants of a status, oldest first:
// the admin's queue of applications.
func (db *DB) ListMerchantsByStatus(ctx context.Context, status market.MerchantStatus) ([]*market.Merchant, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE status = $1 ORDER BY created_at, id LIMIT 500`, string(status))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Merchant
	for rows.Next() {
		m, err := scanMerchant(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, translate(rows.Err())
}

// SetMerchantStatus approves or closes a merchant (a refused one is
// refused with RefuseMerchant). ENotFound when unknown.
func (db *DB) SetMerchantStatus(ctx context.Context, merchantID string, status market.MerchantStatus) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// A refusal's reason goes with the refusal (RefuseMerchant).
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET status = $1, refused_reason = '' WHERE id = $2`, string(status), merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		return nil
	})
}

// SetMerchantAccount gives a merchant its connected account, once: a
// conditional write keeps the first account when two requests race, and
// the account the merchant has afterwards is returned. ENotFound when no
// merchant has that id.
func (db *DB) SetMerchantAccount(ctx context.Context, merchantID, account string) (string, error) {
	var have string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE merchants SET stripe_account = $1 WHERE id = $2 AND stripe_account = ''
			RETURNING stripe_account`, account, merchantID).Scan(&have)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Another request gave it one first: that one stays.
		err = tx.QueryRowContext(ctx, `SELECT stripe_account FROM merchants WHERE id = $1`, merchantID).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Commerce")
		}
		return err
	})
	return have, err
}

// SetPaymentAccount records what the provider says of a connected account:
// whether it can be charged and paid out, what it still needs, why it is
// disabled. It records the event (when eventID is set) once, in the same
// transaction, and never lets older news (at) overwrite newer. Times are
// compared to the second, Stripe's resolution: an event of the same second
// as the owner's last look wins, so a merchant enabled just after that
// look is never left waiting. An account no merchant has changes nothing.
func (db *DB) SetPaymentAccount(ctx context.Context, eventID string, a *market.PaymentAccount, at time.Time) error {
	due, err := json.Marshal(nonNil(a.CurrentlyDue))
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		fresh, err := recordEvent(ctx, tx, eventID, market.AccountUpdated, market.OutcomeAccountUpdated, db.now())
		if err != nil || !fresh || a.ID == "" {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE merchants SET charges_enabled = $1, payouts_enabled = $2, payments_due = $3,
			payments_disabled_reason = $4, payments_checked_at = $5
			WHERE stripe_account = $6 AND payments_checked_at <= $5`,
			boolInt(a.ChargesEnabled), boolInt(a.PayoutsEnabled), string(due), a.DisabledReason, millis(at.Truncate(time.Second)), a.ID)
		return err
	})
}

// Cities returns the names of the cities that have approved merchants, in
// alphabetical order of their keys: the directory's filter. Each city is
// written as the list of cities writes it.
func (db *DB) Cities(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, `SELECT name FROM cities c
		WHERE EXISTS (SELECT 1 FROM merchants m WHERE m.city_key = c.city_key AND m.status = 'approved')
		ORDER BY city_key`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var cities []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, translate(err)
		}
		cities = append(cities, c)
	}
	return cities, translate(rows.Err())
}

// ListCities returns the list of cities merchants can be in, whether they
// have merchants or not, in alphabetical order of their keys.
func (db *DB) ListCities(ctx context.Context) ([]market.City, error) {
	rows, err := db.query(ctx, `SELECT name, country FROM cities ORDER BY city_key`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var cities []market.City
	for rows.Next() {
		var c market.City
		if err := rows.Scan(&c.Name, &c.Country); err != nil {
			return nil, translate(err)
		}
		cities = append(cities, c)
	}
	return cities, translate(rows.Err())
}

// City returns the city of the list that name spells, whatever its accents,
// case and spaces ("montreal" gives "Montréal"). ENotFound when the list
// has no such city.
func (db *DB) City(ctx context.Context, name string) (market.City, error) {
	var c market.City
	err := db.read.QueryRowContext(ctx, `SELECT name, country FROM cities WHERE city_key = $1`, market.CityKey(name)).
		Scan(&c.Name, &c.Country)
	if errors.Is(err, sql.ErrNoRows) {
		return c, market.NotFound("Ville")
	}
	return c, translate(err)
}

// AddCity adds a city to the list (see market.NewCity for the checks).
// EConflict, naming the city as the list writes it, when the list already
// has it under any spelling.
func (db *DB) AddCity(ctx context.Context, c market.City) (market.City, error) {
	c, err := market.NewCity(c.Name, c.Country)
	if err != nil {
		return c, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO cities (city_key, name, country, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (city_key) DO NOTHING`, c.Key(), c.Name, c.Country, millis(db.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var have string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM cities WHERE city_key = $1`, c.Key()).Scan(&have); err != nil {
			return err
		}
		return &market.Error{Code: market.EConflict, Message: "Cette ville est déjà dans la liste : " + have + "."}
	})
	return c, err
}

// listCity returns the city of the list that c spells, adding c to the
// list when it is not there (at the time given).
func listCity(ctx context.Context, tx *sql.Tx, c market.City, at time.Time) (market.City, error) {
	key := market.CityKey(c.Name)
	if _, err := tx.ExecContext(ctx, `INSERT INTO cities (city_key, name, country, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (city_key) DO NOTHING`, key, strings.Join(strings.Fields(c.Name), " "), c.Country, millis(at)); err != nil {
		return c, err
	}
	err := tx.QueryRowContext(ctx, `SELECT name, country FROM cities WHERE city_key = $1`, key).Scan(&c.Name, &c.Country)
	return c, err
}

type scanner interface{ Scan(dest ...any) error }

func scanMerchant(s scanner) (*market.Merchant, error) {
	var m market.Merchant
	var category, currency, accepts, suggested, status string
	var created, checked, until int64
	var charges, payouts int
	var due, hours, open string
	var cover sql.NullString
	err := s.Scan(&m.ID, &m.Slug, &m.Name, &category, &m.City, &m.Address, &m.Summary,
		&m.Description, &m.Website, &currency, &accepts, &m.MinAmount, &m.MaxAmount,
		&suggested, &status, &m.StripeAccount, &charges, &m.Registration, &m.ContactEmail, &m.ContactPhone, &created,
		&payouts, &due, &m.PaymentsDisabledReason, &checked, &m.RefusedReason,
		&m.DescriptionEN, &m.Facebook, &m.Instagram, &hours, &open, &m.StatusNote, &until, &cover)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, translate(err)
	}
	m.Category, m.Currency, m.Status = market.Category(category), market.Currency(currency), market.MerchantStatus(status)
	m.CreatedAt, m.ChargesEnabled = fromMillis(created), charges == 1
	m.PayoutsEnabled, m.PaymentsCheckedAt = payouts == 1, fromMillis(checked)
	m.OpenStatus, m.StatusUntil, m.Cover = market.OpenStatus(open), fromMillis(until), scanCover(m.ID, cover)
	if m.Hours, err = decodeHours(hours); err != nil {
		return nil, err
	}
	if due != "[]" && due != "" {
		if err := json.Unmarshal([]byte(due), &m.PaymentsDue); err != nil {
			return nil, err
		}
	}
	if m.Accepts, err = decodeKinds(accepts); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(suggested), &m.Suggested); err != nil {
		return nil, err
	}
	return &m, nil
}

// nonNil makes a nil slice marshal as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// decodeKinds reads the stored list of item kinds. The lists are tiny and
// read on every listing row, so the common values skip the JSON decoder.
func decodeKinds(s string) ([]market.ItemKind, error) {
	switch s {
	case `["gift_certificate"]`:
		return []market.ItemKind{market.KindGiftCertificate}, nil
	case `[]`:
		return []market.ItemKind{}, nil
	}
	var kinds []market.ItemKind
	err := json.Unmarshal([]byte(s), &kinds)
	return kinds, err
}

// SetMerchantPayments records a merchant's connected payment account and
// whether it can be charged (Stripe's account.updated). ENotFound when no
// merchant has that id.
func (db *DB) SetMerchantPayments(ctx context.Context, merchantID, account string, chargesEnabled bool) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET stripe_account = $1, charges_enabled = $2 WHERE id = $3`,
			account, boolInt(chargesEnabled), merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
