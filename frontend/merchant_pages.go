package frontend

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/qrcode"
)

// The merchant side's views: sign-in and the account forms that mails link
// to, the till (and pairing a till device), the dashboard (and the return
// from payments onboarding), applying to sell, and the admin page.
func init() {
	viewNames = append(viewNames, "connexion", "till", "commerce", "inscription", "admin")
}

// sideData is what the merchant side's views receive. The pages are
// shells: who is signed in, and everything that depends on it, is asked of
// the API by the merchant island, which checks permissions itself.
type sideData struct {
	Mode     string               // what the view shows: "signin", "forgot", "reset", "invite", "till", "pair", "dashboard", "payments", "apply", "admin"
	Script   string               // the merchant island's URL, fingerprinted; empty when no bundle was built
	Decoder  string               // the QR decoder's URL, which the till loads only when the browser has no BarcodeDetector
	Messages map[string]string    // the island's strings, in the page's language
	Next     string               // where signing in leads
	Code     string               // the code that a mail's or a QR code's link carries
	Notice   string               // a message to show on arrival (signed out, password changed, back from Stripe)
	Arrival  string               // how the payments page was reached: "retour" (back from Stripe), "refresh" (Stripe's link expired), or ""
	Options  []option             // the application form's categories
	Cities   []string             // the application form's cities: the list a business picks its city from
	Fields   map[string]formField // the forms' fields, by the names the view gives them
	Page     *pageEditorData      // the page editor's week and today's statuses (page_editor.go)
}

// islandPrefixes are the message keys each view hands its island.
var islandPrefixes = map[string][]string{
	"connexion":   {"api.", "session.", "signin.", "forgot.", "reset.", "invite."},
	"till":        {"api.", "session.", "till.", "pair.", "day."},
	"commerce":    {"api.", "session.", "dash.", "payments.", "day."},
	"inscription": {"api.", "apply."},
	"admin":       {"api.", "session.", "admin."},
}

// sidePage builds a page of the merchant side. Every one is kept out of
// search engines, and out of caches and Referer headers: they show what a
// signed-in person sees, or carry a code in their address.
func (p *Pages) sidePage(l *locale, view, mode, titleKey, path string) (*page, *sideData) {
	d := &sideData{Mode: mode, Script: p.assets.url("merchant.js"), Messages: islandMessages(l, islandPrefixes[view]...)}
	section := "merchant"
	if view == "admin" {
		section = "admin"
	}
	return &page{view: view, Title: l.must(titleKey), Description: l.must("site.description"), Path: path,
		Section: section, NoIndex: true, private: true, Data: d}, d
}

// islandMessages returns the merchant messages whose keys start with one of
// prefixes, in l's language: the islands carry no string of their own.
func islandMessages(l *locale, prefixes ...string) map[string]string {
	out := map[string]string{}
	for key := range merchantMessages {
		for _, pre := range prefixes {
			if strings.HasPrefix(key, pre) {
				// Formats stay formats: the island fills them in.
				out[key], _ = l.T(key)
				break
			}
		}
	}
	return out
}

// signIn is /connexion?next=: email and password, then the page it came
// from (only a path of this site), else the till (the admin page for an
// admin who belongs to no merchant).
func (p *Pages) signIn(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "connexion", "signin", "signin.title", "/connexion")
	d.Next = localPath(r.URL.Query().Get("next"), "")
	// The one-time code, asked for by an account that had too many failed
	// sign-ins: hidden until the API says so (signin_code_required).
	code := input(l, "connexion-code", "code", "text", "signin.code", "signin.code.hint", "signin.code.missing", "code", "one-time-code")
	code.InputMode, code.MaxLength, code.Required = "numeric", 7, false
	d.Fields = map[string]formField{
		"email": input(l, "connexion-courriel", "email", "email", "signin.email", "", "signin.missing", "email", "username"),
		"password": input(l, "connexion-mdp", "password", "password", "signin.password", "", "signin.missing", "password",
			"current-password"),
		"code": code,
	}
	q := r.URL.Query()
	switch {
	case q.Has("fin"):
		d.Notice = l.must("signin.signedout")
	case q.Has("mdp"):
		d.Notice = l.must("signin.reset.done")
	}
	return pg, nil
}

