package market

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Polling limits: a source is read at most once a minute, and after
// failures at growing intervals up to an hour.
const (
	MinSourceInterval = time.Minute
	maxSourceBackoff  = time.Hour
	// MentionKeep is how long a campaign's mentions outlive its end.
	MentionKeep = 90 * 24 * time.Hour
	// WallSize is how many approved posts the public wall shows.
	WallSize = 20
	// goneCheckEvery is how often the posts on a wall are checked for
	// deletion by their authors, per source.
	goneCheckEvery = 10 * time.Minute
	// sourcesPerRound bounds one poll round.
	sourcesPerRound = 10
	// readTimeout bounds one read of a source.
	readTimeout = 30 * time.Second
)

// DefaultBlueskyHost is Bluesky's public AppView, which serves post
// search without an account.
const DefaultBlueskyHost = "public.api.bsky.app"

// MentionStore keeps sources and mentions (store.DB).
type MentionStore interface {
	AddMentionSource(ctx context.Context, s *MentionSource) error
	RemoveMentionSource(ctx context.Context, campaignID, id string) error
	MentionSources(ctx context.Context, campaignID string) ([]*MentionSource, error)
	DueMentionSources(ctx context.Context, now time.Time, limit int) ([]*SourceRead, error)
	RecordMentions(ctx context.Context, src *MentionSource, found []*Mention, cursor string, next, now time.Time) (int, error)
	MentionReadFailed(ctx context.Context, sourceID, reason string, next time.Time) error
	WallPostsToCheck(ctx context.Context, sourceID string, now time.Time, interval time.Duration, limit int) ([]string, error)
	MarkMentionsGone(ctx context.Context, network Network, postIDs []string) error
	PurgeMentions(ctx context.Context, now time.Time, keep time.Duration) (int64, error)
	Mentions(ctx context.Context, campaignID string, f MentionFilter) ([]*Mention, string, error)
	SetMentionStatus(ctx context.Context, campaignID, id string, status MentionStatus) (*Mention, error)
	BlockAuthor(ctx context.Context, campaignID string, b *BlockedAuthor, by string) error
	UnblockAuthor(ctx context.Context, campaignID string, network Network, handle string) error
	BlockedAuthors(ctx context.Context, campaignID string) ([]*BlockedAuthor, error)
	ReportMention(ctx context.Context, campaignID, id string) error
	CampaignWall(ctx context.Context, campaignID string, limit int) ([]*Mention, error)
	MentionStats(ctx context.Context, campaignID string) (*MentionStats, error)
}

// Mentions follows campaigns' hashtags on the public networks: organisers
// add sources and moderate what they find, Poll reads the sources that are
// due (run it as a leased Pass: one instance polls at a time), and the
// public wall shows what was approved.
type Mentions struct {
	Store MentionStore
	// Reader reads the networks (package social); nil: sources are kept
	// but never read, and say so.
	Reader SocialReader
	// BaseURL is Solidaire's public address: links to BaseURL/s/CODE and
	// BaseURL/m/SLUG in a post tie it to a share link and a merchant.
	BaseURL string
	// AllowPrivateHosts lets sources name loopback or private addresses
	// (tests with local servers); never in production.
	AllowPrivateHosts bool
	Log               *slog.Logger
	Now               func() time.Time

	kickOnce  sync.Once
	kicks     chan struct{}
	mu        sync.Mutex
	lastPurge time.Time
}

func (s *Mentions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Mentions) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Kicks is the channel a Pass loop waits on besides its ticker: a new
// source is read at once on the instance that holds the lease.
func (s *Mentions) Kicks() <-chan struct{} {
	s.kickOnce.Do(func() { s.kicks = make(chan struct{}, 1) })
	return s.kicks
}

func (s *Mentions) kick() {
	s.Kicks()
	select {
	case s.kicks <- struct{}{}:
	default:
	}
}

var hostPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:[0-9]{1,5})?$`)

// checkHost accepts a public host name (with an optional port), refusing
// addresses and single-label names that would let a source reach inside
// the network Solidaire runs in.
func (s *Mentions) checkHost(field, host string) error {
	if len(host) > 253 || !hostPattern.MatchString(host) {
		return &Error{Code: EInvalid, Message: "Nom de serveur invalide (ex. mastodon.social).",
			Fields: map[string]string{field: "must be a host name such as mastodon.social"}}
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if !s.AllowPrivateHosts && (net.ParseIP(name) != nil || strings.HasSuffix(name, ".local") || strings.HasSuffix(name, ".internal") ||
		strings.HasSuffix(name, ".localhost")) {
		return &Error{Code: EInvalid, Message: "Indiquez le nom public du serveur, pas une adresse IP ou un nom local.",
			Fields: map[string]string{field: "must be a public host name"}}
	}
	return nil
}

// AddSource adds a source to a campaign and has it read at once. EInvalid
// names the wrong field (network, instance or url); EConflict for a source
// the campaign already has, or one too many.
func (s *Mentions) AddSource(ctx context.Context, cam *Campaign, network Network, instance, feedURL string) (*MentionSource, error) {
	src := &MentionSource{ID: NewID("src"), CampaignID: cam.ID, Network: network}
	instance = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(instance)), "https://"), "http://"), "/")
	switch network {
	case NetworkMastodon:
		if instance == "" {
			return nil, Invalid("instance", "is required: the Mastodon server, e.g. mastodon.social")
		}
		if err := s.checkHost("instance", instance); err != nil {
			return nil, err
		}
		src.Instance = instance
	case NetworkBluesky:
		if instance == "" {
			instance = DefaultBlueskyHost
		}
		if err := s.checkHost("instance", instance); err != nil {
			return nil, err
		}
		src.Instance = instance
	case NetworkFeed:
		u, err := url.Parse(strings.TrimSpace(feedURL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Host == "" || len(feedURL) > 500 {
			return nil, &Error{Code: EInvalid, Message: "Adresse de flux invalide : elle commence par https://.",
				Fields: map[string]string{"url": "must be an http(s) URL of an RSS or Atom feed"}}
		}
		u.Host = strings.ToLower(u.Host)
		if err := s.checkHost("url", u.Host); err != nil {
			return nil, err
		}
		u.Fragment = ""
		src.URL = u.String()
	default:
		return nil, Invalid("network", "must be mastodon, bluesky or feed")
	}
	if err := s.Store.AddMentionSource(ctx, src); err != nil {
		return nil, err
	}
	s.kick()
	return src, nil
}

// Poll reads the sources that are due, records what they found, checks
// whether posts on walls were deleted, and purges old mentions. One bad
// source never stops the others: its failure is recorded on it.
func (s *Mentions) Poll(ctx context.Context) error {
	now := s.now()
	s.mu.Lock()
	purge := now.Sub(s.lastPurge) >= time.Hour
	if purge {
		s.lastPurge = now
	}
	s.mu.Unlock()
	if purge {
		if n, err := s.Store.PurgeMentions(ctx, now, MentionKeep); err != nil {
			return err
		} else if n > 0 {
			s.log().Info("purged old mentions", "count", n)
		}
	}
	due, err := s.Store.DueMentionSources(ctx, now, sourcesPerRound)
	if err != nil {
		return err
	}
	for _, r := range due {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := s.read(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// read reads one source; it returns only the store's errors.
func (s *Mentions) read(ctx context.Context, r *SourceRead) error {
	src := r.Source
	now := s.now()
	if s.Reader == nil {
		return s.Store.MentionReadFailed(ctx, src.ID, "La lecture des réseaux n'est pas activée sur ce serveur.", now.Add(maxSourceBackoff))
	}
	tags := make([]string, 0, len(r.Hashtags))
	for _, h := range r.Hashtags {
		tags = append(tags, strings.ToLower(strings.TrimPrefix(h, "#")))
	}
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	page, err := s.Reader.Read(rctx, src, tags)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := sourceBackoff(src.Failures + 1)
		var ra RetryAfter
		if errors.As(err, &ra) && ra.RetryAfter() > wait {
			wait = min(ra.RetryAfter(), 24*time.Hour)
		}
		s.log().Warn("reading a mention source", "source", src.ID, "network", src.Network, "err", err)
		return s.Store.MentionReadFailed(ctx, src.ID, readError(err), now.Add(wait))
	}
	found := make([]*Mention, 0, len(page.Posts))
	for i := range page.Posts {
		p := page.Posts[i]
		if !carries(&p, tags) || (!r.Starts.IsZero() && p.PostedAt.Before(r.Starts.Add(-24*time.Hour))) {
			continue
		}
		p.Network = src.Network
		p.Text = clip(p.Text)
		p.AuthorName = clipTo(p.AuthorName, 100)
		p.AuthorHandle = clipTo(p.AuthorHandle, 200)
		if p.ID == "" || p.AuthorHandle == "" || !webURL(p.URL) {
			continue
		}
		m := &Mention{ID: NewID("men"), CampaignID: src.CampaignID, SourceID: src.ID, Post: p, FoundAt: now}
		m.ShareLink, m.Merchant = s.attribution(&p)
		found = append(found, m)
	}
	next := now.Add(max(MinSourceInterval, page.Wait))
	added, err := s.Store.RecordMentions(ctx, src, found, page.Cursor, next, now)
	if err != nil {
		return err
	}
	if added > 0 {
		s.log().Info("mentions found", "source", src.ID, "network", src.Network, "new", added)
	}
	ids, err := s.Store.WallPostsToCheck(ctx, src.ID, now, goneCheckEvery, 40)
	if err != nil || len(ids) == 0 {
		return err
	}
	gctx, cancel := context.WithTimeout(ctx, readTimeout)
	gone, err := s.Reader.Gone(gctx, src, ids)
	cancel()
	if err != nil {
		s.log().Warn("checking posts on a wall", "source", src.ID, "err", err)
		return nil
	}
	return s.Store.MarkMentionsGone(ctx, src.Network, gone)
}

// sourceBackoff is the wait after the n-th failure in a row: two minutes,
// doubling up to an hour, with jitter.
func sourceBackoff(n int) time.Duration {
	d := maxSourceBackoff
	if n < 6 {
		d = min(2*time.Minute<<(max(n, 1)-1), maxSourceBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// readError is a failed read in the organiser's words: the reader's own
// sentence when it has one, cut short.
func readError(err error) string {
	var me *Error
	if errors.As(err, &me) && me.Message != "" {
		return clipTo(me.Message, 300)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Le serveur n'a pas répondu à temps."
	}
	msg := err.Error()
	if msg == "" {
		msg = "Lecture impossible."
	}
	return clipTo(msg, 300)
}

// carries reports whether a post bears one of the hashtags, by its tags or
// in its text.
func carries(p *Post, tags []string) bool {
	for _, t := range p.Tags {
		for _, h := range tags {
			if strings.EqualFold(strings.TrimPrefix(t, "#"), h) {
				return true
			}
		}
	}
	text := strings.ToLower(p.Text)
	for _, h := range tags {
		for i := 0; ; {
			j := strings.Index(text[i:], "#"+h)
			if j < 0 {
				break
			}
			end := i + j + 1 + len(h)
			if end == len(text) || !wordRune(text[end:]) {
				return true
			}
			i = end
		}
	}
	return false
}

// wordRune reports whether s begins with a letter, digit or underscore: a
// longer hashtag (#billetsolidaire2 is not #billetsolidaire).
func wordRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && !strings.ContainsRune(" \u00a0", r)
}

var urlInText = regexp.MustCompile(`https?://[^\s<>"']+`)

