package social

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// DefaultContact is the address named in the default User-Agent.
const DefaultContact = "https://solidaire.example"

// Config configures a Reader. The zero value reads the real networks
// anonymously with the defaults below.
type Config struct {
	// UserAgent is sent with every request; empty: "Solidaire/1 (+Contact;
	// hashtag reader)", Contact defaulting to DefaultContact. Networks ask
	// for a User-Agent that says who reads and how to reach them.
	UserAgent string
	Contact   string

	// HTTPClient, when set, is used as is (its transport, redirects and
	// proxy); nil: a client of the reader's own, whose dialer refuses
	// loopback, private and link-local addresses unless AllowPrivate.
	HTTPClient   *http.Client
	AllowPrivate bool
	// Timeout bounds each request (default 15 s); MaxBody each answer's
	// size (default 2 MiB).
	Timeout time.Duration
	MaxBody int64
	// MaxPages bounds the pages one read follows per hashtag (default 5);
	// PageSize the posts asked per page (default: the network's maximum,
	// 40 on Mastodon, 100 on Bluesky).
	MaxPages int
	PageSize int

	// BaseURL turns a host name (a Mastodon instance, Bluesky's AppView or
	// PDS) into the base URL requests go to; nil: "https://"+host. Tests
	// point it at a local server.
	BaseURL func(host string) string

	// BlueskyAppView is the host searched when a Bluesky source names none
	// (default public.api.bsky.app). With BlueskyIdentifier (a handle or
	// DID) and BlueskyAppPassword (an app password, never the account's
	// password) set, the reader signs in on BlueskyPDS (default bsky.social)
	// and sends its requests there, authenticated.
	BlueskyAppView     string
	BlueskyPDS         string
	BlueskyIdentifier  string
	BlueskyAppPassword string

	// BreakerFailures consecutive failures (default 5) to one host open its
	// circuit for BreakerCooldown (default 5 min).
	BreakerFailures int
	BreakerCooldown time.Duration

	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Default hosts.
const (
	DefaultBlueskyAppView = "public.api.bsky.app"
	DefaultBlueskyPDS     = "bsky.social"
)

// Reader reads public posts carrying a campaign's hashtags on Mastodon,
// Bluesky and RSS/Atom feeds; it implements market.SocialReader and is safe
// for concurrent use.
type Reader struct {
	cfg     Config
	client  *http.Client
	breaker *breaker

	bskyMu      sync.Mutex
	bskySession *bskySession
}

var _ market.SocialReader = (*Reader)(nil)

// New returns a Reader configured by cfg, defaults filled in.
func New(cfg Config) *Reader {
	if cfg.Contact == "" {
		cfg.Contact = DefaultContact
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = fmt.Sprintf("Solidaire/1 (+%s; hashtag reader)", cfg.Contact)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 2 << 20
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 5
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = func(host string) string { return "https://" + host }
	}
	if cfg.BlueskyAppView == "" {
		cfg.BlueskyAppView = DefaultBlueskyAppView
	}
	if cfg.BlueskyPDS == "" {
		cfg.BlueskyPDS = DefaultBlueskyPDS
	}
	if cfg.BreakerFailures <= 0 {
		cfg.BreakerFailures = 5
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client := cfg.HTTPClient
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil
		if !cfg.AllowPrivate {
			tr.DialContext = publicDialer(cfg.Timeout).DialContext
		}
		tr.MaxIdleConnsPerHost = 2
		client = &http.Client{
			Transport: tr,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return http.ErrUseLastResponse
				}
				return nil
			},
		}
	}
	return &Reader{cfg: cfg, client: client, breaker: newBreaker(cfg.BreakerFailures, cfg.BreakerCooldown, cfg.Now)}
}

// Read returns the source's public posts carrying any of the hashtags that
// are newer than its cursor, the cursor to store and the wait the network
// asked for. Hashtags are compared lower-case without '#'.
func (r *Reader) Read(ctx context.Context, src *market.MentionSource, hashtags []string) (*market.PostPage, error) {
	if src == nil {
		return nil, &Error{Message: "Source inconnue"}
	}
	tags := normaliseTags(hashtags)
	if len(tags) == 0 {
		return &market.PostPage{Cursor: src.Cursor}, nil
	}
	switch src.Network {
	case market.NetworkMastodon:
		return r.readMastodon(ctx, src, tags)
	case market.NetworkBluesky:
		return r.readBluesky(ctx, src, tags)
	case market.NetworkFeed:
		return r.readFeed(ctx, src, tags)
	}
	return nil, &Error{Message: fmt.Sprintf("Réseau inconnu : %s", clip(string(src.Network), 40))}
}

// Gone reports which of the posts, by ID, their network says no longer
// exist. Feeds report none: a feed is a window on recent entries, and an
// entry that left it was not deleted.
func (r *Reader) Gone(ctx context.Context, src *market.MentionSource, ids []string) ([]string, error) {
	if src == nil || len(ids) == 0 {
		return nil, nil
	}
	switch src.Network {
	case market.NetworkMastodon:
		return r.goneMastodon(ctx, src, ids)
	case market.NetworkBluesky:
		return r.goneBluesky(ctx, src, ids)
	case market.NetworkFeed:
		return nil, nil
	}
	return nil, &Error{Message: fmt.Sprintf("Réseau inconnu : %s", clip(string(src.Network), 40))}
}

// normaliseTags lower-cases the hashtags, drops their '#', blanks and
// duplicates, keeping their order.
func normaliseTags(hashtags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range hashtags {
		t = strings.ToLower(strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(t), "#")))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// hasAny reports whether the post's tags include one of the wanted ones.
func hasAny(postTags, wanted []string) bool {
	for _, p := range postTags {
		for _, w := range wanted {
			if p == w {
				return true
			}
		}
	}
	return false
}

// hostOf returns the host a source names, without scheme or path.
func hostOf(instance string) string {
	h := strings.TrimSpace(strings.ToLower(instance))
	h = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	return h
}
