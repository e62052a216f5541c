package frontend

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// "Mes bons" (/mes-bons): a citizen's vouchers, programme cards and
// tickets, everything bought with or given to one email address, opened
// without a password by a link mailed to that address. Every step is a
// plain form that works without JavaScript:
//
//   - GET /mes-bons asks for the address, or shows the wallet when this
//     device holds a live session (the sol_wallet cookie, which the API
//     reads too);
//   - POST /mes-bons/lien mails the link, with the same answer whether or
//     not the address holds anything;
//   - the link, GET /mes-bons?jeton=…, shows a button that POSTs the token
//     to /mes-bons/ouvrir: mail scanners fetch the links of a mail, and a
//     GET that used the link would spend it before its owner clicks;
//   - POST /mes-bons/renvoyer, /mes-bons/cadeau and /mes-bons/deconnexion
//     resend a voucher's mail, change a dated gift's day or address, and
//     end the session on this device.
//
// Every page of it is private: the token is in the address, and the
// wallet shows what the holder bought.

// walletCookie is the wallet session's cookie: the API's (api.WalletCookie)
// too, so that a wallet opened here also opens it there.
const walletCookie = "sol_wallet"

// walletPerEmail bounds the links mailed to one address, and the vouchers
// one wallet asks to be sent again: as many as the API allows.
var walletPerEmail = struct {
	count int
	per   time.Duration
}{5, time.Hour}

func init() { viewNames = append(viewNames, "wallet") }

// walletData is the wallet's page, in one of its modes.
type walletData struct {
	// Mode is what the page shows: "ask" (the address to send a link
	// to), "sent" (the link is on its way), "open" (the link's button),
	// "invalid" (a link that no longer opens) or "wallet".
	Mode   string
	Ask    *formField // the address, in modes ask and invalid
	Error  string     // why the address form was refused, when no field says it
	Token  string     // the link's token, in mode open
	Email  string     // the address the link was sent to, or the wallet's
	Notice string     // what the last action did ("Envoyé à …")
	Failed string     // why the last action failed, when no voucher's form says it
	// Vouchers and Tickets are the wallet's, newest first.
	Vouchers []*walletVoucher
	Tickets  []*walletTicket
}

// walletVoucher is a voucher or a programme card as the wallet shows it.
type walletVoucher struct {
	Code      string
	URL       string
	Name      string // the merchant's, or the programme's
	Programme bool
	LastFour  string
	Balance   string // what it can pay now: the paid balance and the live bonus
	Bonus     string // the live bonus and its end, in words; "" when none
	State     string // active, spent, disputed, void
	StateText string
	From      string // "Reçu de …" for a gift received; "" otherwise
	To        string // "Offert à …" for a gift the wallet's address bought
	// Pending is the buyer's gift whose mail waits for its day: Sending
	// says when and to whom, Gift is the form that changes them.
	Pending bool
	Sending string
	Gift    *giftForm
	History []historyLine
}

// giftForm changes a dated gift's day and address.
type giftForm struct {
	Date  *formField
	To    *formField
	Zone  string
	Error string // why the change was refused, when no field says it
	Open  bool   // shown open: it was just refused
}

// historyLine is one line of a voucher's story.
type historyLine struct {
	At     time.Time
	When   string
	Text   string
	Amount string // signed; "" when the line moves no money
}

// walletTicket is a ticket as the wallet shows it.
type walletTicket struct {
	Code       string
	URL        string
	Title      string
	Venue      string
	When       string
	StartsAt   time.Time
	Kind       string // the eyebrow: a ticket, a solidarity ticket
	Status     string
	Event      *market.Event
	ChoiceOpen bool
}

// walletPage is a page of the wallet: private, never indexed, its
// canonical address without the link's token.
func walletPage(l *locale, status int, title string, d *walletData) *page {
	return &page{view: "wallet", status: status, Title: title, Description: l.must("wallet.description"),
		Path: "/mes-bons", Section: "wallet", NoIndex: true, private: true, Data: d}
}

