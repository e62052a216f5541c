package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Merchants is what the merchant routes read and write (store.DB).
type Merchants interface {
	Merchant(ctx context.Context, slug string) (*market.Merchant, error)
	MerchantByID(ctx context.Context, id string) (*market.Merchant, error)
	Staff(ctx context.Context, merchantID string) ([]market.Member, error)
	RevokeMerchant(ctx context.Context, userID, merchantID string) error
	Devices(ctx context.Context, merchantID string) ([]*market.Device, error)
	RevokeDevice(ctx context.Context, merchantID, deviceID string) error
	Redemptions(ctx context.Context, merchantID string, from, to time.Time, n int) ([]*market.Redemption, error)
	MerchantLedger(ctx context.Context, merchantID string, from, to time.Time) ([]*market.LedgerLine, error)
	Liability(ctx context.Context, merchantID string) (int64, int, error)
}

// Till is the counter service (market.Till).
type Till interface {
	Lookup(ctx context.Context, merchantID, raw string) (*market.Voucher, error)
	Redeem(ctx context.Context, a *market.Actor, merchantID, raw string, amount int64) (*market.Redemption, error)
	Reverse(ctx context.Context, a *market.Actor, merchantID, redemptionID string) (*market.Redemption, error)
}

type scanJSON struct {
	Kind        string `json:"kind"`
	Code        string `json:"code"`
	DisplayCode string `json:"display_code"`
	// Balance is what the voucher can pay now: Paid (never expires) and
	// Bonus (a live promotional bonus, spent first) apart.
	Balance        market.Money `json:"balance"`
	Paid           market.Money `json:"paid"`
	Bonus          market.Money `json:"bonus"`
	BonusExpiresAt *time.Time   `json:"bonus_expires_at,omitempty"`
	Initial        market.Money `json:"initial"`
	Status         string       `json:"status"`
	// Programme names a programme card, taken at every merchant of it.
	Programme     *programmeRef        `json:"programme,omitempty"`
	RecipientName string               `json:"recipient_name,omitempty"`
	Message       string               `json:"message,omitempty"`
	IssuedAt      time.Time            `json:"issued_at"`
	VoucherStatus market.VoucherStatus `json:"-"`
}

