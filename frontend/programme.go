package frontend

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// A town's solidarity card (a programme): one card, bought on the
// programme's page /p/{slug}, spent at every shop the programme accepted,
// topped up by a sponsor's fund. The page works without JavaScript, like a
// merchant's: the purchase form posts to /p/{slug}/acheter, which answers
// 303 to the payment page or the page again with what went wrong; the
// waiting list, offered once the fund is spent, posts to /p/{slug}/attente.
// The buy island posts the same form as JSON to /api/v1/checkout; the
// programme island computes the bonus of the amount chosen from the rule,
// filters the shops as one types, and joins the waiting list through
// /api/v1/programmes/{slug}/waitlist.

// programmeCatalogue reads towns' programmes and keeps their waiting lists
// (store.DB, which Config.Catalogue is in production): the pages show the
// programmes when the catalogue can. Each read returns ENotFound for what
// is unknown.
type programmeCatalogue interface {
	Programme(ctx context.Context, slug string) (*market.Programme, error)
	ProgrammeByID(ctx context.Context, id string) (*market.Programme, error)
	Programmes(ctx context.Context, userID string) ([]*market.Programme, error)
	ProgrammeMembers(ctx context.Context, programmeID string, status market.MembershipStatus) ([]*market.Membership, error)
	MerchantProgrammes(ctx context.Context, merchantID string) ([]*market.Membership, error)
	JoinWaitlist(ctx context.Context, programmeID, email, lang string, at time.Time) error
}

// programmeData is a programme's page.
type programmeData struct {
	Programme *market.Programme
	Left      int64       // percent of the fund still to give, 0 to 100
	Spent     bool        // the fund cannot give the smallest bonus any more
	Bonus     []bonusLine // the rule, line by line
	Caps      string      // what one person may buy; "" when there is no cap
	Window    string      // when the cards are on sale; "" when always
	Closed    string      // why the cards are not on sale now; "" when they are
	Refusal   string      // why the checkout just refused, when no field says it
	Shops     []shop
	Count     int // participating shops
	Found     string
	Query     string
	Category  string
	Options   []option
	Buy       *cardForm  // nil when the cards are not sold online now
	Waitlist  *formField // the waiting list's email; nil when the programme has none
	// OfferList shows the waiting list: the fund is spent, or the visitor
	// just joined or tried to. The buy island shows it too when the
	// checkout says the fund cannot cover a bonus.
	OfferList bool
	Waiting   bool // back from joining the waiting list
	Cancelled bool // back from a payment page left without paying
	Share     share
}

// shop is a participating shop, hidden when the search leaves it out (the
// shops island searches them all without asking the server).
type shop struct {
	*market.Merchant
	Hidden bool
}

// bonusLine is one line of a bonus rule: from which amount, how much.
type bonusLine struct {
	Amount string
	Bonus  string
}

// cardForm is the purchase form of a programme's card.
type cardForm struct {
	*buyForm
	Amounts      []int64 // the amounts suggested: those where a tier starts
	WithoutBonus bool    // the card without bonus: the fund is spent, or the buyer asked
	OfferWithout bool    // the fund could not cover the bonus: show the button without it
	Rule         string  // the bonus rule for the island, JSON
	BonusText    string  // what the amount chosen gets
	Spend        string  // what the card will spend: the value and its bonus
}

// programmeNamed is the programme with slug, or ENotFound when the catalogue
// keeps no programmes or has none of that slug.
func (p *Pages) programmeNamed(ctx context.Context, slug string) (*market.Programme, error) {
	if p.progs == nil || slug == "" || slug != market.Slugify(slug) {
		return nil, market.NotFound("Programme")
	}
	return p.progs.Programme(ctx, slug)
}