// forgotPassword is /connexion/oubli: the address to send a reset link to.
func (p *Pages) forgotPassword(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "connexion", "forgot", "forgot.title", "/connexion/oubli")
	d.Fields = map[string]formField{"email": input(l, "oubli-courriel", "email", "email", "signin.email", "", "forgot.email", "email", "email")}
	return pg, nil
}

// newPassword is /connexion/nouveau-mot-de-passe?code=, the reset mail's
// link.
func (p *Pages) newPassword(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "connexion", "reset", "reset.title", "/connexion/nouveau-mot-de-passe")
	d.Code = oneTimeCode(r)
	d.Fields = map[string]formField{
		"password": input(l, "nouveau-mdp", "password", "password", "reset.password", "reset.hint", "reset.short", "password", "new-password"),
		"again":    input(l, "nouveau-mdp-bis", "again", "password", "reset.again", "", "reset.mismatch", "", "new-password"),
	}
	return pg, nil
}

// acceptInvitation is /connexion/invitation?code=, the staff invitation's
// link: the new team member's name and password.
func (p *Pages) acceptInvitation(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "connexion", "invite", "invite.title", "/connexion/invitation")
	d.Code = oneTimeCode(r)
	name := input(l, "invitation-nom", "name", "text", "invite.name", "invite.name.hint", "api.required", "name", "name")
	name.Required, name.MaxLength = false, 100
	d.Fields = map[string]formField{
		"name": name,
		"password": input(l, "invitation-mdp", "password", "password", "invite.password", "invite.password.hint", "reset.short",
			"password", "new-password"),
	}
	return pg, nil
}

// till is /caisse: scan or type a code, redeem, undo; check tickets in.
func (p *Pages) till(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "till", "till", "till.title", "/caisse")
	d.Decoder = p.assets.url("till-qr.js")
	return pg, nil
}

// pairTill is /caisse/jumeler?code=, the address the dashboard's pairing QR
// code holds: the device exchanges the code for its own token.
func (p *Pages) pairTill(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "till", "pair", "pair.title", "/caisse/jumeler")
	d.Code = oneTimeCode(r)
	return pg, nil
}

// dashboard is /commerce: today's redemptions as they happen, what the
// merchant's vouchers still owe, the ledger, the team, the tills and
// payments.
func (p *Pages) dashboard(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "commerce", "dashboard", "dash.title", "/commerce")
	from := input(l, "journal-du", "from", "date", "dash.ledger.from", "", "api.invalid", "from", "off")
	to := input(l, "journal-au", "to", "date", "dash.ledger.to", "", "api.invalid", "to", "off")
	device := input(l, "caisse-nom", "name", "text", "dash.devices.name", "dash.devices.hint", "api.invalid", "name", "off")
	device.Required, device.MaxLength = false, 60
	d.Fields = map[string]formField{"from": from, "to": to, "device": device,
		"staff": input(l, "equipe-courriel", "email", "email", "dash.staff.email", "", "forgot.email", "email", "off")}
	// Today's status, one tap away (page_editor.go).
	for k, f := range statusFields(l) {
		d.Fields[k] = f
	}
	d.Page = &pageEditorData{Statuses: statusOptions(l)}
	return pg, nil
}

// paymentsReturn is /commerce/paiements: where the merchant's payments
// stand, asked of Stripe by the island as the page opens, and the button
// that starts or resumes Stripe's onboarding. Stripe sends the owner back
// here: ?retour=1 when done (the page thanks them while it checks),
// ?refresh=1 when its link expired (the island asks a new one and goes on
// to Stripe at once).
func (p *Pages) paymentsReturn(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "commerce", "payments", "payments.title", "/commerce/paiements")
	q := r.URL.Query()
	switch {
	case q.Has("refresh"):
		d.Arrival, d.Notice = "refresh", l.must("payments.refresh")
	case q.Has("retour"):
		d.Arrival, d.Notice = "retour", l.must("payments.back")
	default:
		d.Notice = l.must("payments.checking")
	}
	return pg, nil
}