// askForm is the address form, empty or with what was typed.
func askForm(l *locale, value string) *formField {
	return &formField{ID: "mes-bons-courriel", Name: "email", Type: "email", Autocomplete: "email", Required: true,
		Label: l.must("wallet.ask.email"), Hint: l.must("wallet.ask.hint"), Message: l.must("wallet.ask.error"),
		MaxLength: 254, Value: value}
}

// askPage asks for the address to mail a link to.
func askPage(l *locale, status int, value string) *page {
	return walletPage(l, status, l.must("wallet.title"), &walletData{Mode: "ask", Ask: askForm(l, value)})
}

// wallet is /mes-bons: the link's button when the address carries its
// token, the wallet when this device holds a session, the address form
// otherwise.
func (p *Pages) wallet(r *http.Request, l *locale) (*page, error) {
	if p.cfg.Wallet == nil {
		return nil, market.NotFound("Mes bons")
	}
	q := r.URL.Query()
	if token := strings.TrimSpace(q.Get("jeton")); token != "" {
		return walletPage(l, http.StatusOK, l.must("wallet.open.title"), &walletData{Mode: "open", Token: token}), nil
	}
	ws, stale, err := p.walletSession(r)
	if err != nil {
		return nil, err
	}
	if ws == nil {
		pg := askPage(l, http.StatusOK, "")
		if q.Get("deconnecte") == "1" {
			pg.Data.(*walletData).Notice = l.must("wallet.signedout")
		}
		if stale {
			pg.cookies = append(pg.cookies, p.walletCookie(r, "", -1))
		}
		return pg, nil
	}
	return p.walletView(r, l, ws, nil)
}

// walletSession is the live wallet session of the request's device: nil
// without one, and stale when the cookie names a session that is over.
func (p *Pages) walletSession(r *http.Request) (ws *market.WalletSession, stale bool, err error) {
	c, err := r.Cookie(walletCookie)
	if err != nil || c.Value == "" {
		return nil, false, nil
	}
	ws, err = p.cfg.Wallet.Session(r.Context(), c.Value)
	if market.ErrorCode(err) == market.EUnauthorized {
		return nil, true, nil
	}
	return ws, false, err
}

// walletCookie is the session cookie with value, kept maxAge seconds
// (-1 removes it): HttpOnly, SameSite=Lax, Secure on an https site.
func (p *Pages) walletCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: walletCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(p.baseURL(r), "https:")}
}

// refused is how a wallet's action answers its failure: the voucher's
// gift form refused (code, what to show), or a message above the list.
type refused struct {
	code   string
	form   url.Values
	err    error
	status int
}

// walletView shows the wallet of ws: its vouchers with their stories and
// forms, its tickets, and what the last action did.
func (p *Pages) walletView(r *http.Request, l *locale, ws *market.WalletSession, why *refused) (*page, error) {
	ctx := r.Context()
	w, err := p.cfg.Wallet.Wallet(ctx, ws)
	if err != nil {
		return nil, err
	}
	now := l.now()
	d := &walletData{Mode: "wallet", Email: w.Email}
	q := r.URL.Query()
	for _, wv := range w.Vouchers {
		v := newWalletVoucher(l, wv, w.Email, now)
		d.Vouchers = append(d.Vouchers, v)
		switch {
		case why != nil && why.code == v.Code && v.Gift != nil:
			v.Gift.refuse(l, why.form, why.err)
		case why != nil && why.code == v.Code:
			// The gift left meanwhile: its form is gone, the page says why.
			d.Failed = l.must("wallet.gift.error.sent")
		case why == nil && q.Get("renvoye") == v.Code:
			d.Notice = l.must("wallet.resend.done", w.Email, v.Name)
		case why == nil && q.Get("cadeau") == v.Code && v.Pending:
			d.Notice = l.must("wallet.gift.done", wv.Voucher.RecipientEmail, l.Date(wv.Voucher.DeliverAt, wv.Voucher.Currency))
		}
	}
	for _, wt := range w.Tickets {
		d.Tickets = append(d.Tickets, newWalletTicket(l, wt, now))
	}
	pg := walletPage(l, http.StatusOK, l.must("wallet.title"), d)
	if why != nil {
		pg.status, pg.Title = why.status, l.must("buy.error.title", pg.Title)
		if market.ErrorCode(why.err) == market.ERateLimited {
			d.Failed = l.must("wallet.resend.busy")
		}
	}
	return pg, nil
}

