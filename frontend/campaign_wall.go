package frontend

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/internal/reqlog"
	"github.com/solidaire-app/solidaire/market"
)

// wallSize is how many approved posts a campaign's page shows, as the
// API's wall.
const wallSize = 20

// reportsPerIP bounds the wall's reports sent without JavaScript from one
// address (the API bounds its own).
var reportsPerIP = struct {
	count int
	per   time.Duration
}{20, time.Hour}

// wallPost is a post of a campaign's wall as the page shows it: plain text
// only, which html/template escapes like any text, and never media.
type wallPost struct {
	ID      string
	Network string // the network's name: Mastodon, Bluesky, a feed
	Name    string // the author's display name, or their handle
	Handle  string // "" when it would only repeat Name
	Date    string // written out, in the campaign's zone
	At      string // RFC 3339, for <time datetime>
	Text    string
	Lang    string
	URL     string // the original, http(s) only; "" otherwise
	Report  string // the no-JavaScript report form's action
}

// campaignWall is what the campaign's page shows of its wall.
type campaignWall struct {
	Posts []wallPost
	// NoJS says the report buttons work without JavaScript (a form the
	// pages take); otherwise they are hidden until the script shows them.
	NoJS bool
	// API is the address of a post's report in the API, without the id.
	API string
	// Reported thanks a visitor back from a report sent without JavaScript.
	Reported bool
}

// wallOf reads a campaign's wall. A wall that cannot be read leaves the
// page without it, logged: the rest of the page does not depend on it.
func (p *Pages) wallOf(r *http.Request, l *locale, c *market.Campaign) *campaignWall {
	if p.cfg.Wall == nil {
		return nil
	}
	list, err := p.cfg.Wall.CampaignWall(r.Context(), c.ID, wallSize)
	if err != nil {
		p.log.ErrorContext(r.Context(), "campaign wall", "campaign", c.Slug, "error", err)
		return nil
	}
	w := &campaignWall{NoJS: p.cfg.WallReports != nil, API: "/api/v1/campaigns/" + url.PathEscape(c.Slug) + "/wall/",
		Reported: r.URL.Query().Get("signale") == "1"}
	for _, m := range list {
		if m == nil || m.Status != market.MentionApproved || m.Gone {
			continue
		}
		w.Posts = append(w.Posts, newWallPost(l, c, m))
	}
	if len(w.Posts) == 0 && !w.Reported {
		return nil
	}
	return w
}

// newWallPost is m as the wall shows it.
func newWallPost(l *locale, c *market.Campaign, m *market.Mention) wallPost {
	handle := strings.TrimSpace(m.AuthorHandle)
	if m.Network == market.NetworkBluesky && handle != "" && !strings.HasPrefix(handle, "@") {
		handle = "@" + handle
	}
	name := strings.TrimSpace(m.AuthorName)
	if name == "" || name == handle {
		name, handle = handle, ""
	}
	if name == "" {
		name = l.must("wall.someone")
	}
	w := wallPost{ID: m.ID, Network: networkName(l, m.Network), Name: name, Handle: handle, Text: m.Text,
		Lang: m.Lang, URL: safeLink(m.URL),
		Report: "/c/" + url.PathEscape(c.Slug) + "/mur/" + url.PathEscape(m.ID) + "/signaler"}
	if len(w.Lang) > 35 || strings.ContainsAny(w.Lang, " \"'<>") {
		w.Lang = ""
	}
	if !m.PostedAt.IsZero() {
		w.Date, w.At = l.Date(m.PostedAt, c.Currency), m.PostedAt.UTC().Format(time.RFC3339)
	}
	return w
}

// networkName is a network as people name it.
func networkName(l *locale, n market.Network) string {
	if s, err := l.T("network." + string(n)); err == nil {
		return s
	}
	return string(n)
}

// safeLink is u when it is an absolute http(s) address, "" otherwise: a
// post's link leads to the original, never to a script.
func safeLink(u string) string {
	v, err := url.Parse(u)
	if err != nil || (v.Scheme != "https" && v.Scheme != "http") || v.Host == "" || v.User != nil {
		return ""
	}
	return v.String()
}

// reportPost is the wall's "Signaler" without JavaScript: it records the
// report and comes back to the wall, which thanks the visitor.
func (p *Pages) reportPost(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	if p.cfg.WallReports == nil {
		return nil, market.NotFound("Publication")
	}
	slug, id := r.PathValue("slug"), r.PathValue("id")
	if slug != market.Slugify(slug) || id == "" || len(id) > 100 {
		return nil, market.NotFound("Publication")
	}
	c, err := p.cfg.Catalogue.Campaign(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	if !p.allowReport(r) {
		pg := messagePage(http.StatusTooManyRequests, l, "wall.busy")
		pg.retryAfter = int(reportsPerIP.per / time.Second)
		return pg, nil
	}
	if err := p.cfg.WallReports.ReportMention(r.Context(), c.ID, id); err != nil {
		return nil, err
	}
	return &page{redirect: "/c/" + url.PathEscape(c.Slug) + "?signale=1#mur"}, nil
}

// allowReport spends one report of the client's address. A limiter that
// fails lets it through, as the purchase form does.
func (p *Pages) allowReport(r *http.Request) bool {
	if p.cfg.Limiter == nil {
		return true
	}
	ip := reqlog.ClientIP(r.Context())
	if ip == "" {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	ok, _, err := p.cfg.Limiter.Allow(r.Context(), "form:wall:report:"+ip, reportsPerIP.count, reportsPerIP.per)
	if err != nil {
		p.log.WarnContext(context.WithoutCancel(r.Context()), "rate limiter unavailable", "error", err)
		return true
	}
	return ok
}
