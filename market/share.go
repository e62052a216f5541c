package market

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
)

// ShareLink is a campaign's short link for one channel or one ambassador:
// /s/{code} redirects to its target with UTM parameters, and the clicks,
// visitors, orders and money that follow are counted for it.
type ShareLink struct {
	Code       string
	CampaignID string
	Campaign   string // the campaign's slug, read-only
	Channel    Channel
	Label      string // e.g. "Groupe Facebook du Plateau"
	Ambassador string // who shares it: a merchant, an influencer, a volunteer; "" for none
	Target     string // path on the site: /c/{slug}, /m/{slug} or /e/{id}
	CreatedBy  string
	CreatedAt  time.Time
	Disabled   bool
	Stats      LinkStats
}

// LinkStats are what a link brought.
type LinkStats struct {
	Clicks   int64
	Visitors int64
	Orders   int64
	Raised   int64 // minor units in the campaign's currency
}

// Channel is where a link is shared.
type Channel string

// Channels a share kit offers.
var Channels = []Channel{"facebook", "instagram", "x", "whatsapp", "linkedin", "mastodon", "bluesky", "threads", "email", "sms", "poster", "other"}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// ShareCodeLength is the length of a share code: 12 characters of
// Crockford base32, 60 bits, so links cannot be enumerated to read someone
// else's statistics.
const ShareCodeLength = 12

// NewShareCode returns a fresh random share code.
func NewShareCode() string {
	b := make([]byte, ShareCodeLength)
	if _, err := rand.Read(b); err != nil {
		panic("market: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return strings.ToLower(string(b))
}

// NormalizeShareCode reads a share code from a URL: lower case, or "" when
// it cannot be one.
func NormalizeShareCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != ShareCodeLength {
		return ""
	}
	for _, r := range strings.ToUpper(s) {
		if !strings.ContainsRune(crockford, r) {
			return ""
		}
	}
	return s
}

// bots are substrings of the user agents of link-preview crawlers and
// search robots: they get the page's Open Graph preview and are not
// counted as visitors.
var bots = []string{"facebookexternalhit", "facebot", "twitterbot", "whatsapp", "slackbot", "linkedinbot", "discordbot",
	"telegrambot", "skypeuripreview", "pinterest", "googlebot", "bingbot", "applebot", "embedly", "quora link preview",
	"redditbot", "mastodon", "bot/", "crawler", "spider", "preview"}

// IsBot reports whether a user agent is a crawler or a link previewer.
func IsBot(userAgent string) bool {
	ua := strings.ToLower(userAgent)
	if ua == "" {
		return true
	}
	for _, b := range bots {
		if strings.Contains(ua, b) {
			return true
		}
	}
	return false
}

// Click is one counted click on a share link.
type Click struct {
	Code    string
	Day     string // YYYY-MM-DD (UTC)
	Visitor string // an opaque first-party id; never an IP address
}

// StatsStore is the persistence of campaign statistics.
type StatsStore interface {
	// AddLinkStats adds counted clicks and visitors to a link's day.
	AddLinkStats(ctx context.Context, code, day string, clicks, visitors int64) error
}

// CampaignStats is a campaign's dashboard.
type CampaignStats struct {
	Totals    LinkStats
	Links     []*ShareLink
	ByChannel map[Channel]LinkStats
	ByDay     []DayStats
	Currency  Currency
}

// DayStats is one day of a campaign.
type DayStats struct {
	Day string
	LinkStats
}
