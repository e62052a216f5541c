package market

import (
	"context"
	"time"
)

// Campaign is an organiser's hashtag campaign (#billetsolidaire,
// #achatlocal): a page featuring merchants and events, with a public
// solidarity counter and, later, share links.
type Campaign struct {
	ID          string
	Slug        string
	Title       string
	Description string
	Hashtags    []string // without the leading '#'
	StartsAt    time.Time
	EndsAt      time.Time // zero: open-ended
	Currency    Currency
	Goal        int64 // minor units; 0: no goal
	// Merchants and Events are the featured ones that agreed (their
	// owner accepted, or the organiser runs them), approved only.
	Merchants []*Merchant
	Events    []*Event
	// Awaiting names (by slug) the merchants featured when the campaign is
	// created that have not agreed yet: their links, and their events',
	// are stored waiting for AcceptCampaign. Set by Feature; nil: all
	// agreed (seeded data).
	Awaiting map[string]bool
	// RunBy names who runs the campaign, for its public page: its
	// organisers' names.
	RunBy     []string
	Counter   CampaignCounter
	CreatedAt time.Time
}

// CampaignCounter is the public solidarity counter of a campaign.
type CampaignCounter struct {
	Supporters int64
	Raised     int64 // minor units in the campaign's currency
}

// Validate checks a campaign before it is stored; EInvalid names the field.
func (c *Campaign) Validate() error {
	switch {
	case c.Slug == "" || c.Slug != Slugify(c.Slug):
		return Invalid("slug", "must be lower-case letters, digits and hyphens")
	case c.Title == "":
		return Invalid("title", "is required")
	case len(c.Hashtags) == 0:
		return Invalid("hashtags", "at least one hashtag")
	case !c.Currency.Valid():
		return Invalid("currency", "unknown currency")
	case c.Goal < 0:
		return Invalid("goal", "must not be negative")
	case !c.EndsAt.IsZero() && c.EndsAt.Before(c.StartsAt):
		return Invalid("ends_at", "must follow starts_at")
	}
	for _, h := range c.Hashtags {
		if h == "" || Slugify(h) == "" {
			return Invalid("hashtags", "a hashtag needs letters or digits")
		}
	}
	return nil
}

// CampaignService reads and writes campaigns. Campaign returns ENotFound for
// an unknown slug. CreateCampaign takes the featured merchants by slug and
// events by id.
type CampaignService interface {
	Campaign(ctx context.Context, slug string) (*Campaign, error)
	ListCampaigns(ctx context.Context) ([]*Campaign, error)
	CreateCampaign(ctx context.Context, c *Campaign, merchantSlugs, eventIDs []string) error
}

// CampaignConsent is how a merchant agrees to be featured in a campaign.
type CampaignConsent interface {
	// AcceptCampaign marks the merchant's link to the campaign, and its
	// events' links, as agreed. ENotFound when the campaign does not
	// feature the merchant.
	AcceptCampaign(ctx context.Context, campaignID, merchantID string) error
	// CampaignInvitations lists the campaigns that feature the merchant,
	// with whether it agreed.
	CampaignInvitations(ctx context.Context, merchantID string) ([]*CampaignInvitation, error)
}

// CampaignInvitation is a campaign featuring a merchant, as its owner sees
// it on the dashboard.
type CampaignInvitation struct {
	Campaign *Campaign
	Accepted bool
}
