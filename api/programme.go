package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Programmes runs towns' solidarity cards (market.Programmes).
type Programmes interface {
	Create(ctx context.Context, p *market.Programme, organisers []string) error
	View(ctx context.Context, slug string) (*market.ProgrammeView, error)
	Join(ctx context.Context, m *market.Merchant, slug string) (*market.Programme, error)
	Leave(ctx context.Context, m *market.Merchant, slug string) error
	ProgrammeFor(ctx context.Context, a *market.Actor, slug string) (*market.Programme, error)
	Accept(ctx context.Context, p *market.Programme, merchantSlug string) (*market.Merchant, error)
	Remove(ctx context.Context, p *market.Programme, merchantSlug string) error
	Settle(ctx context.Context, a *market.Actor, p *market.Programme, until time.Time, dryRun bool) (*market.SettlementRun, error)
}

// ProgrammeReads are the reads of the programme routes (store.DB).
type ProgrammeReads interface {
	Programme(ctx context.Context, slug string) (*market.Programme, error)
	Programmes(ctx context.Context, userID string) ([]*market.Programme, error)
	ProgrammesInCity(ctx context.Context, city string, currency market.Currency) ([]*market.Programme, error)
	ProgrammeMembers(ctx context.Context, programmeID string, status market.MembershipStatus) ([]*market.Membership, error)
	MerchantProgrammes(ctx context.Context, merchantID string) ([]*market.Membership, error)
	JoinWaitlist(ctx context.Context, programmeID, email, lang string, at time.Time) error
	ProgrammeStats(ctx context.Context, programmeID string) (*market.ProgrammeStats, error)
	SettlementRuns(ctx context.Context, programmeID string, n int) ([]*market.SettlementRun, error)
	MerchantStatements(ctx context.Context, programmeID, merchantID string) ([]*market.SettlementLine, error)
	StatementRedemptions(ctx context.Context, lineID string) ([]*market.Redemption, error)
}

type fundJSON struct {
	Total     market.Money `json:"total"`
	Committed market.Money `json:"committed"`
	Remaining market.Money `json:"remaining"`
	Reserved  market.Money `json:"reserved"`
	Issued    market.Money `json:"issued"`
	Returned  market.Money `json:"returned"`
}

type tierJSON struct {
	From  market.Money `json:"from"`
	Bonus market.Money `json:"bonus"`
}

type bonusJSON struct {
	Percent    int64         `json:"percent,omitempty"`
	MaxPerCard *market.Money `json:"max_per_card,omitempty"`
	Tiers      []tierJSON    `json:"tiers,omitempty"`
}

type capsJSON struct {
	CardsPerBuyer  int64         `json:"cards_per_buyer"`
	AmountPerBuyer *market.Money `json:"amount_per_buyer,omitempty"`
}

// programmeJSON is a programme as the public sees it.
type programmeJSON struct {
	Slug           string          `json:"slug"`
	Name           string          `json:"name"`
	City           string          `json:"city"`
	Currency       market.Currency `json:"currency"`
	Description    string          `json:"description,omitempty"`
	Status         string          `json:"status"`
	Selling        bool            `json:"selling"`
	Fund           fundJSON        `json:"fund"`
	Bonus          bonusJSON       `json:"bonus"`
	Caps           capsJSON        `json:"caps"`
	MinAmount      market.Money    `json:"min_amount"`
	MaxAmount      market.Money    `json:"max_amount"`
	BonusExpiresAt time.Time       `json:"bonus_expires_at"`
	SalesOpenAt    *time.Time      `json:"sales_open_at,omitempty"`
	SalesCloseAt   *time.Time      `json:"sales_close_at,omitempty"`
	Waitlist       bool            `json:"waitlist"`
	CardsSold      int64           `json:"cards_sold"`
	Merchants      []merchantCard  `json:"merchants"`
	URL            string          `json:"url"`
}

