package market

import (
	"context"
	"time"
)

// Network is a public social network whose posts carry a campaign's
// hashtags.
type Network string

// The networks Solidaire reads without a commercial contract: Mastodon's
// public hashtag timelines, Bluesky's public post search, and any RSS or
// Atom feed.
const (
	NetworkMastodon Network = "mastodon"
	NetworkBluesky  Network = "bluesky"
	NetworkFeed     Network = "feed"
)

// Valid reports whether n is a network Solidaire reads.
func (n Network) Valid() bool {
	return n == NetworkMastodon || n == NetworkBluesky || n == NetworkFeed
}

// MentionSource is where a campaign's hashtags are looked for: a Mastodon
// instance (Instance, a host name such as mastodon.social), Bluesky's
// public AppView (Instance, empty for the default), or a feed (URL).
type MentionSource struct {
	ID         string
	CampaignID string
	Network    Network
	Instance   string // mastodon, bluesky: the host; empty on a feed
	URL        string // feed: the feed's address; empty otherwise
	// Cursor is where the last read stopped, as the network gives it
	// (Mastodon's newest status id, Bluesky's newest post time, a feed's
	// newest entry time), so the next read asks only for what is newer.
	Cursor string
	// LastReadAt is when a read last succeeded; LastError why the last
	// one failed (empty after a success), in the organiser's words.
	LastReadAt time.Time
	LastError  string
	// NextReadAt is when the poller may read it again: at least a minute
	// after the last read, later after failures or when the network asked
	// to wait (Retry-After, rate-limit headers).
	NextReadAt time.Time
	Failures   int
	CreatedAt  time.Time
	// Mentions counts the mentions this source found (read-only).
	Mentions int64
}

// SourceRead is a due source with what its read needs from its campaign.
type SourceRead struct {
	Source   *MentionSource
	Hashtags []string  // lower-case, without '#'
	Starts   time.Time // the campaign's start: older posts are not its mentions
}

// MentionStatus is where a mention stands on the campaign's wall.
type MentionStatus string

// Mention statuses: nothing shows on the wall unless an organiser approved
// it; hidden ones never show again, whatever later reads find.
const (
	MentionPending  MentionStatus = "pending"
	MentionApproved MentionStatus = "approved"
	MentionHidden   MentionStatus = "hidden"
)

// Valid reports whether s is a mention status.
func (s MentionStatus) Valid() bool {
	return s == MentionPending || s == MentionApproved || s == MentionHidden
}

// Post is a public post as a network's reader returns it: plain text only
// (the HTML sanitised away), never media, which only counts.
type Post struct {
	Network Network
	// ID is the post's identity on its network (Mastodon's status URI,
	// Bluesky's at:// URI, a feed entry's id or link): one post is stored
	// once per campaign, whatever the number of reads or sources.
	ID           string
	URL          string // the original, where the wall links to
	AuthorHandle string // @name@instance, name.bsky.social, or a feed's author
	AuthorName   string
	PostedAt     time.Time
	Text         string   // plain text, at most MaxMentionText runes
	Lang         string   // BCP 47 as the network gives it, may be empty
	MediaCount   int      // attachments the post carries (never copied)
	Tags         []string // hashtags the post carries, lower-case, without '#'
	Links        []string // the URLs the post links to, for attribution
}

// MaxMentionText bounds the excerpt of a post that is stored.
const MaxMentionText = 500

// PostPage is what one read of a source found: posts newer than the
// source's cursor, the cursor to store, and how long the network asked to
// wait before the next read (zero: no wish).
type PostPage struct {
	Posts  []Post
	Cursor string
	Wait   time.Duration
}

// SocialReader reads one network's public posts (package social). Read
// returns posts carrying any of the hashtags (lower-case, without '#') that
// are newer than the source's cursor; Gone reports which of the posts, by
// ID, no longer exist (their author deleted them) among those asked about.
// Errors that ask to wait carry the wait: see RetryAfter.
type SocialReader interface {
	Read(ctx context.Context, src *MentionSource, hashtags []string) (*PostPage, error)
	Gone(ctx context.Context, src *MentionSource, ids []string) ([]string, error)
}

// RetryAfter is implemented by a reader's errors that carry the wait the
// network asked for (HTTP 429 or 503 with Retry-After, an exhausted
// rate-limit window, an open circuit breaker).
type RetryAfter interface {
	RetryAfter() time.Duration
}

// Mention is a public post that carried one of a campaign's hashtags, as
// stored: once per campaign, linked to the share link whose /s/CODE URL it
// contains and to the merchant whose /m/SLUG page it links to.
type Mention struct {
	ID         string
	CampaignID string
	SourceID   string
	Post
	ShareLink string // code of the campaign's share link the post carried, or empty
	Merchant  string // slug of the merchant whose page the post linked to, or empty
	Status    MentionStatus
	Reports   int // times a visitor reported it from the wall
	FoundAt   time.Time
	// Gone is set when a later read found the post deleted by its author:
	// it leaves the wall at once and the dashboard says so.
	Gone bool
}

// MentionFilter selects a campaign's mentions for the organiser.
type MentionFilter struct {
	Network Network       // empty: all
	Status  MentionStatus // empty: all
	Page    Page
}

// MentionStats are a campaign's mentions beside its clicks and sales.
type MentionStats struct {
	Total     int64
	ByNetwork map[Network]int64
	ByDay     []MentionDay // days in UTC, oldest first
	// TopAuthors are the authors who posted most, most first (at most 10).
	TopAuthors []MentionAuthor
	// ByLink counts the mentions that carried each share link, by code.
	ByLink map[string]int64
}

// BlockedAuthor is an author whose posts an organiser keeps off the wall.
type BlockedAuthor struct {
	Network   Network
	Handle    string
	CreatedAt time.Time
}

// MentionDay counts one day's mentions, by network.
type MentionDay struct {
	Day       string // YYYY-MM-DD
	Total     int64
	ByNetwork map[Network]int64
}

// MentionAuthor is one author's count of mentions.
type MentionAuthor struct {
	Network Network
	Handle  string
	Name    string
	Posts   int64
}
