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
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// Catalogue is what the pages read: the public catalogue, and nothing else.
// store.DB implements it.
type Catalogue interface {
	ListMerchants(ctx context.Context, f market.MerchantFilter) ([]*market.Merchant, string, error)
	Merchant(ctx context.Context, slug string) (*market.Merchant, error)
	Cities(ctx context.Context) ([]string, error)
	ListEvents(ctx context.Context, f market.EventFilter) ([]*market.Event, string, error)
	Event(ctx context.Context, id string) (*market.Event, error)
	Campaign(ctx context.Context, slug string) (*market.Campaign, error)
	ListCampaigns(ctx context.Context) ([]*market.Campaign, error)
}

// Config holds what the pages need from the outside.
type Config struct {
	// Catalogue is read by every page.
	Catalogue Catalogue
	// BaseURL is the public URL (scheme and host, no trailing slash) put in
	// canonical links and share tags, which crawlers need absolute. When
	// empty, each request's own host is used, which suits local runs only.
	BaseURL string
	// Logger receives page errors; slog.Default when nil.
	Logger *slog.Logger
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
	p := &Pages{cfg: cfg, log: cfg.Logger, assets: a, images: newImageCache()}
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
