package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

const programmeColumns = `p.id, p.slug, p.name, p.city, p.currency, p.description, p.operator_id, p.fund_total, p.fund_remaining,
	p.fund_reserved, p.fund_issued, p.fund_returned, p.bonus_rule, p.min_amount, p.max_amount, p.cards_per_buyer,
	p.amount_per_buyer, p.bonus_expires_at, p.sales_open_at, p.sales_close_at, p.waitlist, p.status, p.created_at`

func scanProgramme(s scanner) (*market.Programme, error) {
	var p market.Programme
	var currency, rule, status string
	var expires, opens, closes, created int64
	var waitlist int
	if err := s.Scan(&p.ID, &p.Slug, &p.Name, &p.City, &currency, &p.Description, &p.OperatorID, &p.Fund.Total, &p.Fund.Remaining,
		&p.Fund.Reserved, &p.Fund.Issued, &p.Fund.Returned, &rule, &p.MinAmount, &p.MaxAmount, &p.Caps.CardsPerBuyer,
		&p.Caps.AmountPerBuyer, &expires, &opens, &closes, &waitlist, &status, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(rule), &p.Bonus); err != nil {
		return nil, err
	}
	p.Currency, p.Status, p.Waitlist = market.Currency(currency), market.ProgrammeStatus(status), waitlist == 1
	p.BonusExpiresAt, p.SalesOpenAt, p.SalesCloseAt, p.CreatedAt = fromMillis(expires), fromMillis(opens), fromMillis(closes), fromMillis(created)
	return &p, nil
}

// CreateProgramme stores a new programme with its operator (the merchants
// row, never listed, that sells its cards) and gives each of organisers
// (user ids) the organiser role, in one transaction. EConflict when the
// slug is taken.
func (db *DB) CreateProgramme(ctx context.Context, p *market.Programme, organisers []string) error {
	if p.ID == "" {
		p.ID = market.NewID("prg")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = db.now().UTC()
	}
	if p.Status == "" {
		p.Status = market.ProgrammeActive
	}
	rule, err := json.Marshal(p.Bonus)
	if err != nil {
		return err
	}
	op := &market.Merchant{ID: market.NewID("mer"), Slug: "programme-" + p.Slug, Name: p.Name, Category: "programme", City: p.City,
		Summary: p.Description, Currency: p.Currency, Accepts: []market.ItemKind{market.KindProgrammeCard}, MinAmount: p.MinAmount,
		MaxAmount: p.MaxAmount, Status: market.MerchantProgramme, CreatedAt: p.CreatedAt}
	p.OperatorID, p.Fund.Remaining = op.ID, p.Fund.Total
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := insertMerchant(ctx, tx, op); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO programmes (id, slug, name, city, currency, description, operator_id,
			fund_total, fund_remaining, bonus_rule, min_amount, max_amount, cards_per_buyer, amount_per_buyer, bonus_expires_at,
			sales_open_at, sales_close_at, waitlist, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			p.ID, p.Slug, p.Name, p.City, string(p.Currency), p.Description, op.ID, p.Fund.Total, string(rule), p.MinAmount,
			p.MaxAmount, p.Caps.CardsPerBuyer, p.Caps.AmountPerBuyer, millis(p.BonusExpiresAt), millis(p.SalesOpenAt),
			millis(p.SalesCloseAt), boolInt(p.Waitlist), string(p.Status), millis(p.CreatedAt)); err != nil {
			return err
		}
		for _, u := range organisers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_programmes (user_id, programme_id, role) VALUES ($1, $2, $3)
				ON CONFLICT (user_id, programme_id) DO UPDATE SET role = excluded.role`, u, p.ID, string(market.RoleOrganiser)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Programme returns a programme by slug; ENotFound when unknown.
func (db *DB) Programme(ctx context.Context, slug string) (*market.Programme, error) {
	return db.programmeWhere(ctx, `p.slug = $1`, slug)
}

// ProgrammeByID returns a programme by id; ENotFound when unknown.
func (db *DB) ProgrammeByID(ctx context.Context, id string) (*market.Programme, error) {
	return db.programmeWhere(ctx, `p.id = $1`, id)
}

func (db *DB) programmeWhere(ctx context.Context, where string, arg any) (*market.Programme, error) {
	return programmeIn(ctx, db.read, where, arg)
}

// programmeIn reads the programme that where selects through q.
func programmeIn(ctx context.Context, q queryer, where string, arg any) (*market.Programme, error) {
	p, err := scanProgramme(q.QueryRowContext(ctx, `SELECT `+programmeColumns+` FROM programmes p WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Programme")
	}
	return p, translate(err)
}