// newWalletVoucher prepares a voucher of the wallet for the page.
func newWalletVoucher(l *locale, wv *market.WalletVoucher, email string, now time.Time) *walletVoucher {
	v := wv.Voucher
	spendable := v.Spendable(now)
	out := &walletVoucher{Code: v.Code, URL: "/v/" + v.Code, Name: v.MerchantName, Programme: v.ProgrammeID != "",
		LastFour: strings.TrimPrefix(market.LastFour(v.Code), "…"), Balance: l.Money(spendable, v.Currency), State: wv.State(now)}
	out.StateText = l.must("wallet.state." + out.State)
	if bonus := spendable - v.Balance; bonus > 0 {
		out.Bonus = l.must("wallet.bonus", l.Money(bonus, v.Currency), l.Day(v.BonusExpiresAt, v.Currency))
	}
	switch {
	case wv.Received && wv.Giver != "":
		out.From = l.must("wallet.received", wv.Giver)
	case wv.Received:
		out.From = l.must("wallet.received.anonymous")
	case v.RecipientName != "":
		out.To = l.must("wallet.given", v.RecipientName)
	case v.RecipientEmail != "" && !strings.EqualFold(v.RecipientEmail, email):
		out.To = l.must("wallet.given", v.RecipientEmail)
	}
	if wv.GiftPending && !wv.Received {
		out.Pending = true
		out.Sending = l.must("wallet.gift.pending", v.RecipientEmail, l.Date(v.DeliverAt, v.Currency))
		out.Gift = newGiftForm(l, v)
	}
	for _, e := range wv.History {
		out.History = append(out.History, historyOf(l, e, v.Currency))
	}
	return out
}

// newGiftForm is the form that changes a dated gift, filled with its day
// (in the seller's zone, which the zone island turns into the phone's)
// and its address.
func newGiftForm(l *locale, v *market.Voucher) *giftForm {
	zone := zoneOf(v.Currency)
	f := &giftForm{Zone: zone.String(),
		Date: &formField{ID: "cadeau-date-" + v.Code, Name: "date", Type: "datetime-local", Required: true,
			Label: l.must("wallet.gift.date"), Message: l.must("wallet.gift.error.date"),
			Value: v.DeliverAt.In(zone).Format(localLayout), At: v.DeliverAt.UTC().Format(time.RFC3339)},
		To: &formField{ID: "cadeau-courriel-" + v.Code, Name: "email", Type: "email", Autocomplete: "off", Required: true,
			Label: l.must("wallet.gift.email"), Message: l.must("wallet.gift.error.email"), MaxLength: 254,
			Value: v.RecipientEmail}}
	return f
}

// refuse shows why a gift's change was refused, with what was typed.
func (f *giftForm) refuse(l *locale, form url.Values, err error) {
	f.Open = true
	f.Date.Value, f.Date.At = strings.TrimSpace(form.Get("date")), ""
	f.To.Value = strings.TrimSpace(form.Get("email"))
	if z := form.Get("tz"); z != "" && zoneNamed(z, "") != nil {
		f.Zone = z
	}
	var me *market.Error
	errors.As(err, &me)
	switch market.ErrorCode(err) {
	case market.EInvalid:
		for name := range me.Fields {
			switch name {
			case "deliver_at", "date":
				f.Date.Error = f.Date.Message
			case "email":
				f.To.Error = f.To.Message
			}
		}
		if f.Date.Error == "" && f.To.Error == "" {
			f.Error = l.must("wallet.gift.error.failed")
		}
	case market.EGiftSent:
		f.Error = l.must("wallet.gift.error.sent")
	default:
		f.Error = l.must("wallet.gift.error.failed")
	}
	for _, fld := range []*formField{f.Date, f.To} {
		if fld.Error != "" {
			fld.Autofocus = true
			break
		}
	}
}

