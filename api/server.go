// Package api is Solidaire's HTTP interface on gin: the routes of the v1
// contract, their middleware, the JSON shapes, and the one map from domain
// error codes to HTTP statuses. No gin type leaves this package.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/solidaire-app/solidaire/market"
)

// Catalogue is what the public catalogue routes read.
type Catalogue interface {
	market.MerchantService
	market.EventService
	market.CampaignService
}

// Pinger is a dependency whose health /readyz reports.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config holds what the HTTP layer needs from the outside.
type Config struct {
	// BaseURL is the public URL, used in links and QR codes.
	BaseURL   string
	Catalogue Catalogue
	Checkout  Checkout
	Orders    Orders
	// Payments parses webhooks; nil when no webhook secret is configured.
	Payments    WebhookParser
	Idempotency IdempotencyStore
	Limiter     Limiter
	// Limits are the rate limits; DefaultLimits when zero.
	Limits Limits
	// Counters keep the sign-in failures (per account and source); nil
	// counts none.
	Counters Counters
	// SignIn signs people and tills in; Merchants, Till, Onboarding serve
	// the merchant routes; Feed carries the live dashboards.
	SignIn     SignIn
	Merchants  Merchants
	Till       Till
	Onboarding Onboarding
	Feed       market.Feed
	// Review refuses applications and closes merchants (admins).
	Review MerchantReview
	// PaymentAccounts connects merchants to the payment provider.
	PaymentAccounts PaymentAccounts
	// AdminOrders lists orders for the admins (the orders in review).
	AdminOrders AdminOrders
	// Programmes runs towns' solidarity cards; ProgrammeReads reads them.
	Programmes     Programmes
	ProgrammeReads ProgrammeReads
	// Campaigns serves the organiser routes and share links; Clicks counts
	// share-link clicks; AttributionWindow is how long a click is credited
	// with the orders that follow (30 days when 0).
	Campaigns Campaigns
	Clicks    ClickRecorder
	// Mentions follows the campaigns' hashtags on the public networks;
	// nil: those routes are 404 and campaigns carry an empty wall.
	Mentions          Mentions
	AttributionWindow time.Duration
	// Tickets runs cancellations and holders' choices; TicketStore reads
	// and writes events and tickets.
	Tickets     Tickets
	TicketStore TicketStore
	// Wallet opens citizens' wallets by email; Passes serves their vouchers
	// as Apple Wallet and Google Wallet passes.
	Wallet Wallet
	Passes WalletPasses
	// DemoPayments is true when the demo provider takes the payments.
	DemoPayments bool
	// QR renders a QR code PNG (qrcode.PNG).
	QR func(text string) ([]byte, error)
	// Stats, when set, adds the database's counts to /metrics.
	Stats StatsSource
	// TrustedProxies are the addresses (CIDR) of reverse proxies whose
	// X-Forwarded-For is believed; none by default, so a client cannot
	// choose its own address for rate limits. The client's address is the
	// right-most one of X-Forwarded-For that is not a trusted proxy: what
	// the client wrote itself, on the left, is never believed.
	TrustedProxies []string
	// Ready lists the dependencies /readyz checks, by name (database, redis).
	Ready map[string]Pinger
	// Pages serves every GET that is not an API route: the web app.
	Pages http.Handler
	// Logger receives access and error logs; slog.Default when nil.
	Logger *slog.Logger
	// MaxBody is the largest request body accepted, in bytes (1 MiB when 0).
	MaxBody int64
	// Registry receives the HTTP metrics; a private one when nil.
	Registry *prometheus.Registry
	// CatalogueTTL is how long a rendered public catalogue answer may be
	// reused (1 s when 0; negative disables the cache).
	CatalogueTTL time.Duration
	// MerchantPages runs merchants' own pages, PageReads reads them; Followers
	// lets citizens follow merchants; Media serves the stored photos.
	MerchantPages MerchantPages
	PageReads     PageReads
	Followers     Followers
	Media         Media
}

// Server is the HTTP server's handler and its dependencies.
type Server struct {
	cfg     Config
	log     *slog.Logger
	engine  *gin.Engine
	metrics *metrics
	https   bool // the base URL is HTTPS: Strict-Transport-Security
	started time.Time
	cache   *microcache
	qr      *qrCache
	links   linkCache
	// resumers complete the unfinished answers of idempotent routes, by
	// scope.
	resumers map[string]resumer
	// rerenders answer the repeats of idempotent routes whose outcome goes
	// on after the first answer (a refund paid later) from the state now.
	rerenders map[string]func(*gin.Context) error

	idPrefix string        // random per process, for request ids
	idSeq    atomic.Uint64 // request counter
}

func init() { gin.SetMode(gin.ReleaseMode) }

// ctxActor is the gin context key of the authenticated caller's id (a
// user or a device), "" for anonymous requests.
const ctxActor = "actor"

// New builds the server's routes and middleware.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.AttributionWindow <= 0 {
		cfg.AttributionWindow = 30 * 24 * time.Hour
	}
	s := &Server{cfg: cfg, log: cfg.Logger, started: time.Now(), links: linkCache{max: 100000},
		https: strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://")}
	b := make([]byte, 6)
	rand.Read(b)
	s.idPrefix = hex.EncodeToString(b) + "-"
	s.metrics = newMetrics(cfg.Registry)
	if cfg.Stats != nil {
		cfg.Registry.MustRegister(newDBCollector(cfg.Stats))
	}
	if cfg.CatalogueTTL == 0 {
		cfg.CatalogueTTL = time.Second
	}
	s.cache = newMicrocache(cfg.CatalogueTTL, 4096)
	s.qr = newQRCache(10000)
	s.listenCatalogue()
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
		s.cfg.Limits = DefaultLimits
	}
	s.resumers = map[string]resumer{"checkout": s.resumeCheckout}
	s.rerenders = map[string]func(*gin.Context) error{"choice": s.rechoose}
	s.engine = gin.New()
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		s.log.Error("trusted proxies", "err", err)
		s.engine.SetTrustedProxies(nil)
	}
	// X-Forwarded-For only, which every load balancer writes: X-Real-IP,
	// which some do not, would otherwise be read from the client when the
	// proxy left it as it came.
	s.engine.RemoteIPHeaders = []string{"X-Forwarded-For"}
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	s.engine.RemoveExtraSlash = true
	s.routes()
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.engine.ServeHTTP(w, r)
}

// catalogueChannel carries "the catalogue changed" between instances.
const catalogueChannel = "catalogue:changed"

// listenCatalogue drops this instance's cached catalogue answers when any
// instance says the catalogue changed (over Feed: Redis pub/sub when
// configured, in-process otherwise).
func (s *Server) listenCatalogue() {
	if s.cfg.Feed == nil || s.cache == nil || s.cache.ttl <= 0 {
		return
	}
	ch, _, err := s.cfg.Feed.Subscribe(context.Background(), catalogueChannel)
	if err != nil {
		s.log.Warn("catalogue invalidations: subscribe", "err", err)
		return
	}
	go func() {
		for range ch {
			s.cache.clear()
		}
	}()
}

// catalogueChanged drops the cached catalogue answers here at once, and
// on every other instance through the feed.
func (s *Server) catalogueChanged(ctx context.Context) {
	s.cache.clear()
	if s.cfg.Feed == nil {
		return
	}
	if err := s.cfg.Feed.Publish(context.WithoutCancel(ctx), catalogueChannel, []byte("1")); err != nil {
		s.log.WarnContext(ctx, "catalogue invalidations: publish", "err", err)
	}
}