// Programmes lists programmes, newest first: all of them for an admin
// (userID ""), else those the user organises.
func (db *DB) Programmes(ctx context.Context, userID string) ([]*market.Programme, error) {
	q := `SELECT ` + programmeColumns + ` FROM programmes p ORDER BY p.created_at DESC, p.id LIMIT 200`
	args := []any{}
	if userID != "" {
		q = `SELECT ` + programmeColumns + ` FROM programmes p JOIN user_programmes u ON u.programme_id = p.id
			WHERE u.user_id = $1 ORDER BY p.created_at DESC, p.id LIMIT 200`
		args = append(args, userID)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Programme
	for rows.Next() {
		p, err := scanProgramme(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, p)
	}
	return list, translate(rows.Err())
}

// ProgrammesInCity lists the active programmes of a city and currency,
// which a merchant there may ask to join.
func (db *DB) ProgrammesInCity(ctx context.Context, city string, currency market.Currency) ([]*market.Programme, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+programmeColumns+` FROM programmes p
		WHERE p.status = 'active' AND p.currency = $1 AND (SELECT city_key FROM merchants WHERE id = p.operator_id) = $2
		ORDER BY p.name LIMIT 50`, string(currency), market.Fold(city))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Programme
	for rows.Next() {
		p, err := scanProgramme(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, p)
	}
	return list, translate(rows.Err())
}

// RequestMembership records a merchant's request to join a programme
// (again after it left). EConflict when it is a member or asked already.
func (db *DB) RequestMembership(ctx context.Context, programmeID, merchantID string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO programme_merchants (programme_id, merchant_id, status, requested_at)
			VALUES ($1, $2, 'requested', $3)
			ON CONFLICT (programme_id, merchant_id) DO UPDATE SET status = 'requested', requested_at = excluded.requested_at, decided_at = 0
			WHERE programme_merchants.status = 'left'`, programmeID, merchantID, millis(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.EConflict, Message: "Ce commerce fait déjà partie du programme, ou l'a déjà demandé."}
		}
		return nil
	})
}

// DecideMembership moves a merchant's membership from one status to
// another (requested → accepted, accepted → left…), a conditional update.
// EConflict when it is not in status from.
func (db *DB) DecideMembership(ctx context.Context, programmeID, merchantID string, from, to market.MembershipStatus, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE programme_merchants SET status = $1, decided_at = $2
			WHERE programme_id = $3 AND merchant_id = $4 AND status = $5`, string(to), millis(at), programmeID, merchantID, string(from))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.EConflict, Message: "Cette adhésion n'est pas (ou plus) dans cet état."}
		}
		return nil
	})
}

var membershipColumns = `pm.programme_id, p.slug, p.name, pm.status, pm.requested_at, pm.decided_at, ` + merchantPrefixed

var merchantPrefixed = prefixed("m.", merchantPlainColumns) + ", " + coverColumn("m")