// programme is a programme's page: what the card is, the fund left, the
// rule, the caps and dates, what the law asks to say, the shops that take
// it and the form that buys it.
func (p *Pages) programme(r *http.Request, l *locale) (*page, error) {
	pr, err := p.programmeNamed(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	var f *cardForm
	if p.cfg.Checkout != nil && pr.Selling(l.now()) {
		f = p.newCardForm(l, pr)
	}
	q := r.URL.Query()
	pg, err := p.programmePage(r, l, pr, f)
	if err != nil {
		return nil, err
	}
	d := pg.Data.(*programmeData)
	d.Waiting, d.Cancelled = q.Get("attente") == "1" && d.Waitlist != nil, q.Get("annule") == "1" && f != nil
	d.OfferList = d.OfferList || d.Waiting
	return pg, nil
}

// programmePage is the page of pr with the purchase form f (nil when the
// cards are not sold online now).
func (p *Pages) programmePage(r *http.Request, l *locale, pr *market.Programme, f *cardForm) (*page, error) {
	ctx := r.Context()
	now := l.now()
	d := &programmeData{Programme: pr, Left: percent(pr.Fund.Remaining, pr.Fund.Total), Spent: fundSpent(pr),
		Caps: capsText(l, pr), Window: windowText(l, pr, now), Closed: closedText(l, pr, now), Buy: f}
	if pr.Fund.Total > 0 && pr.Fund.Remaining > 0 && d.Left == 0 {
		d.Left = 1 // a few dollars left are not nothing
	}
	for i, t := range pr.Bonus.Tiers {
		line := bonusLine{Amount: l.must("prog.tier.from", l.Money(t.From, pr.Currency)), Bonus: l.must("prog.tier.bonus", l.Money(t.Bonus, pr.Currency))}
		if i+1 < len(pr.Bonus.Tiers) {
			line.Amount = l.must("prog.tier.range", l.Money(t.From, pr.Currency), l.Money(pr.Bonus.Tiers[i+1].From-1, pr.Currency))
		}
		d.Bonus = append(d.Bonus, line)
	}
	if len(pr.Bonus.Tiers) == 0 && pr.Bonus.Percent > 0 {
		line := bonusLine{Amount: l.must("prog.percent.any"), Bonus: l.must("prog.percent", pr.Bonus.Percent)}
		if pr.Bonus.MaxPerCard > 0 {
			line.Bonus = l.must("prog.percent.max", pr.Bonus.Percent, l.Money(pr.Bonus.MaxPerCard, pr.Currency))
		}
		d.Bonus = append(d.Bonus, line)
	}
	if d.Spent && f != nil {
		f.WithoutBonus = true
		f.describe(l, pr)
	}
	if pr.Waitlist {
		d.OfferList = d.Spent
		d.Waitlist = &formField{ID: "attente-courriel", Name: "email", Type: "email", Autocomplete: "email", Required: true,
			Label: l.must("prog.waitlist.email"), Hint: l.must("prog.waitlist.hint"), Message: l.must("buy.error.email"), API: "email", MaxLength: 254}
	}

	members, err := p.progs.ProgrammeMembers(ctx, pr.ID, market.MemberAccepted)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	d.Query, d.Category = strings.TrimSpace(q.Get("q")), q.Get("categorie")
	cats := map[market.Category]bool{}
	folded, shown := fold(d.Query), 0
	for _, ms := range members {
		m := ms.Merchant
		if m.Status != market.MerchantApproved {
			continue
		}
		d.Count++
		cats[m.Category] = true
		hidden := d.Category != "" && string(m.Category) != d.Category || !strings.Contains(fold(m.Name), folded)
		d.Shops = append(d.Shops, shop{Merchant: m, Hidden: hidden})
		if !hidden {
			shown++
		}
	}
	d.Options = []option{{Value: "", Label: l.must("filters.category.all")}}
	for _, c := range market.Categories {
		if cats[c.Slug] {
			d.Options = append(d.Options, option{Value: string(c.Slug), Label: l.Category(c.Slug), Selected: string(c.Slug) == d.Category})
		}
	}
	switch {
	case shown == 0:
		d.Found = l.must("prog.shops.none")
	case shown < d.Count:
		d.Found, _ = l.Plural("prog.shops.found", int64(shown))
	default:
		d.Found, _ = l.Plural("prog.shops", int64(d.Count))
	}

	path := "/p/" + pr.Slug
	text := l.must("share.programme", pr.Name, pr.City)
	d.Share = newShare(p.baseURL(r)+path, pr.Name, text)
	return &page{view: "programme", Title: l.must("prog.title", pr.Name, pr.City), Description: describe(pr.Description, text),
		Path: path, Section: "merchants", Data: d, payment: f != nil}, nil
}

// fold is a name as the shops' search compares it: lower case, without
// accents (the island folds what is typed the same way).
func fold(s string) string { return market.Fold(s) }

// fundSpent reports whether the fund can no longer give the smallest bonus
// a card can get: the card then sells without bonus.
func fundSpent(pr *market.Programme) bool {
	least := int64(0)
	for _, a := range append([]int64{pr.MinAmount, pr.MaxAmount}, tierAmounts(pr)...) {
		if b := pr.Bonus.BonusFor(a); a >= pr.MinAmount && a <= pr.MaxAmount && b > 0 && (least == 0 || b < least) {
			least = b
		}
	}
	return least > 0 && pr.Fund.Remaining < least
}

// tierAmounts are the amounts where a tier starts, within the card's
// bounds: the amounts the form suggests.
func tierAmounts(pr *market.Programme) []int64 {
	var out []int64
	for _, t := range pr.Bonus.Tiers {
		if t.From >= pr.MinAmount && t.From <= pr.MaxAmount {
			out = append(out, t.From)
		}
	}
	return out
}

// capsText is what one person may buy: "2 cartes et 200,00 $ au plus par
// personne"; "" when nothing is capped.
func capsText(l *locale, pr *market.Programme) string {
	var parts []string
	if n := pr.Caps.CardsPerBuyer; n > 0 {
		s, _ := l.Plural("prog.caps.cards", n)
		parts = append(parts, s)
	}
	if a := pr.Caps.AmountPerBuyer; a > 0 {
		parts = append(parts, l.Money(a, pr.Currency))
	}
	switch len(parts) {
	case 2:
		return l.must("prog.caps.both", parts[0], parts[1])
	case 1:
		return l.must("prog.caps.one", parts[0])
	}
	return ""
}

// windowText says when the cards are on sale; "" when always.
func windowText(l *locale, pr *market.Programme, now time.Time) string {
	opens, closes := pr.SalesOpenAt, pr.SalesCloseAt
	day := func(t time.Time) string { return l.Day(t, pr.Currency) }
	switch {
	case !opens.IsZero() && !closes.IsZero():
		return l.must("prog.window.both", day(opens), day(closes.Add(-time.Second)))
	case !closes.IsZero():
		return l.must("prog.window.until", day(closes.Add(-time.Second)))
	case !opens.IsZero() && opens.After(now):
		return l.must("prog.window.from", day(opens))
	}
	return ""
}

// closedText says why the cards are not on sale now; "" when they are.
func closedText(l *locale, pr *market.Programme, now time.Time) string {
	switch {
	case pr.Status != market.ProgrammeActive:
		return l.must("prog.closed.over")
	case !pr.SalesOpenAt.IsZero() && now.Before(pr.SalesOpenAt):
		return l.must("prog.closed.soon", l.Day(pr.SalesOpenAt, pr.Currency))
	case !pr.SalesCloseAt.IsZero() && !now.Before(pr.SalesCloseAt):
		return l.must("prog.closed.ended", l.Day(pr.SalesCloseAt.Add(-time.Second), pr.Currency))
	}
	return ""
}

// newCardForm returns the empty purchase form of pr's card.
func (p *Pages) newCardForm(l *locale, pr *market.Programme) *cardForm {
	f := &cardForm{buyForm: p.buyFields(l, "/p/"+pr.Slug+"/acheter", pr.MinAmount, pr.MaxAmount, pr.Currency),
		Amounts: tierAmounts(pr)}
	f.Recipient.Message, f.GiftLegend = l.must("prog.error.recipient"), "prog.gift.legend"
	f.ToEmail.Hint, f.Email.Hint, f.Name.Hint = l.must("prog.recipient.email.hint"), l.must("prog.email.hint"), l.must("prog.name.hint")
	// The rule as the island reads it: tiers as [from, bonus] pairs.
	tiers := [][2]int64{}
	for _, t := range pr.Bonus.Tiers {
		tiers = append(tiers, [2]int64{t.From, t.Bonus})
	}
	b, _ := json.Marshal(map[string]any{"percent": pr.Bonus.Percent, "max": pr.Bonus.MaxPerCard, "tiers": tiers})
	f.Rule = string(b)
	f.describe(l, pr)
	return f
}

// describe says what the amount chosen gets: its bonus, and what the card
// will spend.
func (f *cardForm) describe(l *locale, pr *market.Programme) {
	amount, _ := parseAmount(f.Other.Value)
	if f.Other.Value == "" {
		amount = f.Amount
	}
	if amount <= 0 {
		f.BonusText, f.Spend = l.must("prog.bonus.pick"), ""
		return
	}
	bonus := pr.Bonus.BonusFor(amount)
	switch {
	case f.WithoutBonus:
		bonus = 0
		f.BonusText = l.must("prog.bonus.without")
	case bonus > 0:
		f.BonusText = l.must("prog.bonus.some", l.Money(bonus, pr.Currency))
	default:
		f.BonusText = l.must("prog.bonus.none")
	}
	f.Spend = l.Money(amount+bonus, pr.Currency)
}

// buyCard answers the card's purchase form posted without JavaScript: 303
// to the payment page, or the programme's page again with what went wrong
// and the values kept. Cross-site posts are refused (403).
func (p *Pages) buyCard(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	pr, err := p.programmeNamed(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if p.cfg.Checkout == nil {
		return nil, market.NotFound("Formulaire")
	}
	f := p.newCardForm(l, pr)
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	status := http.StatusBadRequest
	refusal, short := "", false
	if err := r.ParseForm(); err != nil {
		f.FormError = l.must("buy.error.invalid")
	} else {
		f.fill(r.PostForm, f.Amounts)
		f.WithoutBonus = r.PostForm.Get("without_bonus") == "1"
		if amount, ok := f.chosen(l, pr.Currency); ok && len(f.Errors) == 0 {
			in := f.order(l, market.ItemInput{Kind: market.KindProgrammeCard, Programme: pr.Slug, Amount: amount, Quantity: 1,
				WithoutBonus: f.WithoutBonus})
			if c, err := r.Cookie("sol_ref"); err == nil && len(c.Value) <= 64 {
				in.Ref = c.Value
			}
			res, err := p.checkout(r, in)
			if err == nil {
				return &page{redirect: res.CheckoutURL}, nil
			}
			status, refusal = f.refuseCard(l, pr, err)
			short = market.ErrorCode(err) == market.EFundExhausted
			if status >= 500 && !errors.Is(err, context.Canceled) {
				p.log.ErrorContext(r.Context(), "checkout failed", "programme", pr.Slug, "error", err)
			}
			if market.ErrorCode(err) == market.EFundExhausted || market.ErrorCode(err) == market.EProgrammeClosed {
				// What the fund and the dates are now: the page shows it.
				if again, err := p.progs.Programme(r.Context(), pr.Slug); err == nil {
					pr = again
				}
			}
		}
	}
	f.describe(l, pr)
	if len(f.Errors) > 0 {
		f.Errors[0].Autofocus = true
	}
	if !pr.Selling(l.now()) {
		f = nil
	}
	pg, err := p.programmePage(r, l, pr, f)
	if err != nil {
		return nil, err
	}
	d := pg.Data.(*programmeData)
	d.Refusal = refusal
	d.OfferList = d.OfferList || short
	pg.status, pg.private = status, true
	pg.Title = l.must("buy.error.title", pg.Title)
	return pg, nil
}

// refuseCard shows why the checkout refused the card: next to the fields
// it names, above the button, or (refusal) above the form when the cards
// are no longer on sale. It returns the status of the answer.
func (f *cardForm) refuseCard(l *locale, pr *market.Programme, err error) (status int, refusal string) {
	switch market.ErrorCode(err) {
	case market.EFundExhausted:
		f.FormError, f.OfferWithout = l.must("prog.error.fund"), true
		return http.StatusConflict, ""
	case market.ECapReached:
		caps := capsText(l, pr)
		if caps == "" {
			caps = l.must("prog.caps.none")
		}
		f.FormError = l.must("prog.error.cap", caps)
		return http.StatusConflict, ""
	case market.EProgrammeClosed:
		return http.StatusConflict, l.must("prog.error.closed")
	}
	return f.refuse(l, err), ""
}

// buyCardAgain sends a GET of the form's address (a language switch on a
// page shown again after a refusal, a reload) to the programme's form.
func (p *Pages) buyCardAgain(w http.ResponseWriter, r *http.Request) {
	u := url.URL{Path: "/p/" + r.PathValue("slug"), RawQuery: r.URL.RawQuery, Fragment: "carte"}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// joinWaitlist answers the waiting list's form posted without JavaScript:
// 303 to the page, which thanks the visitor, or the page again with the
// address to fix. The list only exists once the fund is spent.
func (p *Pages) joinWaitlist(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	pr, err := p.programmeNamed(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if !pr.Waitlist {
		return nil, market.NotFound("Liste d'attente")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	email := ""
	if err := r.ParseForm(); err == nil {
		email = strings.TrimSpace(r.PostForm.Get("email"))
	}
	status := http.StatusBadRequest
	folded, err := market.CheckEmail("email", email, true)
	if err == nil {
		err = p.allow(r, "form:waitlist:"+folded)
		if err == nil {
			err = p.progs.JoinWaitlist(r.Context(), pr.ID, folded, l.lang, time.Now().UTC())
		}
		if err == nil {
			return &page{redirect: "/p/" + pr.Slug + "?attente=1#attente"}, nil
		}
		switch market.ErrorCode(err) {
		case market.ERateLimited:
			status = http.StatusTooManyRequests
		default:
			return nil, err
		}
	}
	pg, err := p.programmePage(r, l, pr, nil)
	if err != nil {
		return nil, err
	}
	if f := pg.Data.(*programmeData).Waitlist; f != nil {
		pg.Data.(*programmeData).OfferList = true
		f.Value, f.Autofocus = email, true
		f.Error = f.Message
		if status == http.StatusTooManyRequests {
			f.Error = l.must("buy.error.busy")
		}
	}
	pg.status, pg.private = status, true
	pg.Title = l.must("buy.error.title", pg.Title)
	return pg, nil
}

// allow spends one of the form's budget for key (the forms without
// JavaScript, per buyer): ERateLimited when it is spent. A limiter that
// fails lets the request through.
func (p *Pages) allow(r *http.Request, key string) error {
	if p.cfg.Limiter == nil {
		return nil
	}
	ok, _, err := p.cfg.Limiter.Allow(r.Context(), key, checkoutPerBuyer.count, checkoutPerBuyer.per)
	if err != nil {
		p.log.WarnContext(r.Context(), "rate limiter unavailable", "error", err)
		return nil
	}
	if !ok {
		return &market.Error{Code: market.ERateLimited, Message: "Trop de demandes."}
	}
	return nil
}

// programmeCard is a programme as the home page shows it.
type programmeCard struct {
	*market.Programme
	Left  int64  // percent of the fund still to give
	Offer string // the rule in a few words: "jusqu'à 50,00 $ de bonus"
}

// homeProgrammes lists the programmes selling now, those of city first
// (only those when city is set), for the home page.
func (p *Pages) homeProgrammes(ctx context.Context, l *locale, city string) ([]programmeCard, error) {
	if p.progs == nil {
		return nil, nil
	}
	all, err := p.progs.Programmes(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []programmeCard
	for _, pr := range all {
		if !pr.Selling(l.now()) || city != "" && !strings.EqualFold(market.Fold(pr.City), market.Fold(city)) {
			continue
		}
		c := programmeCard{Programme: pr, Left: percent(pr.Fund.Remaining, pr.Fund.Total)}
		if best := pr.Bonus.BonusFor(pr.MaxAmount); best > 0 && !fundSpent(pr) {
			c.Offer = l.must("prog.card.offer", l.Money(best, pr.Currency))
		} else {
			c.Offer = l.must("prog.card.spent")
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// acceptedProgrammes lists the programmes whose card m takes, for its page.
func (p *Pages) acceptedProgrammes(ctx context.Context, m *market.Merchant) ([]*market.Membership, error) {
	if p.progs == nil {
		return nil, nil
	}
	all, err := p.progs.MerchantProgrammes(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []*market.Membership
	for _, ms := range all {
		if ms.Status == market.MemberAccepted {
			out = append(out, ms)
		}
	}
	return out, nil
}

// operatorProgramme returns the programme that m sells the cards of, when
// m is a programme's operator (the seller of record of its cards, never
// listed), or nil.
func (p *Pages) operatorProgramme(ctx context.Context, m *market.Merchant) *market.Programme {
	if p.progs == nil || m.Status != market.MerchantProgramme {
		return nil
	}
	pr, err := p.progs.Programme(ctx, strings.TrimPrefix(m.Slug, "programme-"))
	if err != nil || pr.OperatorID != m.ID {
		return nil
	}
	return pr
}

// seller is who an order was bought from, as its pages name it: a merchant
// and its page, or a programme and its page.
type seller struct {
	Label string // "Commerce", "Carte solidaire"
	Name  string
	URL   string // the seller's page
	Form  string // the purchase form on that page
	Card  bool   // a programme's card
}

// sellerOf is who o was bought from.
func (p *Pages) sellerOf(ctx context.Context, l *locale, o *market.Order) seller {
	for _, it := range o.Items {
		if it.ProgrammeID == "" || p.progs == nil {
			continue
		}
		if pr, err := p.progs.ProgrammeByID(ctx, it.ProgrammeID); err == nil {
			return seller{Label: l.must("prog.kind"), Name: pr.Name, URL: "/p/" + pr.Slug, Form: "/p/" + pr.Slug + "#carte", Card: true}
		}
	}
	return seller{Label: l.must("buy.recap.merchant"), Name: o.MerchantName, URL: "/m/" + o.MerchantSlug, Form: "/m/" + o.MerchantSlug + "#bons"}
}
