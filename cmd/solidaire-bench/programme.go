package main

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// benchProgramme creates a programme whose fund holds fund (minor units)
// and gives a 20,00 card a 10,00 bonus, without caps, selling now.
func benchProgramme(ctx context.Context, db *store.DB, slug string, fund int64) (*market.Programme, error) {
	now := time.Now()
	p := &market.Programme{Slug: slug, Name: "Carte banc d'essai " + slug, City: "Sherbrooke", Currency: market.CAD,
		Fund: market.Fund{Total: fund}, Bonus: market.BonusRule{Tiers: []market.Tier{{From: 2000, Bonus: 1000}}},
		MinAmount: 2000, MaxAmount: 10000, BonusExpiresAt: now.AddDate(0, 6, 0), Status: market.ProgrammeActive}
	if err := p.Validate(now); err != nil {
		return nil, err
	}
	return p, db.CreateProgramme(ctx, p, nil)
}

// fundRace sends 500 concurrent buyers of a 20,00 card through the real
// checkout (demo provider) at a programme whose fund covers 100 bonuses of
// 10,00, and counts the bonuses reserved, next to 500 concurrent raw
// conditional fund decrements on the same database.
func fundRace(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "fund race", fundRush)
}

func fundRush(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
	const buyers, bonuses, bonus = 500, 100, 1000
	p, err := benchProgramme(ctx, db, "banc-fonds", bonuses*bonus)
	if err != nil {
		return bench.Row{}, err
	}
	url, stop, err := checkoutShop(db)
	if err != nil {
		return bench.Row{}, err
	}
	defer stop()
	buy := func(p *market.Programme) func(i int) string {
		return func(i int) string {
			return fmt.Sprintf(`{"buyer": {"email": "habitant%d@example.org"}, "items": [{"kind": "programme_card", "programme": %q, "amount": 2000}]}`,
				i, p.Slug)
		}
	}
	// Each way first meets a race of its own, untimed, at another
	// programme (as the on-sale spike does).
	warm, err := benchProgramme(ctx, db, "banc-fonds-chauffe", bonuses*bonus)
	if err != nil {
		return bench.Row{}, err
	}
	rush(url, buyers, "fund-warm", buy(warm))
	endPhase := serverPhase("fund race " + engine)
	statuses, codes, elapsed := rush(url, buyers, "fund-key", buy(p))
	peak := endPhase()
	after, err := db.ProgrammeByID(ctx, p.ID)
	if err != nil {
		return bench.Row{}, err
	}

	// Baseline: the same 500 concurrent conditional fund decrements, raw.
	p2, err := benchProgramme(ctx, db, "banc-fonds-brut", bonuses*bonus)
	if err != nil {
		return bench.Row{}, err
	}
	raw, _ := db.RawDB()
	decrement := `UPDATE programmes SET fund_remaining = fund_remaining - $1 WHERE id = $2 AND fund_remaining >= $1`
	if warm, err = benchProgramme(ctx, db, "banc-fonds-brut-chauffe", bonuses*bonus); err != nil {
		return bench.Row{}, err
	}
	rawRush(ctx, raw, buyers, decrement, int64(bonus), warm.ID)
	rawReserved, rawElapsed := rawRush(ctx, raw, buyers, decrement, int64(bonus), p2.ID)
	// The same writes raw: the store's order transaction (order, fund
	// and cap holds, items) and the session's update, called directly.
	p3, err := benchProgramme(ctx, db, "banc-fonds-memes", bonuses*bonus)
	if err != nil {
		return bench.Row{}, err
	}
	order := func(p *market.Programme) func(i int) *market.Order {
		return func(i int) *market.Order {
			return &market.Order{MerchantID: p.OperatorID, Status: market.OrderPending, BuyerEmail: fmt.Sprintf("habitant%d@example.org", i),
				Lang: "fr", Currency: p.Currency, Total: 2000, Items: []*market.OrderItem{{Kind: market.KindProgrammeCard, Amount: 2000,
					Quantity: 1, ProgrammeID: p.ID, Bonus: bonus}}}
		}
	}
	if warm, err = benchProgramme(ctx, db, "banc-fonds-memes-chauffe", bonuses*bonus); err != nil {
		return bench.Row{}, err
	}
	sameCheckouts(ctx, db, buyers, order(warm))
	sameReserved, sameElapsed := sameCheckouts(ctx, db, buyers, order(p3))
	perSec := float64(buyers) / elapsed.Seconds()
	rawPerSec := float64(buyers) / rawElapsed.Seconds()
	samePerSec := float64(buyers) / sameElapsed.Seconds()
	figure := fmt.Sprintf("%.0f checkouts/s; %d bonuses reserved of %d (201: %d, 409: %d)", perSec, after.Fund.Reserved/bonus, bonuses,
		statuses[201], statuses[409])
	note := fmt.Sprintf("%d concurrent buyers of a 20,00 card, fund for %d bonuses of 10,00 (each way after an untimed race of its own); 409 codes: %s",
		buyers, bonuses, counts(codes))
	if other := buyers - statuses[201] - statuses[409]; other > 0 {
		note += fmt.Sprintf("; %d other answers %v", other, statuses)
	}
	return bench.Row{
		Scenario:  "fund race " + engine,
		Figure:    figure,
		Baseline:  fmt.Sprintf("raw fund decrement: %.0f/s, %d reserved", rawPerSec, rawReserved),
		Ratio:     perSec / rawPerSec,
		PeakRSS:   peak,
		Same:      fmt.Sprintf("%.0f/s, %d reserved", samePerSec, sameReserved),
		SameRatio: perSec / samePerSec,
		Note:      note,
	}, nil
}

