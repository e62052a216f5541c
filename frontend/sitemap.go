package frontend

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"

	"github.com/solidaire-app/solidaire/market"
)

// sitemapMax is the most URLs one sitemap may list (sitemaps.org 0.9).
// Solidaire lists far fewer public pages; were it ever to reach the cap,
// the sitemap stops there (and says so in the log) rather than growing a
// sitemap index nobody needs yet.
const sitemapMax = 50_000

// sitemapNS is the sitemaps.org 0.9 namespace.
const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// urlSet is a sitemap document.
type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemapURL is one page of a sitemap; LastMod is a W3C date, when the
// catalogue knows when the page last changed.
type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemap serves /sitemap.xml: the home page, the events page, every
// approved merchant's page, every upcoming public event, the campaigns
// and the towns' cards on sale. A demo site has none (404): its
// merchants are made up and it stays out of search engines.
func (p *Pages) sitemap(w http.ResponseWriter, r *http.Request) {
	if p.cfg.Demo {
		p.page(p.notFound)(w, r)
		return
	}
	set, err := p.sitemapURLs(r.Context(), p.baseURL(r))
	if err != nil {
		p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r)
		return
	}
	body, err := xml.Marshal(set)
	if err != nil {
		p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r)
		return
	}
	body = append([]byte(xml.Header), body...)
	serveBytes(w, r, "application/xml; charset=utf-8", "public, max-age=3600", etagOf(body), body, nil)
}

// sitemapURLs lists the public pages, through the catalogue.
func (p *Pages) sitemapURLs(ctx context.Context, base string) (*urlSet, error) {
	set := &urlSet{NS: sitemapNS}
	add := func(path, lastmod string) bool {
		if len(set.URLs) >= sitemapMax {
			return false
		}
		set.URLs = append(set.URLs, sitemapURL{Loc: base + path, LastMod: lastmod})
		return true
	}
	add("/", "")
	add("/evenements", "")

	approved := map[string]bool{}
	for cursor := ""; ; {
		list, next, err := p.cfg.Catalogue.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Limit: market.MaxLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			if m.Status != market.MerchantApproved {
				continue
			}
			approved[m.Slug] = true
			if !add("/m/"+url.PathEscape(m.Slug), "") {
				p.log.WarnContext(ctx, "sitemap capped", "max", sitemapMax)
				return set, nil
			}
		}
		if cursor = next; cursor == "" || len(list) == 0 {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := p.cfg.Catalogue.ListEvents(ctx, market.EventFilter{Upcoming: true, Page: market.Page{Limit: market.MaxLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if e.Draft || !approved[e.MerchantSlug] {
				continue
			}
			if !add("/e/"+url.PathEscape(e.ID), "") {
				p.log.WarnContext(ctx, "sitemap capped", "max", sitemapMax)
				return set, nil
			}
		}
		if cursor = next; cursor == "" || len(list) == 0 {
			break
		}
	}
	campaigns, err := p.cfg.Catalogue.ListCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range campaigns {
		add("/c/"+url.PathEscape(c.Slug), "")
	}
	if p.progs != nil {
		progs, err := p.progs.Programmes(ctx, "")
		if err != nil {
			return nil, err
		}
		for _, pr := range progs {
			if pr.Status == market.ProgrammeActive {
				add("/p/"+url.PathEscape(pr.Slug), "")
			}
		}
	}
	return set, nil
}