// historyOf says one line of a voucher's story in words.
func historyOf(l *locale, e market.WalletEntry, c market.Currency) historyLine {
	h := historyLine{At: e.At, When: l.Date(e.At, c)}
	at := func(key string) string {
		if e.Merchant == "" {
			return l.must(key + ".anywhere")
		}
		return l.must(key, e.Merchant)
	}
	switch e.Kind {
	case market.EntryIssue:
		h.Text = l.must("wallet.history.issue")
	case market.EntryRedeem:
		h.Text = at("wallet.history.redeem")
	case market.EntryReverse:
		h.Text = at("wallet.history.reverse")
	case market.EntryVoid:
		h.Text = l.must("wallet.history.void")
	case market.EntryBonus:
		h.Text = l.must("wallet.history.bonus")
	case market.EntryExpire:
		h.Text = l.must("wallet.history.expire")
	case market.EntryFreeze:
		h.Text = l.must("wallet.history.freeze")
	case market.EntryUnfreeze:
		h.Text = l.must("wallet.history.unfreeze")
	default:
		h.Text = l.must("wallet.history.other")
	}
	switch {
	case e.Amount > 0:
		h.Amount = "+" + l.Money(e.Amount, c)
	case e.Amount < 0:
		h.Amount = l.Money(e.Amount, c)
	}
	return h
}

// newWalletTicket prepares a ticket of the wallet for the page.
func newWalletTicket(l *locale, wt *market.WalletTicket, now time.Time) *walletTicket {
	t, e := wt.Ticket, wt.Event
	out := &walletTicket{Code: t.Code, URL: "/billet/" + t.Code, Title: t.EventTitle, Kind: l.must("ticket.kind"),
		ChoiceOpen: wt.ChoiceOpen(now)}
	if t.Kind == market.KindSolidarityTicket {
		out.Kind = l.must("ticket.kind.solidarity")
	}
	if e != nil {
		out.Event, out.Title, out.Venue = e, e.Title, e.MerchantName
		out.StartsAt, out.When = e.StartsAt, l.Date(e.StartsAt, e.Currency)
		out.Status = ticketStatus(l, t, e)
	}
	return out
}

// walletLink answers the address form: the same page whether or not the
// address holds anything, the form again for an address that is not one,
// or 429 when the address asked too often.
func (p *Pages) walletLink(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	if p.cfg.Wallet == nil {
		return nil, market.NotFound("Mes bons")
	}
	// Per address of the client too (as the HTTP layer found it), so one
	// source cannot mail links to a list of addresses.
	if pg := p.lookupAllowed(r, l); pg != nil {
		return pg, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		pg := askPage(l, http.StatusBadRequest, "")
		pg.Data.(*walletData).Error = l.must("buy.error.invalid")
		return pg, nil
	}
	typed := strings.TrimSpace(r.PostForm.Get("email"))
	email, err := market.CheckEmail("email", typed, true)
	if err != nil {
		return badAddress(l, typed), nil
	}
	ctx := r.Context()
	if !p.allowWallet(ctx, "form:wallet:email:"+email) {
		pg := askPage(l, http.StatusTooManyRequests, typed)
		pg.Data.(*walletData).Error = l.must("wallet.ask.busy")
		return pg, nil
	}
	err = p.cfg.Wallet.RequestLink(ctx, email, l.lang)
	if market.ErrorCode(err) == market.EInvalid {
		return badAddress(l, typed), nil
	}
	if err != nil {
		return nil, err
	}
	return walletPage(l, http.StatusOK, l.must("wallet.sent.title"), &walletData{Mode: "sent", Email: email}), nil
}