// counts formats error codes and their counts, most frequent first.
func counts(codes map[string]int) string {
	if len(codes) == 0 {
		return "none"
	}
	var keys []string
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return codes[keys[i]] > codes[keys[j]] || codes[keys[i]] == codes[keys[j]] && keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, codes[k])
	}
	return strings.Join(parts, ", ")
}

// settlement settles 100,000 redemptions of a programme's cards across 200
// merchants in one run, next to the raw GROUP BY that sums the same rows.
func settlement(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "settlement", settleRun)
}

func settleRun(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
	const merchants, redemptions, perCard = 200, 100_000, 10
	const feeBPS = 200
	seedStart := time.Now()
	p, err := benchProgramme(ctx, db, "banc-reglement", 1_000_000_00)
	if err != nil {
		return bench.Row{}, err
	}
	now := time.Now().UTC()
	var shops []string
	for i := 0; i < merchants; i++ {
		m := &market.Merchant{Slug: fmt.Sprintf("commerce-banc-%03d", i), Name: fmt.Sprintf("Commerce banc %03d", i), Category: "epicerie",
			City: "Sherbrooke", Currency: market.CAD, Accepts: []market.ItemKind{market.KindGiftCertificate}, MinAmount: 1000,
			MaxAmount: 20000, Status: market.MerchantApproved}
		if err := db.CreateMerchant(ctx, m); err != nil {
			return bench.Row{}, err
		}
		if err := db.RequestMembership(ctx, p.ID, m.ID, now.Add(-48*time.Hour)); err != nil {
			return bench.Row{}, err
		}
		if err := db.DecideMembership(ctx, p.ID, m.ID, market.MemberRequested, market.MemberAccepted, now.Add(-47*time.Hour)); err != nil {
			return bench.Row{}, err
		}
		shops = append(shops, m.ID)
	}
	raw, _ := db.RawDB()
	// Rows per INSERT: SQLite parses a long statement slowly (500 rows
	// took 15 s where 20 took 4), PostgreSQL pays per round trip.
	batch := 500
	if engine == "sqlite" {
		batch = 20
	}
	if err := seedRedemptions(ctx, raw, p, shops, redemptions, perCard, batch, now); err != nil {
		return bench.Row{}, err
	}
	if engine == "postgres" {
		// In production autovacuum analyses a table this much inserted
		// into within a minute; the store never analyses SQLite, so
		// neither does the bench.
		if _, err := raw.ExecContext(ctx, `ANALYZE redemptions`); err != nil {
			return bench.Row{}, err
		}
	}
	seeded := time.Since(seedStart)
	until := now.Add(-market.ReverseWindow)

	// Baseline, before the run: the sums the run's lines hold, in one raw
	// statement; the median of three.
	var rawTimes []time.Duration
	groups := 0
	for k := 0; k < 3; k++ {
		start := time.Now()
		rows, err := raw.QueryContext(ctx, `SELECT merchant_id, COUNT(*), SUM(amount - from_bonus), SUM(from_bonus) FROM redemptions
			WHERE programme_id = $1 AND settlement_id = '' AND reversed_at = 0 AND created_at < $2 GROUP BY merchant_id`,
			p.ID, until.UnixMilli())
		if err != nil {
			return bench.Row{}, err
		}
		groups = 0
		for rows.Next() {
			var merchant string
			var n, paid, bonus int64
			if err := rows.Scan(&merchant, &n, &paid, &bonus); err != nil {
				rows.Close()
				return bench.Row{}, err
			}
			groups++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return bench.Row{}, err
		}
		rawTimes = append(rawTimes, time.Since(start))
	}
	sort.Slice(rawTimes, func(i, j int) bool { return rawTimes[i] < rawTimes[j] })
	rawTime := rawTimes[1]

	start := time.Now()
	run, err := db.SettleProgramme(ctx, p.ID, until, feeBPS, "bench", time.Now().UTC(), nil)
	if err != nil {
		return bench.Row{}, err
	}
	elapsed := time.Since(start)
	lines, settled := 0, int64(0)
	if run != nil {
		lines = len(run.Lines)
		for _, l := range run.Lines {
			settled += l.Redemptions
		}
	}
	return bench.Row{
		Scenario: "settlement " + engine,
		Figure:   fmt.Sprintf("one run: %.2f s, %d lines, %d redemptions", elapsed.Seconds(), lines, settled),
		Baseline: fmt.Sprintf("raw GROUP BY: %s, %d groups", ms(rawTime), groups),
		Ratio:    rawTime.Seconds() / elapsed.Seconds(),
		Note: fmt.Sprintf("%d redemptions of %d cards across %d merchants, one run; ratio: raw time / run time (seeded in %.1f s)",
			redemptions, redemptions/perCard, merchants, seeded.Seconds()),
	}, nil
}

