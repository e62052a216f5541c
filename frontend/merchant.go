package frontend

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// eventsPerPage bounds the events listed on a merchant page; a venue with
// more shows its next ones first.
const eventsPerPage = 20

// merchantData is a merchant's page.
type merchantData struct {
	Merchant  *market.Merchant
	Events    []*market.Event
	Share     share
	Buy       *buyForm // the purchase form; nil when certificates are not sold online
	Cancelled bool     // the buyer is back from a payment page they left
	// Programmes are the towns' cards the merchant takes.
	Programmes []*market.Membership

	// The page the merchant runs (merchant_page.go): today's status, its
	// hours, the description in the page's language (DescriptionLang
	// names the language when it is not the page's), photos, followers,
	// news, the follow form (nil without followers) and its Atom feed.
	Status          *statusView
	Hours           []hoursRow
	Description     string
	DescriptionLang string
	Photos          []*market.PagePhoto
	Followers       int64
	Posts           []postView
	Follow          *followForm
	Feed            string
	// Script is the visitors' bundle, for the follow form that answers
	// in place; "" without one.
	Script string
}

// merchant is a merchant's page: who they are, where, what can be bought.
// A merchant that is not approved (pending, closed) is 404, as if unknown:
// nobody may buy from it, and its name is not public yet.
func (p *Pages) merchant(r *http.Request, l *locale) (*page, error) {
	slug := r.PathValue("slug")
	m, err := p.approvedMerchant(r, slug)
	if market.ErrorCode(err) == market.ENotFound && strings.HasPrefix(slug, "programme-") {
		// A programme's cards are sold by its operator, which has no page:
		// a payment page's way back leads to the programme's.
		if op, oerr := p.cfg.Catalogue.Merchant(r.Context(), slug); oerr == nil {
			if pr := p.operatorProgramme(r.Context(), op); pr != nil {
				u := url.URL{Path: "/p/" + pr.Slug, RawQuery: r.URL.RawQuery}
				return &page{redirect: u.String()}, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	var f *buyForm
	if p.cfg.Checkout != nil && m.Accepting(market.KindGiftCertificate) {
		f = p.newBuyForm(l, m)
	}
	return p.merchantPage(r, l, m, f)
}

// merchantPage is the page of m with the purchase form f (nil when it is
// not sold online).
func (p *Pages) merchantPage(r *http.Request, l *locale, m *market.Merchant, f *buyForm) (*page, error) {
	var err error
	d := &merchantData{Merchant: m, Buy: f, Cancelled: f != nil && r.URL.Query().Get("annule") == "1"}
	if d.Programmes, err = p.acceptedProgrammes(r.Context(), m); err != nil {
		return nil, err
	}
	if m.Accepting(market.KindTicket) || m.Accepting(market.KindSolidarityTicket) {
		d.Events, _, err = p.cfg.Catalogue.ListEvents(r.Context(), market.EventFilter{
			Merchant: m.Slug, Upcoming: true, Page: market.Page{Limit: eventsPerPage}})
		if err != nil {
			return nil, err
		}
	}
	if err := p.pageExtras(r, l, d); err != nil {
		return nil, err
	}
	path := "/m/" + m.Slug
	d.Share = newShare(p.baseURL(r)+path, m.Name, l.must("share.merchant", m.Name, m.City))
	return &page{view: "merchant", Title: l.must("merchant.title", m.Name, m.City),
		Description: describe(m.Summary, l.must("share.merchant", m.Name, m.City)),
		Image:       "/og/m/" + m.Slug + ".png", ImageAlt: l.must("og.merchant.alt", m.Name, l.Category(m.Category), m.City),
		Path: path, Section: "merchants", Data: d, payment: f != nil, Feed: d.Feed,
		FeedTitle: l.must("feed.merchant.title", m.Name),
		JSONLD:    jsonLD(merchantJSONLD(m, p.baseURL(r), "/og/m/"+m.Slug+".png", l.now()))}, nil
}

// approvedMerchant returns the merchant with slug, or ENotFound when there
// is none or it is not approved.
func (p *Pages) approvedMerchant(r *http.Request, slug string) (*market.Merchant, error) {
	m, err := p.cfg.Catalogue.Merchant(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	if m.Status != market.MerchantApproved {
		return nil, market.NotFound("Commerce")
	}
	return m, nil
}

// describe returns text for a description tag, or fallback when text is
// empty; share previews cut around 160 characters, so longer text is cut at
// a word with an ellipsis.
func describe(text, fallback string) string {
	if text == "" {
		text = fallback
	}
	r := []rune(text)
	if len(r) <= 160 {
		return text
	}
	cut := 159
	for cut > 100 && r[cut] != ' ' {
		cut--
	}
	return string(r[:cut]) + "…"
}