// badAddress is the address form again, with its error.
func badAddress(l *locale, typed string) *page {
	pg := askPage(l, http.StatusBadRequest, typed)
	f := pg.Data.(*walletData).Ask
	f.Error, f.Autofocus = f.Message, true
	pg.Title = l.must("buy.error.title", pg.Title)
	return pg
}

// allowWallet counts one more wallet action under key within
// walletPerEmail. A limiter that fails lets it through, as the purchase
// form does.
func (p *Pages) allowWallet(ctx context.Context, key string) bool {
	if p.cfg.Limiter == nil {
		return true
	}
	ok, _, err := p.cfg.Limiter.Allow(ctx, key, walletPerEmail.count, walletPerEmail.per)
	if err != nil {
		p.log.WarnContext(ctx, "rate limiter unavailable", "error", err)
		return true
	}
	return ok
}

// openWallet uses the mailed link: the session cookie and 303 to the
// wallet, or a page that says the link is spent and asks for the address.
func (p *Pages) openWallet(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	if p.cfg.Wallet == nil {
		return nil, market.NotFound("Mes bons")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return invalidLink(l), nil
	}
	token, ws, err := p.cfg.Wallet.Open(r.Context(), strings.TrimSpace(r.PostForm.Get("jeton")))
	if market.ErrorCode(err) == market.EWalletLinkInvalid {
		return invalidLink(l), nil
	}
	if err != nil {
		return nil, err
	}
	maxAge := int(time.Until(ws.ExpiresAt).Seconds())
	if maxAge <= 0 || maxAge > int(market.WalletSessionTTL.Seconds()) {
		maxAge = int(market.WalletSessionTTL.Seconds())
	}
	return &page{redirect: "/mes-bons", private: true, cookies: []*http.Cookie{p.walletCookie(r, token, maxAge)}}, nil
}

// invalidLink says that a link no longer opens the wallet, and asks for
// the address to send a new one.
func invalidLink(l *locale) *page {
	return walletPage(l, http.StatusGone, l.must("wallet.invalid.title"), &walletData{Mode: "invalid", Ask: askForm(l, "")})
}

// walletAction runs a wallet's form: cross-site posts are refused, a
// device without a session goes back to the address form.
func (p *Pages) walletAction(r *http.Request) (*market.WalletSession, *page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, nil, err
	}
	if p.cfg.Wallet == nil {
		return nil, nil, market.NotFound("Mes bons")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return nil, &page{redirect: "/mes-bons", private: true}, nil
	}
	ws, stale, err := p.walletSession(r)
	if err != nil {
		return nil, nil, err
	}
	if ws == nil {
		pg := &page{redirect: "/mes-bons", private: true}
		if stale {
			pg.cookies = append(pg.cookies, p.walletCookie(r, "", -1))
		}
		return nil, pg, nil
	}
	return ws, nil, nil
}

// resendVoucher mails a voucher of the wallet again, to the wallet's
// address, and goes back to the wallet, which says so.
func (p *Pages) resendVoucher(r *http.Request, l *locale) (*page, error) {
	ws, pg, err := p.walletAction(r)
	if ws == nil {
		return pg, err
	}
	code := market.NormalizeCode(r.PostForm.Get("code"))
	if code == "" {
		return nil, market.NotFound("Bon")
	}
	if !p.allowWallet(r.Context(), "form:wallet:resend:"+ws.Email) {
		return p.walletView(r, l, ws, &refused{err: &market.Error{Code: market.ERateLimited}, status: http.StatusTooManyRequests})
	}
	if err := p.cfg.Wallet.Resend(r.Context(), ws, code); err != nil {
		return nil, err
	}
	return &page{redirect: "/mes-bons?renvoye=" + code, private: true}, nil
}