// seedRedemptions writes cards of the programme p (20,00 paid + 10,00
// bonus each) and n redemptions of 3,00 (1,00 from the bonus) of them,
// perCard a card, spread over shops, all made in the hour before now and
// unsettled: raw INSERTs of batch rows each, in one transaction per table,
// setup only.
func seedRedemptions(ctx context.Context, raw *sql.DB, p *market.Programme, shops []string, n, perCard, batch int, now time.Time) error {
	cards := n / perCard
	ids := make([]string, cards)
	base := now.Add(-time.Hour).UnixMilli()
	insert := func(head string, cols, rows int, row func(i int) []any) error {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for from := 0; from < rows; from += batch {
			to := min(from+batch, rows)
			var q strings.Builder
			q.WriteString(head)
			args := make([]any, 0, (to-from)*cols)
			for i := from; i < to; i++ {
				if i > from {
					q.WriteString(", ")
				}
				q.WriteString("(")
				for c := 0; c < cols; c++ {
					if c > 0 {
						q.WriteString(", ")
					}
					fmt.Fprintf(&q, "$%d", len(args)+c+1)
				}
				q.WriteString(")")
				args = append(args, row(i)...)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
	err := insert(`INSERT INTO vouchers (id, code, merchant_id, initial, balance, currency, status, bonus, bonus_expires_at,
		initial_bonus, programme_id, created_at) VALUES `, 12, cards, func(i int) []any {
		ids[i] = market.NewID("vch")
		return []any{ids[i], market.NewCode(), p.OperatorID, int64(2000), int64(3000 - 300*perCard), string(p.Currency),
			string(market.VoucherActive), int64(1000 - 100*perCard), p.BonusExpiresAt.UnixMilli(), int64(1000), p.ID, base - 1000}
	})
	if err != nil {
		return err
	}
	return insert(`INSERT INTO redemptions (id, voucher_id, merchant_id, amount, balance_after, actor_id, created_at, from_bonus,
		programme_id) VALUES `, 9, n, func(i int) []any {
		card, k := i/perCard, i%perCard
		return []any{market.NewID("red"), ids[card], shops[i%len(shops)], int64(300), int64(3000 - 300*(k+1)), "bench",
			base + int64(i), int64(100), p.ID}
	})
}