func (s *Server) newProgrammeJSON(p *market.Programme, stats *market.ProgrammeStats, merchants []*market.Merchant) programmeJSON {
	money := func(v int64) market.Money { return market.Money{Amount: v, Currency: p.Currency} }
	out := programmeJSON{Slug: p.Slug, Name: p.Name, City: p.City, Currency: p.Currency, Description: p.Description,
		Status: string(p.Status), Selling: p.Selling(time.Now()), Waitlist: p.Waitlist, MinAmount: money(p.MinAmount),
		MaxAmount: money(p.MaxAmount), BonusExpiresAt: p.BonusExpiresAt, Merchants: []merchantCard{},
		URL: s.cfg.BaseURL + "/p/" + p.Slug,
		Fund: fundJSON{Total: money(p.Fund.Total), Committed: money(p.Fund.Committed()), Remaining: money(p.Fund.Remaining),
			Reserved: money(p.Fund.Reserved), Issued: money(p.Fund.Issued), Returned: money(p.Fund.Returned)},
		Caps: capsJSON{CardsPerBuyer: p.Caps.CardsPerBuyer}}
	if p.Caps.AmountPerBuyer > 0 {
		m := money(p.Caps.AmountPerBuyer)
		out.Caps.AmountPerBuyer = &m
	}
	out.Bonus.Percent = p.Bonus.Percent
	if p.Bonus.MaxPerCard > 0 {
		m := money(p.Bonus.MaxPerCard)
		out.Bonus.MaxPerCard = &m
	}
	for _, t := range p.Bonus.Tiers {
		out.Bonus.Tiers = append(out.Bonus.Tiers, tierJSON{money(t.From), money(t.Bonus)})
	}
	if !p.SalesOpenAt.IsZero() {
		out.SalesOpenAt = &p.SalesOpenAt
	}
	if !p.SalesCloseAt.IsZero() {
		out.SalesCloseAt = &p.SalesCloseAt
	}
	if stats != nil {
		out.CardsSold = stats.CardsSold
	}
	for _, m := range merchants {
		out.Merchants = append(out.Merchants, newMerchantCard(m))
	}
	return out
}

// getProgramme answers GET /api/v1/programmes/{slug}: the programme, its
// participating merchants, its fund (what is left to give), its bonus rule
// and caps.
func (s *Server) getProgramme(c *gin.Context) error {
	v, err := s.cfg.Programmes.View(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, s.newProgrammeJSON(v.Programme, v.Stats, v.Merchants))
	return nil
}