// applyToSell is /commerce/inscription: a business applies, with its
// owner's account; Solidaire's team approves it.
func (p *Pages) applyToSell(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "inscription", "apply", "apply.title", "/commerce/inscription")
	for _, c := range market.Categories {
		d.Options = append(d.Options, option{Value: string(c.Slug), Label: l.Category(c.Slug)})
	}
	sort.SliceStable(d.Options, func(i, j int) bool { return d.Options[i].Label < d.Options[j].Label })
	optional := func(f formField, max int) formField {
		f.Required, f.MaxLength = false, max
		return f
	}
	d.Fields = map[string]formField{
		"name": optional(input(l, "commerce-nom", "name", "text", "apply.name", "apply.name.hint", "apply.error.name",
			"business.name business.slug", "organization"), 100),
		"city": optional(input(l, "commerce-ville", "city", "text", "apply.city", "apply.city.hint", "apply.error.city", "business.city",
			"address-level2"), 100),
		"address": optional(input(l, "commerce-adresse", "address", "text", "apply.address", "apply.address.hint",
			"apply.error.long", "business.address business", "street-address"), 200),
		"registration": optional(input(l, "commerce-neq", "registration", "text", "apply.registration",
			"apply.registration.hint", "apply.error.registration", "business.registration", "off"), 40),
		"phone": optional(input(l, "commerce-tel", "phone", "tel", "apply.phone", "apply.phone.hint", "apply.error.long",
			"business.phone business", "tel"), 30),
		"summary": optional(input(l, "commerce-presentation", "summary", "textarea", "apply.summary", "apply.summary.hint",
			"apply.error.long", "business.summary business", "off"), 280),
		"owner": optional(input(l, "proprio-nom", "owner_name", "text", "apply.owner.name", "", "apply.error.owner", "owner.name",
			"name"), 100),
		"email": input(l, "proprio-courriel", "email", "email", "apply.owner.email", "apply.owner.email.hint",
			"apply.error.email", "owner.email", "email"),
		"password": input(l, "proprio-mdp", "password", "password", "apply.owner.password", "apply.owner.password.hint",
			"apply.error.password", "owner.password", "new-password"),
	}
	for _, k := range []string{"name", "city", "registration", "owner"} {
		f := d.Fields[k]
		f.Required = true
		d.Fields[k] = f
	}
	// The city is one of the list (the API refuses any other), offered as
	// the field's suggestions.
	if cities, ok := p.cfg.Catalogue.(cityList); ok {
		list, err := cities.ListCities(r.Context())
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			d.Cities = append(d.Cities, c.Name)
		}
	}
	// Anyone may apply: the page itself is public, and indexable.
	pg.NoIndex, pg.private = false, false
	return pg, nil
}

// cityList is the list of cities merchants can be in, when the catalogue
// keeps it (store.DB does).
type cityList interface {
	ListCities(ctx context.Context) ([]market.City, error)
}

