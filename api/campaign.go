package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// campaignJSON is a campaign as the public sees it.
type campaignJSON struct {
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Hashtags    []string        `json:"hashtags"`
	StartsAt    time.Time       `json:"starts_at"`
	EndsAt      *time.Time      `json:"ends_at"`
	Currency    market.Currency `json:"currency"`
	Goal        *market.Money   `json:"goal"`
	Merchants   []merchantCard  `json:"merchants,omitempty"`
	Events      []eventJSON     `json:"events,omitempty"`
	Counter     counterJSON     `json:"counter"`
	// RunBy names the campaign's organisers ("Campagne menée par …").
	RunBy []string `json:"run_by,omitempty"`
	// Wall is the latest approved public posts carrying the hashtags
	// (the campaign alone only).
	Wall *[]wallPostJSON `json:"wall,omitempty"`
}

type counterJSON struct {
	Supporters int64        `json:"supporters"`
	Raised     market.Money `json:"raised"`
}

func newCampaignJSON(c *market.Campaign, full bool) campaignJSON {
	out := campaignJSON{Slug: c.Slug, Title: c.Title, Description: c.Description, Hashtags: c.Hashtags,
		StartsAt: c.StartsAt, Currency: c.Currency,
		Counter: counterJSON{c.Counter.Supporters, market.Money{Amount: c.Counter.Raised, Currency: c.Currency}}}
	if !c.EndsAt.IsZero() {
		out.EndsAt = &c.EndsAt
	}
	if c.Goal > 0 {
		out.Goal = &market.Money{Amount: c.Goal, Currency: c.Currency}
	}
	if full {
		out.RunBy = c.RunBy
		out.Merchants = make([]merchantCard, len(c.Merchants))
		for i, m := range c.Merchants {
			out.Merchants[i] = newMerchantCard(m)
		}
		out.Events = make([]eventJSON, len(c.Events))
		for i, e := range c.Events {
			out.Events[i] = newEventJSON(e)
		}
	}
	return out
}

// getCampaign answers GET /api/v1/campaigns/{slug}: the campaign, its
// featured merchants and events, and its solidarity counter.
func (s *Server) getCampaign(c *gin.Context) error {
	cam, err := s.cfg.Catalogue.Campaign(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	out := newCampaignJSON(cam, true)
	wall := []wallPostJSON{}
	if s.cfg.Mentions != nil {
		posts, err := s.cfg.Mentions.Wall(c.Request.Context(), cam)
		if err != nil {
			return err
		}
		for _, m := range posts {
			wall = append(wall, newWallPost(m))
		}
	}
	out.Wall = &wall
	c.JSON(http.StatusOK, out)
	return nil
}

// listCampaigns answers GET /api/v1/campaigns: every campaign, without its
// featured items.
func (s *Server) listCampaigns(c *gin.Context) error {
	list0, err := s.cfg.Catalogue.ListCampaigns(c.Request.Context())
	if err != nil {
		return err
	}
	out := list[campaignJSON]{Data: make([]campaignJSON, len(list0))}
	for i, cam := range list0 {
		out.Data[i] = newCampaignJSON(cam, false)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// merchantCampaigns answers GET /api/v1/merchant/campaigns?merchant=: the
// campaigns that feature the merchant (or its events), with whether it
// agreed.
func (s *Server) merchantCampaigns(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermPage)
	if err != nil {
		return err
	}
	list, err := s.cfg.Campaigns.CampaignInvitations(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	type out struct {
		campaignJSON
		Accepted bool `json:"accepted"`
	}
	data := make([]out, len(list))
	for i, inv := range list {
		data[i] = out{newCampaignJSON(inv.Campaign, false), inv.Accepted}
	}
	c.JSON(http.StatusOK, gin.H{"data": data, "next_cursor": ""})
	return nil
}

// acceptCampaign answers POST /api/v1/merchant/campaigns/{slug}/accept: the
// merchant's owner (or its community manager) agrees to be featured, with its events; only an
// approved merchant may (market.Merchant.MayTrade). 404 when the campaign
// does not feature it.
func (s *Server) acceptCampaign(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermPage)
	if err != nil {
		return err
	}
	if err := m.MayTrade(); err != nil {
		return err
	}
	ctx := c.Request.Context()
	cam, err := s.cfg.Campaigns.Campaign(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if err := s.cfg.Campaigns.AcceptCampaign(ctx, cam.ID, m.ID); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"campaign": cam.Slug, "merchant": m.Slug, "accepted": true})
	return nil
}