// joinWaitlist answers POST /api/v1/programmes/{slug}/waitlist {"email",
// "lang"}: 202 always for a known programme with a waiting list, whether
// or not the email was there already.
func (s *Server) joinWaitlist(c *gin.Context) error {
	if err := s.limit(c, "waitlist:ip:"+c.ClientIP(), s.cfg.Limits.CheckoutPerIP); err != nil {
		return err
	}
	var req struct {
		Email string `json:"email"`
		Lang  string `json:"lang"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	email, err := market.CheckEmail("email", req.Email, true)
	if err != nil {
		return err
	}
	if req.Lang != "en" {
		req.Lang = "fr"
	}
	p, err := s.cfg.ProgrammeReads.Programme(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	if !p.Waitlist {
		return &market.Error{Code: market.EConflict, Message: "Ce programme n'a pas de liste d'attente."}
	}
	if err := s.cfg.ProgrammeReads.JoinWaitlist(c.Request.Context(), p.ID, email, req.Lang, time.Now().UTC()); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "waiting"})
	return nil
}

// programmeRequest is an admin's new programme. Money fields are money
// objects in the programme's currency.
type programmeRequest struct {
	Slug        string          `json:"slug"`
	Name        string          `json:"name"`
	City        string          `json:"city"`
	Currency    market.Currency `json:"currency"`
	Description string          `json:"description"`
	Fund        market.Money    `json:"fund"`
	Bonus       struct {
		Percent    int64         `json:"percent"`
		MaxPerCard *market.Money `json:"max_per_card"`
		Tiers      []tierJSON    `json:"tiers"`
	} `json:"bonus"`
	Caps struct {
		CardsPerBuyer  int64         `json:"cards_per_buyer"`
		AmountPerBuyer *market.Money `json:"amount_per_buyer"`
	} `json:"caps"`
	MinAmount      *market.Money `json:"min_amount"`
	MaxAmount      *market.Money `json:"max_amount"`
	BonusExpiresAt time.Time     `json:"bonus_expires_at"`
	SalesOpenAt    *time.Time    `json:"sales_open_at"`
	SalesCloseAt   *time.Time    `json:"sales_close_at"`
	Waitlist       bool          `json:"waitlist"`
	Organisers     []string      `json:"organisers"`
}

// createProgramme answers POST /api/v1/admin/programmes: a programme with
// its fund, bonus rule, caps and organisers (emails of existing accounts).
func (s *Server) createProgramme(c *gin.Context) error {
	var req programmeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	amount := func(field string, m *market.Money, def int64) (int64, error) {
		if m == nil {
			return def, nil
		}
		if m.Currency != req.Currency {
			return 0, market.Invalid(field+".currency", "must be the programme's currency")
		}
		return m.Amount, nil
	}
	p := &market.Programme{Slug: req.Slug, Name: req.Name, City: req.City, Currency: req.Currency, Description: req.Description,
		BonusExpiresAt: req.BonusExpiresAt, Waitlist: req.Waitlist, Caps: market.Caps{CardsPerBuyer: req.Caps.CardsPerBuyer}}
	var err error
	if p.Fund.Total, err = amount("fund", &req.Fund, 0); err != nil {
		return err
	}
	if p.Caps.AmountPerBuyer, err = amount("caps.amount_per_buyer", req.Caps.AmountPerBuyer, 0); err != nil {
		return err
	}
	if p.MinAmount, err = amount("min_amount", req.MinAmount, 1000); err != nil {
		return err
	}
	if p.MaxAmount, err = amount("max_amount", req.MaxAmount, 30000); err != nil {
		return err
	}
	p.Bonus.Percent = req.Bonus.Percent
	if p.Bonus.MaxPerCard, err = amount("bonus.max_per_card", req.Bonus.MaxPerCard, 0); err != nil {
		return err
	}
	for i, t := range req.Bonus.Tiers {
		field := fmt.Sprintf("bonus.tiers[%d]", i)
		from, err := amount(field+".from", &t.From, 0)
		if err != nil {
			return err
		}
		bonus, err := amount(field+".bonus", &t.Bonus, 0)
		if err != nil {
			return err
		}
		p.Bonus.Tiers = append(p.Bonus.Tiers, market.Tier{From: from, Bonus: bonus})
	}
	if req.SalesOpenAt != nil {
		p.SalesOpenAt = *req.SalesOpenAt
	}
	if req.SalesCloseAt != nil {
		p.SalesCloseAt = *req.SalesCloseAt
	}
	if len(req.Organisers) > 20 {
		return market.Invalid("organisers", "at most 20")
	}
	if err := s.cfg.Programmes.Create(c.Request.Context(), p, req.Organisers); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, s.newProgrammeJSON(p, nil, nil))
	return nil
}

type membershipJSON struct {
	Programme   programmeRef    `json:"programme"`
	Merchant    merchantRef     `json:"merchant"`
	Category    market.Category `json:"category"`
	State       string          `json:"status"`
	RequestedAt time.Time       `json:"requested_at"`
	DecidedAt   *time.Time      `json:"decided_at,omitempty"`
}

type programmeRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func newMembershipJSON(m *market.Membership) membershipJSON {
	out := membershipJSON{Programme: programmeRef{m.ProgrammeSlug, m.ProgrammeName}, Merchant: merchantRef{m.Merchant.Slug, m.Merchant.Name},
		Category: m.Merchant.Category, State: string(m.Status), RequestedAt: m.RequestedAt}
	if !m.DecidedAt.IsZero() {
		out.DecidedAt = &m.DecidedAt
	}
	return out
}

// merchantProgrammes answers GET /api/v1/merchant/programmes: the
// programmes the merchant is in (or asked to join), and the active ones of
// its city it could join.
func (s *Server) merchantProgrammes(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	mine, err := s.cfg.ProgrammeReads.MerchantProgrammes(ctx, m.ID)
	if err != nil {
		return err
	}
	city, err := s.cfg.ProgrammeReads.ProgrammesInCity(ctx, m.City, m.Currency)
	if err != nil {
		return err
	}
	out := gin.H{"memberships": []membershipJSON{}, "open": []programmeRef{}}
	in := map[string]bool{}
	list := []membershipJSON{}
	for _, ms := range mine {
		list = append(list, newMembershipJSON(ms))
		in[ms.ProgrammeID] = ms.Status != market.MemberLeft
	}
	out["memberships"] = list
	open := []programmeRef{}
	for _, p := range city {
		if !in[p.ID] {
			open = append(open, programmeRef{p.Slug, p.Name})
		}
	}
	out["open"] = open
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// joinProgramme answers POST /api/v1/merchant/programmes/{slug}/join: the
// merchant asks to take the programme's cards; an organiser accepts.
func (s *Server) joinProgramme(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	p, err := s.cfg.Programmes.Join(c.Request.Context(), m, c.Param("slug"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"programme": programmeRef{p.Slug, p.Name}, "status": market.MemberRequested})
	return nil
}

// leaveProgramme answers POST /api/v1/merchant/programmes/{slug}/leave:
// the till no longer takes the programme's cards; what it is owed is
// still paid at the next settlement.
func (s *Server) leaveProgramme(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	if err := s.cfg.Programmes.Leave(c.Request.Context(), m, c.Param("slug")); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"status": market.MemberLeft})
	return nil
}

type lineJSON struct {
	ID          string       `json:"id"`
	Run         string       `json:"run"`
	Merchant    merchantRef  `json:"merchant"`
	Redemptions int64        `json:"redemptions"`
	Paid        market.Money `json:"paid"`
	Bonus       market.Money `json:"bonus"`
	Fee         market.Money `json:"fee"`
	Amount      market.Money `json:"amount"`
	Status      string       `json:"status"`
	Transfer    *string      `json:"transfer"`
	Error       string       `json:"error,omitempty"`
	CreatedAt   *time.Time   `json:"created_at,omitempty"`
}

func newLineJSON(l *market.SettlementLine) lineJSON {
	money := func(v int64) market.Money { return market.Money{Amount: v, Currency: l.Currency} }
	out := lineJSON{ID: l.ID, Run: l.RunID, Merchant: merchantRef{l.MerchantSlug, l.MerchantName}, Redemptions: l.Redemptions,
		Paid: money(l.Paid), Bonus: money(l.Bonus), Fee: money(l.Fee), Amount: money(l.Amount), Status: string(l.Status),
		Error: l.LastError}
	if l.TransferID != "" {
		out.Transfer = &l.TransferID
	}
	if !l.CreatedAt.IsZero() {
		out.CreatedAt = &l.CreatedAt
	}
	return out
}

// merchantStatements answers GET /api/v1/merchant/programmes/{slug}/statements:
// the merchant's settlement lines in the programme, as JSON, or as CSV
// (?format=csv, with each redemption) for the accountant.
func (s *Server) merchantStatements(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermLedger)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	p, err := s.cfg.ProgrammeReads.Programme(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	lines, err := s.cfg.ProgrammeReads.MerchantStatements(ctx, p.ID, m.ID)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	if c.Query("format") == "csv" || c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv" {
		loc := m.Location()
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="solidaire-%s-%s.csv"`, p.Slug, m.Slug))
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		w.Write(csvRow("reglement", "date", "encaissement", "bon", "montant", "part_payee", "part_bonus", "devise", "virement"))
		for _, l := range lines {
			rs, err := s.cfg.ProgrammeReads.StatementRedemptions(ctx, l.ID)
			if err != nil {
				return err
			}
			for _, r := range rs {
				w.Write(csvRow(l.RunID, r.CreatedAt.In(loc).Format(time.RFC3339), r.ID, market.LastFour(r.VoucherCode),
					csvNumber(decimal(r.Amount)), csvNumber(decimal(r.Amount-r.FromBonus)), csvNumber(decimal(r.FromBonus)),
					strings.ToUpper(string(l.Currency)), l.TransferID))
			}
		}
		w.Flush()
		return w.Error()
	}
	out := list[lineJSON]{Data: make([]lineJSON, len(lines))}
	for i, l := range lines {
		out.Data[i] = newLineJSON(l)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// organiserProgrammes answers GET /api/v1/organiser/programmes: the
// programmes the person runs (all of them for an admin).
func (s *Server) organiserProgrammes(c *gin.Context) error {
	a := actor(c)
	var ps []*market.Programme
	var err error
	switch {
	case a.Admin && a.DeviceID == "":
		ps, err = s.cfg.ProgrammeReads.Programmes(c.Request.Context(), "")
	case a.UserID != "": // a till (a device) organises nothing
		ps, err = s.cfg.ProgrammeReads.Programmes(c.Request.Context(), a.UserID)
	}
	if err != nil {
		return err
	}
	out := list[programmeJSON]{Data: make([]programmeJSON, len(ps))}
	for i, p := range ps {
		out.Data[i] = s.newProgrammeJSON(p, nil, nil)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// organiserProgramme answers GET /api/v1/organiser/programmes/{slug}: the
// organiser's view: cards sold, the fund, what cards can still spend (the
// liability), redemptions by merchant and by category, the merchants and
// their requests, the settlement runs.
func (s *Server) organiserProgramme(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.cfg.Programmes.ProgrammeFor(ctx, actor(c), c.Param("slug"))
	if err != nil {
		return err
	}
	stats, err := s.cfg.ProgrammeReads.ProgrammeStats(ctx, p.ID)
	if err != nil {
		return err
	}
	members, err := s.cfg.ProgrammeReads.ProgrammeMembers(ctx, p.ID, "")
	if err != nil {
		return err
	}
	runs, err := s.cfg.ProgrammeReads.SettlementRuns(ctx, p.ID, 20)
	if err != nil {
		return err
	}
	money := func(v int64) market.Money { return market.Money{Amount: v, Currency: p.Currency} }
	var accepted []*market.Merchant
	ms := []membershipJSON{}
	for _, m := range members {
		ms = append(ms, newMembershipJSON(m))
		if m.Status == market.MemberAccepted {
			accepted = append(accepted, m.Merchant)
		}
	}
	type byMerchant struct {
		Merchant    merchantRef     `json:"merchant"`
		Category    market.Category `json:"category"`
		Redemptions int64           `json:"redemptions"`
		Paid        market.Money    `json:"paid"`
		Bonus       market.Money    `json:"bonus"`
		Share       float64         `json:"share"`
	}
	byM := []byMerchant{}
	byCat := map[market.Category]int64{}
	var spent int64
	for _, r := range stats.ByMerchant {
		spent += r.Paid + r.Bonus
	}
	for _, r := range stats.ByMerchant {
		share := 0.0
		if spent > 0 {
			share = float64(r.Paid+r.Bonus) / float64(spent)
		}
		byM = append(byM, byMerchant{merchantRef{r.Slug, r.Name}, r.Category, r.Count, money(r.Paid), money(r.Bonus), share})
		byCat[r.Category] += r.Paid + r.Bonus
	}
	cats := []gin.H{}
	for cat, v := range byCat {
		cats = append(cats, gin.H{"category": cat, "spent": money(v)})
	}
	rs := []gin.H{}
	for _, r := range runs {
		lines := make([]lineJSON, len(r.Lines))
		for i, l := range r.Lines {
			lines[i] = newLineJSON(l)
		}
		rs = append(rs, gin.H{"id": r.ID, "until": r.Until, "created_at": r.CreatedAt, "lines": lines})
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"programme": s.newProgrammeJSON(p, stats, accepted),
		"cards":     gin.H{"sold": stats.CardsSold, "paid": money(stats.PaidSold), "bonus": money(stats.BonusGiven)},
		"liability": gin.H{"paid": money(stats.PaidLeft), "bonus": money(stats.BonusLeft)},
		"spent":     money(spent), "by_merchant": byM, "by_category": cats, "members": ms, "settlements": rs,
		"waitlist": stats.Waitlist})
	return nil
}

// acceptProgrammeMerchant answers POST
// /api/v1/organiser/programmes/{slug}/merchants/{merchant}/accept: the
// merchant's till takes the programme's cards from now on.
func (s *Server) acceptProgrammeMerchant(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.cfg.Programmes.ProgrammeFor(ctx, actor(c), c.Param("slug"))
	if err != nil {
		return err
	}
	m, err := s.cfg.Programmes.Accept(ctx, p, c.Param("merchant"))
	if err != nil {
		return err
	}
	s.announceProgramme(ctx, m, p)
	c.JSON(http.StatusOK, gin.H{"merchant": merchantRef{m.Slug, m.Name}, "status": market.MemberAccepted})
	return nil
}

// removeProgrammeMerchant answers POST
// /api/v1/organiser/programmes/{slug}/merchants/{merchant}/remove: the
// merchant no longer takes the cards; it is paid what it is owed.
func (s *Server) removeProgrammeMerchant(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.cfg.Programmes.ProgrammeFor(ctx, actor(c), c.Param("slug"))
	if err != nil {
		return err
	}
	if err := s.cfg.Programmes.Remove(ctx, p, c.Param("merchant")); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"status": market.MemberLeft})
	return nil
}