// scan answers POST /api/v1/merchant/scan: what a scanned QR or a typed
// code is, for this merchant. Unknown and other merchants' codes are 404.
func (s *Server) scan(c *gin.Context) error {
	merchantID, err := s.merchantIDFor(c, market.PermScan)
	if err != nil {
		return err
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if len(req.Code) > 512 {
		return market.Invalid("code", "too long")
	}
	if err := s.lookupLimits(c); err != nil {
		return err
	}
	v, err := s.cfg.Till.Lookup(c.Request.Context(), merchantID, req.Code)
	if market.ErrorCode(err) == market.ENotFound && s.cfg.TicketStore != nil {
		// Not a voucher of this merchant: perhaps a ticket to its events.
		if t, terr := s.cfg.TicketStore.Ticket(c.Request.Context(), market.NormalizeCode(req.Code)); terr == nil && t.MerchantID == merchantID {
			c.JSON(http.StatusOK, gin.H{"kind": "ticket", "code": t.Code, "display_code": market.GroupCode(t.Code),
				"status": t.Status, "ticket": s.newTicketJSON(t), "checked_in_by": t.CheckedInBy})
			return nil
		}
	}
	if err != nil {
		if market.ErrorCode(err) == market.ENotFound {
			s.metrics.failedLookups.Inc()
			s.log.WarnContext(c.Request.Context(), "unknown code scanned", "merchant", merchantID, "by", actor(c).ID())
		}
		return err
	}
	now := time.Now()
	spendable := v.Spendable(now)
	status := "active"
	switch {
	case v.Status == market.VoucherVoid:
		status = "void"
	case v.Status == market.VoucherDisputed:
		status = "disputed" // the till says "bon bloqué : paiement contesté"
	case spendable == 0:
		status = "empty"
	}
	out := scanJSON{Kind: "voucher", Code: v.Code, DisplayCode: market.GroupCode(v.Code),
		Balance: market.Money{Amount: spendable, Currency: v.Currency}, Paid: market.Money{Amount: v.Balance, Currency: v.Currency},
		Bonus: market.Money{Amount: spendable - v.Balance, Currency: v.Currency}, Initial: market.Money{Amount: v.Initial, Currency: v.Currency},
		Status: status, RecipientName: v.RecipientName, Message: v.Message, IssuedAt: v.CreatedAt}
	if spendable > v.Balance {
		out.BonusExpiresAt = &v.BonusExpiresAt
	}
	if v.ProgrammeID != "" {
		out.Programme = &programmeRef{v.ProgrammeSlug, v.MerchantName}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// lookupLimits spends one code lookup of the device (or user) and of the
// IP: codes cannot be guessed, and a stolen till cannot try them fast.
func (s *Server) lookupLimits(c *gin.Context) error {
	if err := s.limit(c, "lookup:actor:"+actor(c).ID(), s.cfg.Limits.LookupsPerDevice); err != nil {
		return err
	}
	return s.limit(c, "lookup:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP)
}

type redemptionJSON struct {
	ID           string       `json:"id"`
	Code         string       `json:"code"`
	Amount       market.Money `json:"amount"`
	BalanceAfter market.Money `json:"balance_after"`
	By           string       `json:"by"`
	CreatedAt    time.Time    `json:"created_at"`
	ReversedAt   *time.Time   `json:"reversed_at"`
	// UndoUntil is when the undo window (market.ReverseWindow) closes; it
	// and Undoable say whether the till may still undo it: not reversed,
	// within the window, and asked by someone who may redeem.
	UndoUntil time.Time `json:"undo_until"`
	Undoable  bool      `json:"undoable"`
}

func newRedemptionJSON(r *market.Redemption) redemptionJSON {
	out := redemptionJSON{ID: r.ID, Code: market.LastFour(r.VoucherCode), Amount: market.Money{Amount: r.Amount, Currency: r.Currency},
		BalanceAfter: market.Money{Amount: r.BalanceAfter, Currency: r.Currency}, By: r.ActorName, CreatedAt: r.CreatedAt,
		UndoUntil: r.CreatedAt.Add(market.ReverseWindow)}
	if !r.ReversedAt.IsZero() {
		out.ReversedAt = &r.ReversedAt
	}
	return out
}

// redeem answers POST /api/v1/merchant/vouchers/{code}/redemptions (with
// Idempotency-Key): 201 with the new balance, or 409 insufficient_balance
// with nothing debited.
func (s *Server) redeem(c *gin.Context) error {
	merchantID, err := s.merchantIDFor(c, market.PermRedeem)
	if err != nil {
		return err
	}
	var req struct {
		Amount int64 `json:"amount"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := market.CheckAmount("amount", req.Amount, 0); err != nil {
		return err
	}
	if err := s.lookupLimits(c); err != nil {
		return err
	}
	claimAnswer(c, http.StatusCreated, redemptionAnswer)
	r, err := s.cfg.Till.Redeem(c.Request.Context(), actor(c), merchantID, c.Param("code"), req.Amount)
	if err != nil {
		if market.ErrorCode(err) == market.ENotFound {
			s.metrics.failedLookups.Inc()
		}
		return err
	}
	s.metrics.redemptions.WithLabelValues("redeem").Inc()
	answer(c, http.StatusCreated, redemptionAnswer(r))
	return nil
}

// redemptionAnswer is the answer to a redemption: balance_after is what
// the database's conditional update left (paid value and live bonus), and
// bonus_after the bonus part of it.
func redemptionAnswer(r *market.Redemption) any {
	return gin.H{"redemption": gin.H{"id": r.ID, "amount": market.Money{Amount: r.Amount, Currency: r.Currency},
		"from_bonus":    market.Money{Amount: r.FromBonus, Currency: r.Currency},
		"balance_after": market.Money{Amount: r.BalanceAfter, Currency: r.Currency},
		"bonus_after":   market.Money{Amount: r.BonusAfter, Currency: r.Currency}}}
}

// reverse answers POST /api/v1/merchant/redemptions/{id}/reverse: the
// amount goes back with a compensating entry (within ReverseWindow); with
// an Idempotency-Key, a retry gets the first answer (not 409
// already_reversed).
func (s *Server) reverse(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermRedeem)
	if err != nil {
		return err
	}
	claimAnswer(c, http.StatusOK, reversalAnswer)
	r, err := s.cfg.Till.Reverse(c.Request.Context(), actor(c), m.ID, c.Param("id"))
	if err != nil {
		return err
	}
	s.metrics.redemptions.WithLabelValues("reverse").Inc()
	answer(c, http.StatusOK, reversalAnswer(r))
	return nil
}

// reversalAnswer is the answer to a reversal: the redemption, undone, and
// what the voucher can pay again.
func reversalAnswer(r *market.Redemption) any {
	return gin.H{"redemption": newRedemptionJSON(r)}
}

// period reads ?from= and ?to= (dates, YYYY-MM-DD in the merchant's time
// zone, or RFC 3339); defaults to the day (or month) so far.
func period(c *gin.Context, m *market.Merchant, month bool) (time.Time, time.Time, error) {
	loc := m.Location()
	now := time.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if month {
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	}
	to := now.Add(time.Millisecond)
	parse := func(name string, v string, end bool) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		d, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return time.Time{}, market.Invalid(name, "must be a date (YYYY-MM-DD) or RFC 3339")
		}
		if end {
			d = d.AddDate(0, 0, 1) // "to" a date includes that day
		}
		return d, nil
	}
	var err error
	if v := c.Query("from"); v != "" {
		if from, err = parse("from", v, false); err != nil {
			return from, to, err
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = parse("to", v, true); err != nil {
			return from, to, err
		}
	}
	if !to.After(from) || to.Sub(from) > 400*24*time.Hour {
		return from, to, market.Invalid("to", "must follow from, at most 400 days later")
	}
	return from, to, nil
}

// listRedemptions answers GET /api/v1/merchant/redemptions?from=&to=: the
// day's redemptions by default, newest first, with the totals. A paired
// till, which may redeem but not see the dashboard, gets its own
// redemptions only: what it can undo from its day's list.
func (s *Server) listRedemptions(c *gin.Context) error {
	a := actor(c)
	m, err := s.merchantFor(c, market.PermDashboard)
	own := false
	if market.ErrorCode(err) == market.EForbidden {
		m, err = s.merchantFor(c, market.PermRedeem)
		own = true
	}
	if err != nil {
		return err
	}
	canUndo := a.Can(m.ID, market.PermRedeem)
	from, to, err := period(c, m, false)
	if err != nil {
		return err
	}
	rs, err := s.cfg.Merchants.Redemptions(c.Request.Context(), m.ID, from, to, 500)
	if err != nil {
		return err
	}
	out := list[redemptionJSON]{Data: make([]redemptionJSON, 0, len(rs))}
	var total int64
	now := time.Now()
	for _, r := range rs {
		if own && r.ActorID != a.ID() {
			continue
		}
		j := newRedemptionJSON(r)
		j.Undoable = canUndo && j.ReversedAt == nil && now.Before(j.UndoUntil)
		out.Data = append(out.Data, j)
		if r.ReversedAt.IsZero() {
			total += r.Amount
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"data": out.Data, "next_cursor": "", "total": market.Money{Amount: total, Currency: m.Currency},
		"from": from, "to": to})
	return nil
}

// summary answers GET /api/v1/merchant/summary: the merchant's liability
// (what its holders can still spend) and today's takings.
func (s *Server) summary(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermLedger)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	owed, n, err := s.cfg.Merchants.Liability(ctx, m.ID)
	if err != nil {
		return err
	}
	from, to, _ := period(c, m, false)
	rs, err := s.cfg.Merchants.Redemptions(ctx, m.ID, from, to, 10000)
	if err != nil {
		return err
	}
	var today int64
	count := 0
	for _, r := range rs {
		if r.ReversedAt.IsZero() {
			today += r.Amount
			count++
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"merchant": merchantRef{m.Slug, m.Name},
		"liability":   gin.H{"amount": market.Money{Amount: owed, Currency: m.Currency}, "vouchers": n},
		"today":       gin.H{"amount": market.Money{Amount: today, Currency: m.Currency}, "redemptions": count},
		"payments_ok": m.ChargesEnabled || s.cfg.DemoPayments})
	return nil
}

// ledger answers GET /api/v1/merchant/ledger?from=&to= as JSON, or as CSV
// for the accountant with Accept: text/csv (or ?format=csv).
func (s *Server) ledger(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermLedger)
	if err != nil {
		return err
	}
	from, to, err := period(c, m, true)
	if err != nil {
		return err
	}
	lines, err := s.cfg.Merchants.MerchantLedger(c.Request.Context(), m.ID, from, to)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	if c.Query("format") == "csv" || c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv" {
		return s.ledgerCSV(c, m, from, to, lines)
	}
	type lineJSON struct {
		At           time.Time    `json:"at"`
		Kind         string       `json:"kind"`
		Voucher      string       `json:"voucher"`
		Amount       market.Money `json:"amount"`
		BalanceAfter market.Money `json:"balance_after"`
		Reference    string       `json:"reference"`
		By           string       `json:"by"`
	}
	out := make([]lineJSON, len(lines))
	var redeemed int64
	for i, l := range lines {
		out[i] = lineJSON{l.At, l.Kind, l.Voucher, market.Money{Amount: l.Amount, Currency: l.Currency},
			market.Money{Amount: l.BalanceAfter, Currency: l.Currency}, l.Reference, l.By}
		if l.Kind == market.EntryRedeem || l.Kind == market.EntryReverse {
			redeemed -= l.Amount
		}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": "", "from": from, "to": to,
		"redeemed": market.Money{Amount: redeemed, Currency: m.Currency}})
	return nil
}

// ledgerKinds names the ledger's operations in each language of the CSV
// (French, English); a kind missing here is written as it is.
var ledgerKinds = map[string][2]string{
	market.EntryIssue:    {"Émission", "Issue"},
	market.EntryRedeem:   {"Encaissement", "Redemption"},
	market.EntryReverse:  {"Annulation", "Reversal"},
	market.EntryVoid:     {"Bon annulé", "Void"},
	market.EntryBonus:    {"Bonus", "Bonus"},
	market.EntryFreeze:   {"Gel (paiement contesté)", "Freeze (disputed payment)"},
	market.EntryUnfreeze: {"Dégel", "Unfreeze"},
	market.EntryExpire:   {"Expiration du bonus", "Bonus expiry"},
}

// csvFrench reports whether the ledger's CSV is for a French spreadsheet:
// ?lang= (fr or en) when given, else the Accept-Language header's first
// of French and English; English (and "," with "12.50") when neither says.
func csvFrench(c *gin.Context) bool {
	switch c.Query("lang") {
	case "fr":
		return true
	case "en":
		return false
	}
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "fr" || strings.HasPrefix(tag, "fr-"):
			return true
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return false
		}
	}
	return false
}

// ledgerCSV writes the ledger for a spreadsheet: UTF-8 with a byte order
// mark (so that Excel reads the accents), and, in French, ";" between
// cells with a decimal comma (what a French spreadsheet expects); the
// operation in the reader's language, the whole voucher code (the
// merchant holds it at its till anyway), who redeemed, and the currency in
// upper case. Every cell goes through csvRow: names are typed by people.
func (s *Server) ledgerCSV(c *gin.Context, m *market.Merchant, from, to time.Time, lines []*market.LedgerLine) error {
	loc := m.Location()
	fr := csvFrench(c)
	lang, number := 1, func(minor int64) csvNumber { return csvNumber(decimal(minor)) }
	head := csvRow("date", "operation", "voucher", "amount", "balance_after", "currency", "by", "reference")
	if fr {
		lang = 0
		number = func(minor int64) csvNumber { return csvNumber(strings.Replace(decimal(minor), ".", ",", 1)) }
		head = csvRow("date", "opération", "bon", "montant", "solde après", "devise", "par", "référence")
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="solidaire-%s-%s-%s.csv"`, m.Slug,
		from.In(loc).Format("2006-01-02"), to.Add(-time.Millisecond).In(loc).Format("2006-01-02")))
	c.Status(http.StatusOK)
	if _, err := c.Writer.WriteString("\ufeff"); err != nil {
		return err
	}
	w := csv.NewWriter(c.Writer)
	if fr {
		w.Comma = ';'
	}
	w.Write(head)
	for _, l := range lines {
		kind := l.Kind
		if names, ok := ledgerKinds[l.Kind]; ok {
			kind = names[lang]
		}
		w.Write(csvRow(l.At.In(loc).Format("2006-01-02 15:04:05"), kind, l.Code, number(l.Amount), number(l.BalanceAfter),
			strings.ToUpper(string(l.Currency)), l.By, l.Reference))
	}
	w.Flush()
	return w.Error()
}

// decimal formats minor units as "12.50" for spreadsheets.
func decimal(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return sign + strconv.FormatInt(minor/100, 10) + "." + fmt.Sprintf("%02d", minor%100)
}