func scanMembership(s scanner) (*market.Membership, error) {
	var ms market.Membership
	var status string
	var requested, decided int64
	var m market.Merchant
	dest := []any{&ms.ProgrammeID, &ms.ProgrammeSlug, &ms.ProgrammeName, &status, &requested, &decided}
	row := &membershipRow{dest: dest}
	mp, err := scanMerchant(row.with(s))
	if err != nil {
		return nil, err
	}
	m = *mp
	ms.Merchant, ms.Status, ms.RequestedAt, ms.DecidedAt = &m, market.MembershipStatus(status), fromMillis(requested), fromMillis(decided)
	return &ms, nil
}

// membershipRow scans a membership's own columns, then hands the rest of
// the row to scanMerchant.
type membershipRow struct {
	dest []any
	s    scanner
}

func (r *membershipRow) with(s scanner) scanner { r.s = s; return r }

func (r *membershipRow) Scan(dest ...any) error { return r.s.Scan(append(r.dest, dest...)...) }

// ProgrammeMembers lists a programme's merchants in a status ("" for all),
// by name.
func (db *DB) ProgrammeMembers(ctx context.Context, programmeID string, status market.MembershipStatus) ([]*market.Membership, error) {
	return db.memberships(ctx, `pm.programme_id = $1 AND ($2 = '' OR pm.status = $2) ORDER BY m.name, m.id`, programmeID, string(status))
}

// MerchantProgrammes lists the programmes a merchant is in or asked to join.
func (db *DB) MerchantProgrammes(ctx context.Context, merchantID string) ([]*market.Membership, error) {
	return db.memberships(ctx, `pm.merchant_id = $1 ORDER BY p.name`, merchantID)
}

func (db *DB) memberships(ctx context.Context, where string, args ...any) ([]*market.Membership, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+membershipColumns+` FROM programme_merchants pm
		JOIN programmes p ON p.id = pm.programme_id JOIN merchants m ON m.id = pm.merchant_id WHERE `+where, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Membership
	for rows.Next() {
		ms, err := scanMembership(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, ms)
	}
	return list, translate(rows.Err())
}

// JoinWaitlist records an email on a programme's waiting list, once.
func (db *DB) JoinWaitlist(ctx context.Context, programmeID, email, lang string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO programme_waitlist (programme_id, email, lang, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (programme_id, email) DO NOTHING`, programmeID, email, lang, millis(at))
		return err
	})
}

// ProgrammeStats returns a programme's figures: cards sold and their paid
// value, what cards can still spend, redemptions by merchant, the waiting
// list.
func (db *DB) ProgrammeStats(ctx context.Context, programmeID string) (*market.ProgrammeStats, error) {
	st := &market.ProgrammeStats{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(initial), 0), COALESCE(SUM(initial_bonus), 0),
			COALESCE(SUM(balance), 0), COALESCE(SUM(bonus), 0) FROM vouchers WHERE programme_id = $1 AND status <> 'void'`, programmeID).
			Scan(&st.CardsSold, &st.PaidSold, &st.BonusGiven, &st.PaidLeft, &st.BonusLeft); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM programme_waitlist WHERE programme_id = $1`, programmeID).
			Scan(&st.Waitlist); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.slug, m.name, m.category, COUNT(*), COALESCE(SUM(r.amount - r.from_bonus), 0),
			COALESCE(SUM(r.from_bonus), 0) FROM redemptions r JOIN merchants m ON m.id = r.merchant_id
			WHERE r.programme_id = $1 AND r.reversed_at = 0 GROUP BY m.slug, m.name, m.category ORDER BY m.name`, programmeID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r market.MerchantRedemptions
			var cat string
			if err := rows.Scan(&r.Slug, &r.Name, &cat, &r.Count, &r.Paid, &r.Bonus); err != nil {
				return err
			}
			r.Category = market.Category(cat)
			st.ByMerchant = append(st.ByMerchant, r)
		}
		return rows.Err()
	})
	return st, err
}

