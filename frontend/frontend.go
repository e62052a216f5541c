// Package frontend is Solidaire's web app: server-rendered pages
// (html/template) on the public catalogue, French first and English second,
// with one stylesheet and small TypeScript islands that only enhance what
// already works without them. Everything it serves is embedded in the binary.
//
// The pages are an http.Handler that api.Config.Pages receives: the API
// serves /api/v1 and the operations routes, and hands every other GET here.
package frontend

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Catalogue is what the pages read: the public catalogue, and nothing else.
// store.DB implements it, and programmeCatalogue too: towns' programmes
// and their waiting lists.
type Catalogue interface {
	ListMerchants(ctx context.Context, f market.MerchantFilter) ([]*market.Merchant, string, error)
	Merchant(ctx context.Context, slug string) (*market.Merchant, error)
	Cities(ctx context.Context) ([]string, error)
	ListEvents(ctx context.Context, f market.EventFilter) ([]*market.Event, string, error)
	Event(ctx context.Context, id string) (*market.Event, error)
	Campaign(ctx context.Context, slug string) (*market.Campaign, error)
	ListCampaigns(ctx context.Context) ([]*market.Campaign, error)
}

// Checkout sells: market.CheckoutService implements it. Create returns
// EInvalid naming the wrong field, EMerchantNotReady, ERateLimited or
// EUnavailable; CompleteDemo ENotFound for an unknown session and
// EForbidden when the provider is not the demo one.
type Checkout interface {
	Create(ctx context.Context, in market.CheckoutInput) (*market.CheckoutResult, error)
	CompleteDemo(ctx context.Context, sessionID string) (*market.Order, string, error)
}

// Orders reads what buyers bought: store.DB implements it. Each method
// returns ENotFound for what is unknown.
type Orders interface {
	Order(ctx context.Context, id string) (*market.Order, error)
	OrderBySession(ctx context.Context, sessionID string) (*market.Order, error)
	OrderVouchers(ctx context.Context, orderID string) ([]*market.Voucher, error)
	Voucher(ctx context.Context, code string) (*market.Voucher, error)
}

// Tickets shows a ticket to its holder with the choices open when its event
// is cancelled or postponed, and records a choice (market.CancellationService). View
// returns ENotFound for an unknown code; Choose EChoiceAlreadyMade,
// EChoiceNotOpen.
type Tickets interface {
	View(ctx context.Context, code string) (*market.ChoiceView, error)
	Choose(ctx context.Context, code string, c market.Choice) (*market.Ticket, error)
}

// Wallet opens citizens' wallets ("Mes bons") by email, without
// passwords (market.WalletService). RequestLink returns EInvalid for an
// address that is not one; Open EWalletLinkInvalid for a link unknown,
// used or expired; Session EUnauthorized; Resend and Reschedule ENotFound
// for a voucher outside the wallet, Reschedule EInvalid for a date or an
// address it cannot take and EGiftSent once the gift left.
type Wallet interface {
	RequestLink(ctx context.Context, email, lang string) error
	Open(ctx context.Context, linkToken string) (string, *market.WalletSession, error)
	Session(ctx context.Context, token string) (*market.WalletSession, error)
	End(ctx context.Context, ws *market.WalletSession) error
	Wallet(ctx context.Context, ws *market.WalletSession) (*market.Wallet, error)
	Resend(ctx context.Context, ws *market.WalletSession, code string) error
	Reschedule(ctx context.Context, ws *market.WalletSession, code string, deliverAt time.Time, to string) error
}

// WalletPasses builds a voucher's "save to Google Wallet" link
// (market.WalletPasses): ENotFound for an unknown code,
// EWalletNotConfigured without Google credentials.
type WalletPasses interface {
	GoogleSaveURL(ctx context.Context, code string) (string, error)
}

// Limiter counts events per key (cache.Redis, cache.Memory), for the rate
// limit of the purchase form that works without JavaScript.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error)
}

// Wall reads a campaign's wall: the latest approved mentions (not gone,
// their author not blocked), newest first, at most limit. store.DB
// implements it.
type Wall interface {
	CampaignWall(ctx context.Context, campaignID string, limit int) ([]*market.Mention, error)
}

// WallReports records a visitor's report of a post on a campaign's wall
// (the form that works without JavaScript): ENotFound when the mention is
// not on that campaign's wall.
type WallReports interface {
	ReportMention(ctx context.Context, campaignID, mentionID string) error
}

