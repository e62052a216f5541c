package api

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Campaigns is what the organiser routes and the share links need
// (store.DB).
type Campaigns interface {
	Campaign(ctx context.Context, slug string) (*market.Campaign, error)
	ListCampaigns(ctx context.Context) ([]*market.Campaign, error)
	CreateCampaign(ctx context.Context, c *market.Campaign, merchantSlugs, eventIDs []string) error
	GrantCampaign(ctx context.Context, userID, campaignID string, r market.Role) error
	CreateShareLink(ctx context.Context, l *market.ShareLink) error
	ShareLink(ctx context.Context, code string) (*market.ShareLink, error)
	CampaignStats(ctx context.Context, c *market.Campaign) (*market.CampaignStats, error)
	DisableShareLink(ctx context.Context, campaignID, code string) error
	market.CampaignConsent
}

// ClickRecorder counts share-link clicks off the request's path
// (market.ClickCounter).
type ClickRecorder interface {
	Record(c market.Click) bool
}

// Cookies of attribution: the last share link clicked, and an opaque
// visitor id for counting unique visitors without IP addresses.
const (
	RefCookie     = "sol_ref"
	VisitorCookie = "sol_v"
)

// linkCache keeps share links in memory so that the redirect does not wait
// on the database: a link never changes but for being disabled, which the
// TTL picks up. Unknown codes are remembered too, briefly, so random codes
// cannot make every request a query.
type linkCache struct {
	mu      sync.Mutex
	entries map[string]linkEntry
	max     int
}

type linkEntry struct {
	link     *market.ShareLink // nil: unknown code
	location string            // the redirect's target with its UTM parameters
	expires  time.Time
}

func (lc *linkCache) get(code string) (linkEntry, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e, ok := lc.entries[code]
	if ok && time.Now().After(e.expires) {
		return e, false
	}
	return e, ok
}

func (lc *linkCache) put(code string, l *market.ShareLink, ttl time.Duration) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.entries == nil {
		lc.entries = map[string]linkEntry{}
	}
	if len(lc.entries) >= lc.max {
		clear(lc.entries)
	}
	e := linkEntry{link: l, expires: time.Now().Add(ttl)}
	if l != nil {
		q := url.Values{"utm_source": {string(l.Channel)}, "utm_medium": {"share"}, "utm_campaign": {l.Campaign}, "utm_content": {l.Code}}
		e.location = l.Target + "?" + q.Encode()
	}
	lc.entries[code] = e
}

// shareLink answers GET /s/{code}: a 302 to the link's target with UTM
// parameters, the attribution cookie set and the click counted, all
// without waiting on the database or Redis. Crawlers that build link
// previews get the target page itself (its Open Graph tags) and are not
// counted. An unknown or disabled code gets the web app's friendly 404.
func (s *Server) shareLink(c *gin.Context) error {
	code := market.NormalizeShareCode(c.Param("code"))
	var link *market.ShareLink
	var location string
	if code != "" {
		e, ok := s.links.get(code)
		if !ok {
			l, err := s.cfg.Campaigns.ShareLink(c.Request.Context(), code)
			switch {
			case err == nil:
				s.links.put(code, l, 5*time.Minute)
				e, _ = s.links.get(code)
			case market.ErrorCode(err) == market.ENotFound:
				s.links.put(code, nil, time.Minute)
			default:
				return err
			}
		}
		link, location = e.link, e.location
	}
	if link == nil || link.Disabled {
		s.pages(c, "/s/"+c.Param("code"))
		return nil
	}
	if market.IsBot(c.GetHeader("User-Agent")) {
		s.pages(c, link.Target)
		return nil
	}
	visitor, err := c.Cookie(VisitorCookie)
	if err != nil || len(visitor) != 32 {
		b := make([]byte, 16)
		rand.Read(b)
		visitor = hex.EncodeToString(b)
		s.cookie(c, VisitorCookie, visitor, 365*24*time.Hour)
	}
	s.cookie(c, RefCookie, link.Code, s.cfg.AttributionWindow)
	if s.cfg.Clicks != nil && !s.cfg.Clicks.Record(market.Click{Code: link.Code, Day: time.Now().UTC().Format("2006-01-02"), Visitor: visitor}) {
		s.metrics.droppedClicks.Inc()
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Redirect(http.StatusFound, location)
	return nil
}

// pages serves path from the web app in place of the request's own.
func (s *Server) pages(c *gin.Context, path string) {
	if s.cfg.Pages == nil {
		s.fail(c, market.NotFound("Lien"))
		return
	}
	r := c.Request.Clone(c.Request.Context())
	r.URL.Path, r.URL.RawQuery = path, ""
	s.cfg.Pages.ServeHTTP(c.Writer, r)
}

func (s *Server) cookie(c *gin.Context, name, value string, ttl time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(ttl.Seconds()), HttpOnly: true,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), SameSite: http.SameSiteLaxMode})
}