// rescheduleGift changes the day (read in the zone the form names) and the
// address of a gift the wallet's address bought, until its mail leaves.
func (p *Pages) rescheduleGift(r *http.Request, l *locale) (*page, error) {
	ws, pg, err := p.walletAction(r)
	if ws == nil {
		return pg, err
	}
	ctx := r.Context()
	form := r.PostForm
	code := market.NormalizeCode(form.Get("code"))
	if code == "" {
		return nil, market.NotFound("Bon")
	}
	w, err := p.cfg.Wallet.Wallet(ctx, ws)
	if err != nil {
		return nil, err
	}
	var v *market.Voucher
	for _, wv := range w.Vouchers {
		if wv.Voucher.Code == code {
			v = wv.Voucher
		}
	}
	if v == nil {
		return nil, market.NotFound("Bon")
	}
	at, ok := parseLocal(form.Get("date"), zoneNamed(form.Get("tz"), v.Currency))
	if !ok {
		return p.walletView(r, l, ws, &refused{code: code, form: form, err: market.Invalid("date", "unreadable"), status: http.StatusBadRequest})
	}
	err = p.cfg.Wallet.Reschedule(ctx, ws, code, at, strings.TrimSpace(form.Get("email")))
	switch market.ErrorCode(err) {
	case "":
		return &page{redirect: "/mes-bons?cadeau=" + code, private: true}, nil
	case market.EInvalid:
		return p.walletView(r, l, ws, &refused{code: code, form: form, err: err, status: http.StatusBadRequest})
	case market.EGiftSent:
		return p.walletView(r, l, ws, &refused{code: code, form: form, err: err, status: http.StatusConflict})
	}
	return nil, err
}

// leaveWallet ends the wallet's session on this device.
func (p *Pages) leaveWallet(r *http.Request, l *locale) (*page, error) {
	ws, pg, err := p.walletAction(r)
	if ws == nil {
		return pg, err
	}
	if err := p.cfg.Wallet.End(r.Context(), ws); err != nil {
		return nil, err
	}
	return &page{redirect: "/mes-bons?deconnecte=1", private: true, cookies: []*http.Cookie{p.walletCookie(r, "", -1)}}, nil
}

// walletAgain sends a GET of a wallet form's address (a language switch
// on a page a form answered, a reload) to the wallet.
func (p *Pages) walletAgain(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	if lang := r.URL.Query().Get("lang"); validLang(lang) {
		q.Set("lang", lang)
	}
	u := url.URL{Path: "/mes-bons", RawQuery: q.Encode()}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// localLayout is how a datetime-local input writes a day and a time.
const localLayout = "2006-01-02T15:04"

// parseLocal reads a datetime-local input's value as a time in loc; false
// when it is not one.
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{localLayout, "2006-01-02T15:04:05", "2006-01-02T15:04:05.000"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// zoneNamed is the time zone a form names (the phone's, which the zone
// island fills in), or the zone of the seller's currency c when the form
// names none, or one this server does not know; nil when c is empty too.
func zoneNamed(name string, c market.Currency) *time.Location {
	if name != "" && name != "Local" && len(name) <= 64 {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	if c == "" {
		return nil
	}
	return zoneOf(c)
}

// googleWallet sends the voucher's holder on to Google Wallet with the
// signed link that saves it there.
func (p *Pages) googleWallet(r *http.Request, l *locale) (*page, error) {
	if !p.cfg.GoogleWallet || p.cfg.Passes == nil {
		return nil, market.NotFound("Google Wallet")
	}
	code := market.NormalizeCode(r.PathValue("code"))
	if code == "" {
		return messagePage(http.StatusNotFound, l, "voucher.notfound"), nil
	}
	u, err := p.cfg.Passes.GoogleSaveURL(r.Context(), code)
	switch market.ErrorCode(err) {
	case "":
		return &page{redirect: u, private: true}, nil
	case market.ENotFound:
		return messagePage(http.StatusNotFound, l, "voucher.notfound"), nil
	case market.EWalletNotConfigured:
		return nil, market.NotFound("Google Wallet")
	}
	return nil, err
}
