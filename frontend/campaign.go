package frontend

import (
	"net/http"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// campaignData is a campaign's page.
type campaignData struct {
	Campaign *market.Campaign
	Share    share
	Poll     string // the API address the counter follows, live
	Script   string // the organiser bundle (the live counter); "" without a bundle
	// RunBy says who runs the campaign ("Campagne menée par …"); "" when
	// no organiser has a name.
	RunBy string
	// Wall is the campaign's approved posts ("Sur les réseaux"); nil
	// without one.
	Wall *campaignWall
}

// campaign is a campaign's page: its hashtags, its solidarity counter (which
// the counter island keeps up to date), the merchants and events it
// features.
func (p *Pages) campaign(r *http.Request, l *locale) (*page, error) {
	c, err := p.cfg.Catalogue.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	path := "/c/" + c.Slug
	text := c.Title + " " + hashtags(c)
	return &page{view: "campaign", Title: c.Title,
		Description: describe(firstParagraph(c.Description), c.Title),
		Image:       "/og/c/" + c.Slug + ".png", ImageAlt: l.must("og.campaign.alt", hashtags(c)),
		Path: path, Section: "campaigns",
		Data: &campaignData{Campaign: c, Share: newShare(p.baseURL(r)+path, c.Title, text),
			Poll: "/api/v1/campaigns/" + c.Slug, Script: p.assets.url("holder.js"), RunBy: runBy(c, l),
			Wall: p.wallOf(r, l, c)}}, nil
}

// runBy names a campaign's organisers in a sentence: "Campagne menée par
// Awa, Jo et Sam".
func runBy(c *market.Campaign, l *locale) string {
	n := len(c.RunBy)
	if n == 0 {
		return ""
	}
	names := c.RunBy[0]
	if n > 1 {
		names = strings.Join(c.RunBy[:n-1], ", ") + l.must("campaign.runby.and") + c.RunBy[n-1]
	}
	return l.must("campaign.runby", names)
}

// hashtags returns a campaign's hashtags as people write them.
func hashtags(c *market.Campaign) string {
	tags := make([]string, len(c.Hashtags))
	for i, h := range c.Hashtags {
		tags[i] = "#" + h
	}
	return strings.Join(tags, " ")
}

// firstParagraph is the first paragraph of a description, the one a share
// preview has room for.
func firstParagraph(s string) string {
	if ps := paragraphs(s); len(ps) > 0 {
		return ps[0]
	}
	return ""
}