// campaignFor returns the campaign of the route if the actor organises it;
// 404 otherwise, so that campaigns' statistics cannot be probed.
func (s *Server) campaignFor(c *gin.Context) (*market.Campaign, error) {
	cam, err := s.cfg.Campaigns.Campaign(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return nil, err
	}
	a := actor(c)
	if a.DeviceID != "" || !a.Admin && a.Campaigns[cam.ID] != market.RoleOrganiser {
		return nil, market.NotFound("Campagne")
	}
	return cam, nil
}

// mayOrganise reports whether the actor may create campaigns: admins,
// organisers and merchant owners (a merchants' association runs
// #achatlocal).
func mayOrganise(a *market.Actor) bool {
	if a.DeviceID != "" {
		return false
	}
	if a.Admin {
		return true
	}
	for _, r := range a.Merchants {
		if r == market.RoleOrganiser || r == market.RoleOwner {
			return true
		}
	}
	for _, r := range a.Campaigns {
		if r == market.RoleOrganiser {
			return true
		}
	}
	return false
}

type campaignRequest struct {
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Hashtags    []string        `json:"hashtags"`
	StartsAt    time.Time       `json:"starts_at"`
	EndsAt      *time.Time      `json:"ends_at"`
	Currency    market.Currency `json:"currency"`
	Goal        int64           `json:"goal"`
	Merchants   []string        `json:"merchants"`
	Events      []string        `json:"events"`
}

// createCampaign answers POST /api/v1/organiser/campaigns: the creator
// becomes its organiser. Only approved organisers publish
// (market.ApprovedOrganiser), only approved merchants are featured, and the
// merchants the creator does not run wait for their owner's agreement
// (Campaign.Feature).
func (s *Server) createCampaign(c *gin.Context) error {
	a := actor(c)
	if !mayOrganise(a) {
		return &market.Error{Code: market.EForbidden, Message: "Seuls les organisateurs et les commerçants créent des campagnes."}
	}
	var req campaignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if len(req.Title) > 120 || len(req.Description) > 4000 || len(req.Hashtags) > 10 || len(req.Merchants) > 200 || len(req.Events) > 200 {
		return market.Invalid("campaign", "a field is too long")
	}
	cam := &market.Campaign{Slug: req.Slug, Title: strings.TrimSpace(req.Title), Description: req.Description,
		StartsAt: req.StartsAt, Currency: req.Currency, Goal: req.Goal}
	if cam.Slug == "" {
		cam.Slug = market.Slugify(cam.Title)
	}
	if cam.StartsAt.IsZero() {
		cam.StartsAt = time.Now().UTC()
	}
	if req.EndsAt != nil {
		cam.EndsAt = *req.EndsAt
	}
	for _, h := range req.Hashtags {
		cam.Hashtags = append(cam.Hashtags, strings.TrimPrefix(strings.TrimSpace(h), "#"))
	}
	if req.Goal < 0 || req.Goal > 100*market.MaxOrderTotal {
		return market.Invalid("goal", "out of range")
	}
	ctx := c.Request.Context()
	if err := s.featured(ctx, a, cam, req.Merchants, req.Events); err != nil {
		return err
	}
	if err := s.cfg.Campaigns.CreateCampaign(ctx, cam, req.Merchants, req.Events); err != nil {
		return err
	}
	if a.UserID != "" {
		if err := s.cfg.Campaigns.GrantCampaign(ctx, a.UserID, cam.ID, market.RoleOrganiser); err != nil {
			return err
		}
	}
	full, err := s.cfg.Campaigns.Campaign(ctx, cam.Slug)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newCampaignJSON(full, true))
	return nil
}

