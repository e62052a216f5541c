package frontend

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// merchantsPerPage is how many cards the home page lists before "more": a
// phone screen shows two or three, and the page stays small.
const merchantsPerPage = 24

// homeData is the home page: towns' solidarity cards, running campaigns,
// the search form and one page of merchants.
type homeData struct {
	Programmes []programmeCard // towns' cards on sale, the city's when one is picked
	Campaigns  []*market.Campaign
	Query      string
	City       string
	Cities     []string
	Categories []option
	Filtered   bool
	Merchants  []*market.Merchant
	Summary    string // how many merchants are listed, for people and screen readers
	// Statuses are the directory's chips on today's status (?statut=),
	// Status the one picked.
	Statuses []option
	Status   string
	// News are the latest posts of merchants; NewsFeed the city's feed.
	News     []postView
	NewsFeed string
	More     string // URL of the next page of merchants; empty on the last
}

// option is one choice of a <select>.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// home is the landing page. The search form is a plain GET form on "/",
// so it works without JavaScript and every result list has its own URL to
// share; the filter island only saves the page reloads.
func (p *Pages) home(r *http.Request, l *locale) (*page, error) {
	ctx := r.Context()
	q := r.URL.Query()
	d := &homeData{Query: strings.TrimSpace(q.Get("q")), City: strings.TrimSpace(q.Get("city"))}
	cat := market.Category(q.Get("category"))
	if !cat.Valid() {
		cat = "" // a stale or mistyped link shows everything rather than an error
	}
	status := statusFilter(q.Get("statut"))
	d.Filtered = d.Query != "" || d.City != "" || cat != "" || status != ""
	d.Statuses = []option{{Value: "", Label: l.must("filters.status.all"), Selected: status == ""}}
	for _, s := range []market.OpenStatus{market.StatusOpen, market.StatusTakeout, market.StatusDelivery} {
		d.Statuses = append(d.Statuses, option{Value: statusParam[s], Label: l.must("filters.status." + string(s)), Selected: s == status})
	}
	if status != "" {
		d.Status = statusParam[status]
	}

	var err error
	if d.Cities, err = p.cfg.Catalogue.Cities(ctx); err != nil {
		return nil, err
	}
	d.Categories = []option{{Value: "", Label: l.must("filters.category.all")}}
	for _, c := range market.Categories {
		d.Categories = append(d.Categories, option{Value: string(c.Slug), Label: l.Category(c.Slug), Selected: c.Slug == cat})
	}

	merchants, next, err := p.cfg.Catalogue.ListMerchants(ctx, market.MerchantFilter{
		Query: d.Query, City: d.City, Category: cat, Status: status,
		Page: market.Page{Limit: merchantsPerPage, Cursor: q.Get("after")},
	})
	if market.ErrorCode(err) == market.EInvalid {
		// Only a forged cursor gets here: start again from the first page.
		merchants, next, err = p.cfg.Catalogue.ListMerchants(ctx, market.MerchantFilter{
			Query: d.Query, City: d.City, Category: cat, Status: status, Page: market.Page{Limit: merchantsPerPage}})
	}
	if err != nil {
		return nil, err
	}
	d.Merchants = merchants
	switch {
	case len(merchants) == 0:
		d.Summary = l.must("home.results.none")
	case next != "":
		d.Summary = l.must("home.results.more", l.Number(int64(len(merchants))))
	default:
		d.Summary, _ = l.Plural("home.results", int64(len(merchants)))
	}
	if next != "" {
		more := url.Values{}
		for k, v := range map[string]string{"q": d.Query, "city": d.City, "category": string(cat), "statut": d.Status, "after": next} {
			if v != "" {
				more.Set(k, v)
			}
		}
		d.More = "/?" + more.Encode() + "#commerces"
	}

	if d.Programmes, err = p.homeProgrammes(ctx, l, d.City); err != nil {
		return nil, err
	}

	campaigns, err := p.cfg.Catalogue.ListCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	now := l.now()
	for _, c := range campaigns {
		if !c.StartsAt.After(now) && (c.EndsAt.IsZero() || c.EndsAt.After(now)) {
			d.Campaigns = append(d.Campaigns, c)
		}
	}

	if d.News, err = p.homePosts(ctx, l); err != nil {
		return nil, err
	}
	pg := &page{view: "home", Title: l.must("home.title"), Description: l.must("site.description"),
		Path: "/", Section: "merchants", Data: d}
	if key := market.CityKey(d.City); key != "" && p.cfg.MerchantPages != nil {
		d.NewsFeed = "/villes/" + key + "/nouvelles.atom"
		pg.Feed, pg.FeedTitle = d.NewsFeed, l.must("feed.city.title", d.City)
	}
	return pg, nil
}

// statusParam is the directory's ?statut= word for each status it filters
// on, in French as the site's addresses are.
var statusParam = map[market.OpenStatus]string{
	market.StatusOpen: "ouvert", market.StatusTakeout: "emporter", market.StatusDelivery: "livraison",
	market.StatusOnline: "en-ligne", market.StatusClosed: "ferme",
}

// statusFilter reads ?statut=: its French word or the API's value; anything
// else filters nothing.
func statusFilter(v string) market.OpenStatus {
	v = strings.ToLower(strings.TrimSpace(v))
	for s, word := range statusParam {
		if v == word || v == string(s) {
			return s
		}
	}
	return ""
}