// attribution finds the share link (/s/CODE) and merchant page (/m/SLUG)
// on Solidaire that a post links to, in its links or its text.
func (s *Mentions) attribution(p *Post) (code, merchant string) {
	base, err := url.Parse(s.BaseURL)
	if err != nil || base.Host == "" {
		return "", ""
	}
	links := append(append([]string{}, p.Links...), urlInText.FindAllString(p.Text, 20)...)
	for _, l := range links {
		u, err := url.Parse(strings.TrimRight(l, ".,;:!?)»"))
		if err != nil || !strings.EqualFold(u.Host, base.Host) {
			continue
		}
		path := strings.TrimPrefix(u.Path, strings.TrimSuffix(base.Path, "/"))
		switch {
		case code == "" && strings.HasPrefix(path, "/s/"):
			code = NormalizeShareCode(strings.Trim(strings.TrimPrefix(path, "/s/"), "/"))
		case merchant == "" && strings.HasPrefix(path, "/m/"):
			slug := strings.SplitN(strings.TrimPrefix(path, "/m/"), "/", 2)[0]
			if slug == Slugify(slug) {
				merchant = slug
			}
		}
	}
	return code, merchant
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 2000
}

func clip(s string) string { return clipTo(s, MaxMentionText) }

// clipTo cuts s to n runes, valid UTF-8.
func clipTo(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Sources lists a campaign's sources.
func (s *Mentions) Sources(ctx context.Context, cam *Campaign) ([]*MentionSource, error) {
	return s.Store.MentionSources(ctx, cam.ID)
}

// RemoveSource stops reading a source; what it found stays. ENotFound
// when it is not the campaign's.
func (s *Mentions) RemoveSource(ctx context.Context, cam *Campaign, id string) error {
	return s.Store.RemoveMentionSource(ctx, cam.ID, id)
}

// List lists a campaign's mentions for moderation.
func (s *Mentions) List(ctx context.Context, cam *Campaign, f MentionFilter) ([]*Mention, string, error) {
	if f.Network != "" && !f.Network.Valid() {
		return nil, "", Invalid("network", "must be mastodon, bluesky or feed")
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", Invalid("status", "must be pending, approved or hidden")
	}
	return s.Store.Mentions(ctx, cam.ID, f)
}

// Moderate approves (onto the wall) or hides a mention. ENotFound when it
// is not the campaign's, EConflict when approving a deleted post or a
// blocked author's.
func (s *Mentions) Moderate(ctx context.Context, cam *Campaign, id string, status MentionStatus) (*Mention, error) {
	if status != MentionApproved && status != MentionHidden {
		return nil, Invalid("status", "must be approved or hidden")
	}
	return s.Store.SetMentionStatus(ctx, cam.ID, id, status)
}

// Block keeps an author off the campaign's wall. EInvalid for an unknown
// network or an empty handle.
func (s *Mentions) Block(ctx context.Context, cam *Campaign, network Network, handle, by string) (*BlockedAuthor, error) {
	handle = strings.TrimSpace(handle)
	switch {
	case !network.Valid():
		return nil, Invalid("network", "must be mastodon, bluesky or feed")
	case handle == "" || utf8.RuneCountInString(handle) > 200:
		return nil, Invalid("handle", "is required")
	}
	b := &BlockedAuthor{Network: network, Handle: handle}
	return b, s.Store.BlockAuthor(ctx, cam.ID, b, by)
}

// Unblock lets an author's posts be approved again. ENotFound when the
// author was not blocked.
func (s *Mentions) Unblock(ctx context.Context, cam *Campaign, network Network, handle string) error {
	return s.Store.UnblockAuthor(ctx, cam.ID, network, strings.TrimSpace(handle))
}

// Blocked lists the campaign's blocked authors.
func (s *Mentions) Blocked(ctx context.Context, cam *Campaign) ([]*BlockedAuthor, error) {
	return s.Store.BlockedAuthors(ctx, cam.ID)
}

// Report counts a visitor's report of a post on the wall. ENotFound when
// it is not on the wall.
func (s *Mentions) Report(ctx context.Context, cam *Campaign, id string) error {
	return s.Store.ReportMention(ctx, cam.ID, id)
}

// Wall returns the campaign's public wall.
func (s *Mentions) Wall(ctx context.Context, cam *Campaign) ([]*Mention, error) {
	return s.Store.CampaignWall(ctx, cam.ID, WallSize)
}

// Stats counts the campaign's mentions for its dashboard.
func (s *Mentions) Stats(ctx context.Context, cam *Campaign) (*MentionStats, error) {
	return s.Store.MentionStats(ctx, cam.ID)
}