// fundMove moves amount of a programme's fund between its parts with one
// conditional update (none of them below zero) and appends the fund entry,
// within tx. false when the fund cannot cover it (a reservation when the
// fund is spent).
func fundMove(ctx context.Context, tx *sql.Tx, programmeID, kind string, amount int64, reference string, at int64) (bool, error) {
	if amount <= 0 {
		return true, nil
	}
	update := map[string]string{
		market.FundReserve: `fund_remaining = fund_remaining - $1, fund_reserved = fund_reserved + $1 WHERE id = $2 AND fund_remaining >= $1`,
		market.FundRelease: `fund_remaining = fund_remaining + $1, fund_reserved = fund_reserved - $1 WHERE id = $2 AND fund_reserved >= $1`,
		market.FundIssue:   `fund_issued = fund_issued + $1, fund_reserved = fund_reserved - $1 WHERE id = $2 AND fund_reserved >= $1`,
		market.FundReturn:  `fund_remaining = fund_remaining + $1, fund_returned = fund_returned + $1 WHERE id = $2 AND fund_issued - fund_returned >= $1`,
	}[kind]
	res, err := tx.ExecContext(ctx, `UPDATE programmes SET `+update, amount, programmeID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO fund_entries (id, programme_id, kind, amount, reference, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, market.NewID("fnd"), programmeID, kind, amount, reference, at)
	return true, err
}

// FundMismatches returns the programmes whose fund columns differ from the
// sum of their fund ledger, or break remaining + reserved + issued −
// returned = total: always none, which tests check.
func (db *DB) FundMismatches(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.slug FROM programmes p LEFT JOIN (SELECT programme_id,
			SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END) AS reserve,
			SUM(CASE WHEN kind = 'release' THEN amount ELSE 0 END) AS release,
			SUM(CASE WHEN kind = 'issue' THEN amount ELSE 0 END) AS issue,
			SUM(CASE WHEN kind = 'return' THEN amount ELSE 0 END) AS ret
			FROM fund_entries GROUP BY programme_id) f ON f.programme_id = p.id
		WHERE p.fund_remaining + p.fund_reserved + p.fund_issued - p.fund_returned <> p.fund_total
			OR p.fund_reserved <> COALESCE(f.reserve, 0) - COALESCE(f.release, 0) - COALESCE(f.issue, 0)
			OR p.fund_issued <> COALESCE(f.issue, 0) OR p.fund_returned <> COALESCE(f.ret, 0)`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var slugs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, translate(err)
		}
		slugs = append(slugs, s)
	}
	return slugs, translate(rows.Err())
}

// ExpireBonuses takes, from up to n vouchers whose bonus expired with some
// left, what is left of it (an entry each) and gives a programme card's
// back to its fund, each in its own transaction, conditional on the bonus
// still being what was read. It returns how many it expired.
func (db *DB) ExpireBonuses(ctx context.Context, now time.Time, n int) (int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, bonus, programme_id FROM vouchers
		WHERE bonus > 0 AND bonus_expires_at > 0 AND bonus_expires_at <= $1 AND status IN ('active', 'disputed') LIMIT $2`, millis(now), n)
	if err != nil {
		return 0, translate(err)
	}
	type due struct {
		id, programme string
		bonus         int64
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.bonus, &d.programme); err != nil {
			rows.Close()
			return 0, translate(err)
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translate(err)
	}
	done := 0
	for _, d := range list {
		expired := false
		err := db.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE vouchers SET bonus = 0 WHERE id = $1 AND bonus = $2 AND bonus_expires_at <= $3`,
				d.id, d.bonus, millis(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // spent meanwhile: the next pass sees what is left
			}
			at := millis(now)
			if err := insertEntry(ctx, tx, entry{d.id, market.EntryExpire, partBonus, -d.bonus, 0, "expiry", at}); err != nil {
				return err
			}
			if d.programme != "" {
				if _, err := fundMove(ctx, tx, d.programme, market.FundReturn, d.bonus, d.id, at); err != nil {
					return err
				}
			}
			expired = true
			return nil
		})
		if err != nil {
			return done, err
		}
		if expired {
			done++
		}
	}
	return done, nil
}