// featured checks that the actor may publish a campaign and what it
// features, and marks who has yet to agree (market.ApprovedOrganiser,
// Campaign.Feature).
func (s *Server) featured(ctx context.Context, a *market.Actor, cam *market.Campaign, merchantSlugs, eventIDs []string) error {
	var own []*market.Merchant
	for id, r := range a.Merchants {
		if r != market.RoleOwner && r != market.RoleOrganiser {
			continue
		}
		m, err := s.cfg.Merchants.MerchantByID(ctx, id)
		if err != nil {
			return err
		}
		own = append(own, m)
	}
	sort.Slice(own, func(i, j int) bool { return own[i].ID < own[j].ID })
	if err := market.ApprovedOrganiser(a, own); err != nil {
		return err
	}
	merchants := make([]*market.Merchant, 0, len(merchantSlugs))
	for _, slug := range merchantSlugs {
		m, err := s.cfg.Merchants.Merchant(ctx, slug)
		if market.ErrorCode(err) == market.ENotFound {
			return market.Invalid("merchants", "unknown merchant "+slug)
		}
		if err != nil {
			return err
		}
		merchants = append(merchants, m)
	}
	venues := make([]*market.Merchant, 0, len(eventIDs))
	for _, id := range eventIDs {
		e, err := s.cfg.TicketStore.Event(ctx, id)
		if market.ErrorCode(err) == market.ENotFound {
			return market.Invalid("events", "unknown event "+id)
		}
		if err != nil {
			return err
		}
		m, err := s.cfg.Merchants.MerchantByID(ctx, e.MerchantID)
		if err != nil {
			return err
		}
		venues = append(venues, m)
	}
	return cam.Feature(a, merchants, venues)
}