// admin is /admin: orders in review, merchants waiting for approval, the
// outbox, and the form that creates a town's programme.
func (p *Pages) admin(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "admin", "admin", "admin.title", "/admin")
	for _, c := range market.Categories {
		d.Messages["category."+string(c.Slug)] = l.Category(c.Slug)
	}
	optional := func(f formField, max int) formField {
		f.Required, f.MaxLength = false, max
		return f
	}
	amount := func(id, name, label, hint, message, api string) formField {
		f := optional(input(l, id, name, "text", label, hint, message, api, "off"), 20)
		f.InputMode = "decimal"
		return f
	}
	d.Fields = map[string]formField{
		"name": optional(input(l, "programme-nom", "name", "text", "admin.prog.name", "", "admin.prog.error.name", "name", "off"), 100),
		"slug": optional(input(l, "programme-adresse", "slug", "text", "admin.prog.slug", "admin.prog.slug.hint", "admin.prog.error.slug",
			"slug", "off"), 60),
		"city": optional(input(l, "programme-ville", "city", "text", "admin.prog.city", "", "admin.prog.error.city", "city", "off"), 100),
		"description": optional(input(l, "programme-presentation", "description", "textarea", "admin.prog.description",
			"admin.prog.description.hint", "admin.prog.error.description", "description", "off"), 2000),
		"fund": amount("programme-fonds", "fund", "admin.prog.fund", "admin.prog.fund.hint", "admin.prog.error.fund", "fund fund.currency"),
		"percent": optional(input(l, "programme-pourcentage", "percent", "text", "admin.prog.percent", "admin.prog.percent.hint",
			"admin.prog.error.percent", "bonus.percent bonus", "off"), 3),
		"max": amount("programme-bonus-max", "max_per_card", "admin.prog.max", "", "admin.prog.error.amount",
			"bonus.max_per_card bonus.max_per_card.currency"),
		"cards": optional(input(l, "programme-cartes", "cards_per_buyer", "text", "admin.prog.cards", "admin.prog.cards.hint",
			"admin.prog.error.cards", "caps.cards_per_buyer", "off"), 4),
		"per": amount("programme-par-personne", "amount_per_buyer", "admin.prog.per", "admin.prog.cards.hint", "admin.prog.error.amount",
			"caps.amount_per_buyer caps.amount_per_buyer.currency"),
		"min": amount("programme-min", "min_amount", "admin.prog.min", "admin.prog.min.hint", "admin.prog.error.amount",
			"min_amount min_amount.currency"),
		"maxcard": amount("programme-max", "max_amount", "admin.prog.maxcard", "admin.prog.maxcard.hint", "admin.prog.error.maxcard",
			"max_amount max_amount.currency"),
		"expires": input(l, "programme-fin-bonus", "bonus_expires_at", "date", "admin.prog.expires", "admin.prog.expires.hint",
			"admin.prog.error.expires", "bonus_expires_at", "off"),
		"opens": optional(input(l, "programme-debut-vente", "sales_open_at", "date", "admin.prog.opens", "", "admin.prog.error.closes",
			"sales_open_at", "off"), 0),
		"closes": optional(input(l, "programme-fin-vente", "sales_close_at", "date", "admin.prog.closes", "", "admin.prog.error.closes",
			"sales_close_at", "off"), 0),
		"organisers": optional(input(l, "programme-organisateurs", "organisers", "textarea", "admin.prog.organisers",
			"admin.prog.organisers.hint", "admin.prog.error.organisers", "organisers", "off"), 2000),
	}
	for _, k := range []string{"name", "city", "fund"} {
		f := d.Fields[k]
		f.Required = true
		d.Fields[k] = f
	}
	for _, k := range []string{"percent", "cards"} {
		f := d.Fields[k]
		f.InputMode = "numeric"
		d.Fields[k] = f
	}
	return pg, nil
}

// input is a required field of a merchant form: its label, hint and the
// message shown when the API names it (api, space-separated names).
func input(l *locale, id, name, typ, label, hint, message, api, autocomplete string) formField {
	f := formField{ID: id, Name: name, Type: typ, Label: l.must(label), Message: l.must(message), API: api,
		Autocomplete: autocomplete, Required: true}
	if hint != "" {
		f.Hint = l.must(hint)
	}
	return f
}

// codePattern is the shape of the one-time codes that mails and QR codes
// carry (base64url); anything else is dropped before it reaches a page.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,128}$`)

// oneTimeCode returns the request's ?code= when it looks like one.
func oneTimeCode(r *http.Request) string {
	if c := r.URL.Query().Get("code"); codePattern.MatchString(c) {
		return c
	}
	return ""
}

// localPath returns next when it is a path of this site, else fallback: a
// sign-in never sends anyone to another site.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return next
}

// pairingQR draws the QR code of a till pairing address, which the
// dashboard shows to the device to pair. The code is a secret for ten
// minutes: the image is never stored.
func (p *Pages) pairingQR(w http.ResponseWriter, r *http.Request) {
	code := oneTimeCode(r)
	if code == "" {
		p.page(p.notFound)(w, r)
		return
	}
	b, err := qrcode.PNG(p.baseURL(r) + "/caisse/jumeler?code=" + code)
	if err != nil {
		p.log.ErrorContext(r.Context(), "pairing QR code", "error", err)
		http.Error(w, "QR code", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}