// settleProgramme answers POST /api/v1/organiser/programmes/{slug}/settlements
// {"until", "dry_run"}: with dry_run what each merchant would be paid,
// otherwise a run (recorded once, its transfers made once) — run null when
// nothing is owed.
func (s *Server) settleProgramme(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.cfg.Programmes.ProgrammeFor(ctx, actor(c), c.Param("slug"))
	if err != nil {
		return err
	}
	var req struct {
		Until  *time.Time `json:"until"`
		DryRun bool       `json:"dry_run"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var until time.Time
	if req.Until != nil {
		until = *req.Until
	}
	run, err := s.cfg.Programmes.Settle(ctx, actor(c), p, until, req.DryRun)
	if err != nil {
		return err
	}
	out := gin.H{"run": nil, "dry_run": req.DryRun, "merchants": []lineJSON{}}
	if run != nil {
		lines := make([]lineJSON, len(run.Lines))
		var total int64
		for i, l := range run.Lines {
			lines[i] = newLineJSON(l)
			total += l.Amount
		}
		out["merchants"], out["until"], out["total"] = lines, run.Until, market.Money{Amount: total, Currency: p.Currency}
		if run.ID != "" {
			out["run"] = run.ID
		}
	}
	status := http.StatusOK
	if !req.DryRun && run != nil {
		status = http.StatusCreated
	}
	c.JSON(status, out)
	return nil
}

// programmeSettlements answers GET /api/v1/organiser/programmes/{slug}/settlements:
// the runs, newest first, with their lines; ?format=csv for a spreadsheet.
func (s *Server) programmeSettlements(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.cfg.Programmes.ProgrammeFor(ctx, actor(c), c.Param("slug"))
	if err != nil {
		return err
	}
	runs, err := s.cfg.ProgrammeReads.SettlementRuns(ctx, p.ID, 100)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	if c.Query("format") == "csv" || c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="solidaire-%s-reglements.csv"`, p.Slug))
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		w.Write(csvRow("reglement", "jusqu_au", "commerce", "encaissements", "part_payee", "part_bonus", "frais", "virement_montant",
			"devise", "etat", "virement"))
		for _, r := range runs {
			for _, l := range r.Lines {
				w.Write(csvRow(r.ID, r.Until.Format(time.RFC3339), l.MerchantName, csvNumber(fmt.Sprint(l.Redemptions)),
					csvNumber(decimal(l.Paid)), csvNumber(decimal(l.Bonus)), csvNumber(decimal(l.Fee)), csvNumber(decimal(l.Amount)),
					strings.ToUpper(string(l.Currency)), l.Status, l.TransferID))
			}
		}
		w.Flush()
		return w.Error()
	}
	out := []gin.H{}
	for _, r := range runs {
		lines := make([]lineJSON, len(r.Lines))
		for i, l := range r.Lines {
			lines[i] = newLineJSON(l)
		}
		out = append(out, gin.H{"id": r.ID, "until": r.Until, "created_at": r.CreatedAt, "lines": lines})
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}