// organiserCampaigns answers GET /api/v1/organiser/campaigns: the
// campaigns the actor organises.
func (s *Server) organiserCampaigns(c *gin.Context) error {
	all, err := s.cfg.Campaigns.ListCampaigns(c.Request.Context())
	if err != nil {
		return err
	}
	a := actor(c)
	out := []campaignJSON{}
	for _, cam := range all {
		if a.DeviceID == "" && (a.Admin || a.Campaigns[cam.ID] == market.RoleOrganiser) {
			out = append(out, newCampaignJSON(cam, false))
		}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}

type linkJSON struct {
	Code       string         `json:"code"`
	URL        string         `json:"url"`
	Channel    market.Channel `json:"channel"`
	Label      string         `json:"label"`
	Ambassador string         `json:"ambassador,omitempty"`
	Target     string         `json:"target"`
	Clicks     int64          `json:"clicks"`
	Visitors   int64          `json:"visitors"`
	Orders     int64          `json:"orders"`
	Raised     market.Money   `json:"raised"`
	Conversion float64        `json:"conversion"`
	// Mentions counts the public posts that carried the link.
	Mentions  int64     `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) newLinkJSON(l *market.ShareLink, cur market.Currency) linkJSON {
	return linkJSON{Code: l.Code, URL: s.cfg.BaseURL + "/s/" + l.Code, Channel: l.Channel, Label: l.Label, Ambassador: l.Ambassador,
		Target: l.Target, Clicks: l.Stats.Clicks, Visitors: l.Stats.Visitors, Orders: l.Stats.Orders,
		Raised: market.Money{Amount: l.Stats.Raised, Currency: cur}, Conversion: conversion(l.Stats), CreatedAt: l.CreatedAt}
}

func conversion(s market.LinkStats) float64 {
	if s.Visitors == 0 {
		return 0
	}
	return float64(int(float64(s.Orders)/float64(s.Visitors)*10000)) / 10000
}

// createLink answers POST /api/v1/organiser/campaigns/{slug}/links
// {"channel", "label", "ambassador", "target"}: a short link and the
// ready-to-post text.
func (s *Server) createLink(c *gin.Context) error {
	cam, err := s.campaignFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Channel    market.Channel `json:"channel"`
		Label      string         `json:"label"`
		Ambassador string         `json:"ambassador"`
		Target     string         `json:"target"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if !req.Channel.Valid() {
		return market.Invalid("channel", "unknown channel")
	}
	if len(req.Label) > 100 || len(req.Ambassador) > 100 {
		return market.Invalid("label", "must be at most 100 characters")
	}
	target := "/c/" + cam.Slug
	switch {
	case req.Target == "" || req.Target == target:
	case strings.HasPrefix(req.Target, "/m/"):
		if _, err := s.cfg.Catalogue.Merchant(c.Request.Context(), strings.TrimPrefix(req.Target, "/m/")); err != nil {
			return market.Invalid("target", "unknown merchant")
		}
		target = req.Target
	case strings.HasPrefix(req.Target, "/e/"):
		if _, err := s.cfg.Catalogue.Event(c.Request.Context(), strings.TrimPrefix(req.Target, "/e/")); err != nil {
			return market.Invalid("target", "unknown event")
		}
		target = req.Target
	default:
		return market.Invalid("target", "must be the campaign, /m/{merchant} or /e/{event}")
	}
	l := &market.ShareLink{Code: market.NewShareCode(), CampaignID: cam.ID, Campaign: cam.Slug, Channel: req.Channel,
		Label: strings.TrimSpace(req.Label), Ambassador: strings.TrimSpace(req.Ambassador), Target: target, CreatedBy: actor(c).ID()}
	if err := s.cfg.Campaigns.CreateShareLink(c.Request.Context(), l); err != nil {
		return err
	}
	tags := ""
	for _, h := range cam.Hashtags {
		tags += " #" + h
	}
	out := s.newLinkJSON(l, cam.Currency)
	c.JSON(http.StatusCreated, gin.H{"code": l.Code, "url": out.URL, "link": out,
		"text": fmt.Sprintf("%s : %s%s %s", cam.Title, shareCall(cam, target), tags, out.URL)})
	return nil
}

// campaignStats answers GET /api/v1/organiser/campaigns/{slug}/stats:
// totals, links, and breakdowns by channel, ambassador and day; CSV of the
// links with Accept: text/csv (or ?format=csv).
func (s *Server) campaignStats(c *gin.Context) error {
	cam, err := s.campaignFor(c)
	if err != nil {
		return err
	}
	st, err := s.cfg.Campaigns.CampaignStats(c.Request.Context(), cam)
	if err != nil {
		return err
	}
	cur := cam.Currency
	c.Header("Cache-Control", "no-store")
	if c.Query("format") == "csv" || c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="campagne-%s.csv"`, cam.Slug))
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		w.Write(csvRow("code", "canal", "libelle", "ambassadeur", "clics", "visiteurs", "commandes", "montant", "devise", "conversion"))
		for _, l := range st.Links {
			w.Write(csvRow(l.Code, l.Channel, l.Label, l.Ambassador, csvNumber(strconv.FormatInt(l.Stats.Clicks, 10)),
				csvNumber(strconv.FormatInt(l.Stats.Visitors, 10)), csvNumber(strconv.FormatInt(l.Stats.Orders, 10)),
				csvNumber(decimal(l.Stats.Raised)), cur, csvNumber(strconv.FormatFloat(conversion(l.Stats), 'f', 4, 64))))
		}
		w.Flush()
		return w.Error()
	}
	type group struct {
		Key        string       `json:"key"`
		Clicks     int64        `json:"clicks"`
		Visitors   int64        `json:"visitors"`
		Orders     int64        `json:"orders"`
		Raised     market.Money `json:"raised"`
		Conversion float64      `json:"conversion"`
	}
	mk := func(key string, s market.LinkStats) group {
		return group{key, s.Clicks, s.Visitors, s.Orders, market.Money{Amount: s.Raised, Currency: cur}, conversion(s)}
	}
	links := make([]linkJSON, len(st.Links))
	ambassadors := map[string]market.LinkStats{}
	for i, l := range st.Links {
		links[i] = s.newLinkJSON(l, cur)
		if l.Ambassador != "" {
			a := ambassadors[l.Ambassador]
			a.Clicks, a.Visitors, a.Orders, a.Raised = a.Clicks+l.Stats.Clicks, a.Visitors+l.Stats.Visitors, a.Orders+l.Stats.Orders, a.Raised+l.Stats.Raised
			ambassadors[l.Ambassador] = a
		}
	}
	byChannel := []group{}
	for _, ch := range market.Channels {
		if v, ok := st.ByChannel[ch]; ok {
			byChannel = append(byChannel, mk(string(ch), v))
		}
	}
	board := []group{}
	for name, v := range ambassadors {
		board = append(board, mk(name, v))
	}
	sort.Slice(board, func(i, j int) bool {
		if board[i].Raised.Amount != board[j].Raised.Amount {
			return board[i].Raised.Amount > board[j].Raised.Amount
		}
		return board[i].Orders > board[j].Orders || board[i].Orders == board[j].Orders && board[i].Key < board[j].Key
	})
	byDay := make([]group, len(st.ByDay))
	for i, d := range st.ByDay {
		byDay[i] = mk(d.Day, d.LinkStats)
	}
	mentions, err := s.mentionStats(c, cam)
	if err != nil {
		return err
	}
	for i := range links {
		links[i].Mentions = mentions.byLink[links[i].Code]
	}
	c.JSON(http.StatusOK, gin.H{"campaign": newCampaignJSON(cam, false), "totals": mk("total", st.Totals), "links": links,
		"by_channel": byChannel, "by_day": byDay, "ambassadors": board, "mentions": mentions})
	return nil
}

// disableLink answers POST /api/v1/organiser/campaigns/{slug}/links/{code}/disable:
// the link then leads to the friendly 404 (at once on this instance, within
// five minutes on the others, whose link caches expire).
func (s *Server) disableLink(c *gin.Context) error {
	cam, err := s.campaignFor(c)
	if err != nil {
		return err
	}
	code := market.NormalizeShareCode(c.Param("code"))
	if err := s.cfg.Campaigns.DisableShareLink(c.Request.Context(), cam.ID, code); err != nil {
		return err
	}
	s.links.put(code, nil, time.Minute)
	c.Status(http.StatusNoContent)
	return nil
}

// shareCall is what a share link's ready-to-post text asks for: tickets
// when the link leads to an event or the campaign is a ticket campaign (it
// features events, and merchants only as their venues), certificates or
// tickets when it features both and the link leads to the campaign,
// certificates otherwise (frontend/src/organiser_campaigns.ts says the
// same for links made before).
func shareCall(cam *market.Campaign, target string) string {
	venues := map[string]bool{}
	for _, e := range cam.Events {
		venues[e.MerchantSlug] = true
	}
	tickets := len(cam.Events) > 0
	for _, m := range cam.Merchants {
		tickets = tickets && venues[m.Slug]
	}
	switch {
	case strings.HasPrefix(target, "/e/") || tickets && !strings.HasPrefix(target, "/m/") || tickets && venues[strings.TrimPrefix(target, "/m/")]:
		return "soutenez nos salles, réservez ou offrez un billet solidaire aujourd'hui."
	case len(cam.Events) > 0 && !strings.HasPrefix(target, "/m/"):
		return "soutenez nos commerces et nos salles, achetez un bon ou un billet solidaire aujourd'hui."
	}
	return "soutenez nos commerces et nos salles, achetez un bon solidaire aujourd'hui."
}