// Config holds what the pages need from the outside.
type Config struct {
	// Catalogue is read by every page.
	Catalogue Catalogue
	// Checkout and Orders sell gift certificates and show what was bought
	// (the purchase form, the confirmation and voucher pages). Without
	// them, merchant pages say that online purchase opens soon and those
	// pages are 404.
	Checkout Checkout
	Orders   Orders
	// Tickets serves the holder's ticket page (/billet/{code}).
	Tickets Tickets
	// DemoPayments serves the demo provider's payment page
	// (/demo/checkout/{session}); it must be set exactly when the checkout
	// uses payments.Demo. When false, the hosted payment page is Stripe's,
	// which the purchase form may be sent on to.
	DemoPayments bool
	// FeeBasisPoints is the platform fee in hundredths of a percent, taken
	// from the merchant's share (never added to what the buyer pays); the
	// purchase form shows it so that nobody is surprised.
	FeeBasisPoints int64
	// Limiter, when set, rate-limits the purchase form per buyer, and the
	// wallet's links and resent mails per address.
	Limiter Limiter
	// LookupsPerIP per LookupsWindow is the budget of voucher and ticket
	// pages per address, shared with the API's code lookups (300 a minute
	// when 0).
	LookupsPerIP  int
	LookupsWindow time.Duration
	// Wallet serves "Mes bons" (/mes-bons): without it, that page is 404.
	Wallet Wallet
	// AppleWallet and GoogleWallet show "Ajouter à Apple Wallet" and
	// "Ajouter à Google Wallet" on the voucher page: set them when the
	// operator configured those passes. Passes makes the Google link.
	AppleWallet  bool
	GoogleWallet bool
	Passes       WalletPasses
	// BaseURL is the public URL (scheme and host, no trailing slash) put in
	// canonical links and share tags, which crawlers need absolute. When
	// empty, each request's own host is used, which suits local runs only.
	BaseURL string
	// Logger receives page errors; slog.Default when nil.
	Logger *slog.Logger
	// Wall shows a campaign's approved posts ("Sur les réseaux") on its
	// page; without it there is no wall. WallReports takes the wall's
	// "Signaler" without JavaScript; without it the button needs
	// JavaScript (it then posts to the API) and is hidden until the
	// script runs.
	Wall        Wall
	WallReports WallReports
	// MerchantPages shows what merchants run on their pages: photos,
	// follower counts, news posts, the post pages, the Atom feeds and the
	// home page's news (store.DB). Without it, those parts are hidden and
	// the post pages and feeds are 404.
	MerchantPages MerchantPages
	// Followers serves "Suivre ce commerce" without JavaScript and the
	// follower mails' links (market.FollowerService). Without it, the
	// merchant page has no follow form and those links are 404.
	Followers Followers
	// Demo labels every page as a demonstration and keeps search engines
	// away, so fictitious merchants are never taken for real ones.
	Demo bool
}

// Pages serves the web app. Build it with New.
type Pages struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	assets *assets
	views  map[string]views // by language
	images *imageCache
	csrf   *http.CrossOriginProtection
	// progs reads towns' programmes, when the catalogue keeps them.
	progs programmeCatalogue
}

// New parses the templates and fingerprints the embedded assets. It fails
// only on a broken build (a template that does not parse).
func New(cfg Config) (*Pages, error) {
	return newPages(cfg, distFS())
}

// newPages is New with the bundle directory given, so that tests can serve
// a bundle built after the test binary was compiled.
func newPages(cfg Config, dist fs.FS) (*Pages, error) {
	if cfg.Catalogue == nil {
		return nil, errors.New("frontend: Config.Catalogue is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	a, err := loadAssets(staticFS(), dist)
	if err != nil {
		return nil, fmt.Errorf("frontend: %w", err)
	}
	p := &Pages{cfg: cfg, log: cfg.Logger, assets: a, images: newImageCache(), csrf: http.NewCrossOriginProtection()}
	p.progs, _ = cfg.Catalogue.(programmeCatalogue)
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Host != "" {
		// Behind a proxy that rewrites Host, the public origin is still ours.
		if err := p.csrf.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("frontend: BaseURL: %w", err)
		}
	}
	if p.views, err = parseViews(); err != nil {
		return nil, fmt.Errorf("frontend: %w", err)
	}
	p.mux = p.routes()
	return p, nil
}

// ServeHTTP serves the pages, the assets and the share images.
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mux.ServeHTTP(w, r)
}

// baseURL is the public URL of the site as seen by r.
func (p *Pages) baseURL(r *http.Request) string {
	if p.cfg.BaseURL != "" {
		return p.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
