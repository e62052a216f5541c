package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/solidaire-app/solidaire/internal/reqlog"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/storage"
)

// config is the server's configuration: flags, each with an environment
// variable as its default (the names of ../shared/API.md).
type config struct {
	Addr          string
	BaseURL       string
	DatabaseURL   string
	RedisURL      string
	StripeKey     string
	StripeWebhook string
	StripeConnect string
	StripeAPIBase string
	// StripeCountries are the countries whose merchants the platform's
	// Stripe account can onboard (one Solidaire per platform region).
	StripeCountries []string
	// LimitScale multiplies every rate limit.
	LimitScale     float64
	Demo           bool
	Production     bool
	LogLevel       string
	LogFormat      string
	SMTPURL        string
	FeeBasisPoints int64
	TrustedProxies []string
	// Phone wallets (see passes/doc.go for how to obtain each credential).
	ApplePassTypeID string
	AppleTeamID     string
	ApplePassCert   string // file: the Pass Type ID certificate, PEM
	ApplePassKey    string // file: its private key, PEM
	AppleWWDR       string // file: Apple's WWDR intermediate certificate
	ApplePassSecret string // derives each pass's authentication token
	AppleAPNsURL    string
	GoogleIssuer    string
	GoogleKey       string // file: the service account's JSON key
	GoogleAPIURL    string
	GoogleTokenURL  string
	// Hashtag mentions (see social/doc.go): who to reach about the
	// reader (in its User-Agent), and a Bluesky account's app password
	// when the public AppView asks for one.
	SocialContact     string
	BlueskyIdentifier string
	BlueskyPassword   string
	// Storage is where uploaded photos are kept: a directory, or an S3
	// bucket shared by every instance (see storage/doc.go).
	Storage    storage.Config
	storageErr error // an S3_* boolean that does not parse
	fee        string
	proxies    string
	countries  string
	scale      string
}

// flags registers the configuration's flags on fs with their environment
// fallbacks.
func (c *config) flags(fs *flag.FlagSet, getenv func(string) string) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("SOLIDAIRE_ADDR", "127.0.0.1:8080"), "listen address (SOLIDAIRE_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", env("SOLIDAIRE_BASE_URL", ""), "public URL used in links and QR codes (SOLIDAIRE_BASE_URL; default http:// + addr)")
	fs.StringVar(&c.DatabaseURL, "database", env("DATABASE_URL", "./data/solidaire.db"), "postgres:// URL or SQLite file path (DATABASE_URL)")
	fs.StringVar(&c.RedisURL, "redis", env("REDIS_URL", ""), "redis:// URL; empty means in-process (REDIS_URL)")
	fs.StringVar(&c.StripeKey, "stripe-key", env("STRIPE_SECRET_KEY", ""), "Stripe secret key; empty means demo payments (STRIPE_SECRET_KEY)")
	fs.StringVar(&c.StripeWebhook, "stripe-webhook-secret", env("STRIPE_WEBHOOK_SECRET", ""), "signing secret(s), comma-separated, of the platform webhook endpoint /api/v1/webhooks/stripe (STRIPE_WEBHOOK_SECRET)")
	fs.StringVar(&c.StripeConnect, "stripe-connect-webhook-secret", env("STRIPE_CONNECT_WEBHOOK_SECRET", ""), "signing secret(s), comma-separated, of the Connect webhook endpoint /api/v1/webhooks/stripe/connect (STRIPE_CONNECT_WEBHOOK_SECRET)")
	fs.StringVar(&c.countries, "stripe-connect-countries", env("STRIPE_CONNECT_COUNTRIES", ""), "comma-separated countries (CA, FR…) whose merchants the platform's Stripe account can onboard; empty means all (STRIPE_CONNECT_COUNTRIES)")
	fs.StringVar(&c.StripeAPIBase, "stripe-api-base", env("STRIPE_API_BASE", ""), "Stripe API base URL (STRIPE_API_BASE)")
	fs.BoolVar(&c.Demo, "demo", env("SOLIDAIRE_DEMO", "") == "1", "seed the demo data set into an empty database (SOLIDAIRE_DEMO=1)")
	fs.BoolVar(&c.Production, "production", env("SOLIDAIRE_ENV", "") == "production", "production mode: demo payments refused (SOLIDAIRE_ENV=production)")
	fs.StringVar(&c.LogLevel, "log-level", env("SOLIDAIRE_LOG_LEVEL", "info"), "debug, info, warn or error (SOLIDAIRE_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("SOLIDAIRE_LOG_FORMAT", "text"), "text or json (SOLIDAIRE_LOG_FORMAT)")
	fs.StringVar(&c.SMTPURL, "smtp", env("SMTP_URL", ""), "smtp://user:pass@host:587?from=Name%20<addr>; empty keeps mails in the outbox (SMTP_URL)")
	fs.StringVar(&c.fee, "platform-fee-bps", env("SOLIDAIRE_PLATFORM_FEE_BPS", "0"), "platform fee in basis points of each order, 0 to 10000 (SOLIDAIRE_PLATFORM_FEE_BPS)")
	fs.StringVar(&c.scale, "rate-limit-scale", env("SOLIDAIRE_RATE_LIMIT_SCALE", "1"), "multiplies every rate limit: 10 for a launch day behind few addresses (SOLIDAIRE_RATE_LIMIT_SCALE)")
	fs.StringVar(&c.ApplePassTypeID, "apple-pass-type-id", env("APPLE_PASS_TYPE_ID", ""), "Apple Wallet Pass Type ID, pass.com.example.solidaire; empty: no Apple Wallet (APPLE_PASS_TYPE_ID)")
	fs.StringVar(&c.AppleTeamID, "apple-team-id", env("APPLE_TEAM_ID", ""), "Apple developer Team ID (APPLE_TEAM_ID)")
	fs.StringVar(&c.ApplePassCert, "apple-pass-cert", env("APPLE_PASS_CERT", ""), "file of the Pass Type ID certificate, PEM (APPLE_PASS_CERT)")
	fs.StringVar(&c.ApplePassKey, "apple-pass-key", env("APPLE_PASS_KEY", ""), "file of its private key, PEM, unencrypted (APPLE_PASS_KEY)")
	fs.StringVar(&c.AppleWWDR, "apple-wwdr-cert", env("APPLE_WWDR_CERT", ""), "file of Apple's WWDR G4 intermediate certificate (APPLE_WWDR_CERT)")
	fs.StringVar(&c.ApplePassSecret, "apple-pass-auth-secret", env("APPLE_PASS_AUTH_SECRET", ""), "secret (16+ characters) each pass's web service token derives from; keep it (APPLE_PASS_AUTH_SECRET)")
	fs.StringVar(&c.AppleAPNsURL, "apple-apns-url", env("APPLE_APNS_URL", ""), "APNs base URL; default Apple's production service (APPLE_APNS_URL)")
	fs.StringVar(&c.GoogleIssuer, "google-wallet-issuer-id", env("GOOGLE_WALLET_ISSUER_ID", ""), "Google Wallet issuer ID; empty: no Google Wallet (GOOGLE_WALLET_ISSUER_ID)")
	fs.StringVar(&c.GoogleKey, "google-wallet-key", env("GOOGLE_WALLET_KEY", ""), "file of the Google Cloud service account's JSON key (GOOGLE_WALLET_KEY)")
	fs.StringVar(&c.GoogleAPIURL, "google-wallet-api", env("GOOGLE_WALLET_API_URL", ""), "Google Wallet REST API base URL; default Google's (GOOGLE_WALLET_API_URL)")
	fs.StringVar(&c.GoogleTokenURL, "google-wallet-token-url", env("GOOGLE_WALLET_TOKEN_URL", ""), "OAuth token endpoint; default the key's (GOOGLE_WALLET_TOKEN_URL)")
	fs.StringVar(&c.SocialContact, "social-contact", env("SOCIAL_CONTACT", ""), "address in the hashtag reader's User-Agent, so networks can reach the operator; default the base URL (SOCIAL_CONTACT)")
	fs.StringVar(&c.BlueskyIdentifier, "bluesky-identifier", env("BLUESKY_IDENTIFIER", ""), "Bluesky handle whose app password the hashtag reader signs in with; empty: anonymous public search (BLUESKY_IDENTIFIER)")
	fs.StringVar(&c.BlueskyPassword, "bluesky-app-password", env("BLUESKY_APP_PASSWORD", ""), "that account's app password, never its main password (BLUESKY_APP_PASSWORD)")
	st, err := storage.ConfigFromEnv(getenv)
	c.storageErr = err
	fs.StringVar(&c.Storage.Dir, "storage-dir", env(storage.EnvDir, storage.DefaultDir), "directory of uploaded photos, when no S3 bucket is set (STORAGE_DIR)")
	fs.StringVar(&c.Storage.S3.Endpoint, "s3-endpoint", st.S3.Endpoint, "S3 server, host[:port] or http(s):// URL (S3_ENDPOINT)")
	fs.StringVar(&c.Storage.S3.Bucket, "s3-bucket", st.S3.Bucket, "S3 bucket of uploaded photos, shared by every instance; empty: the directory (S3_BUCKET)")
	fs.StringVar(&c.Storage.S3.Region, "s3-region", st.S3.Region, "S3 region (S3_REGION)")
	fs.StringVar(&c.Storage.S3.AccessKey, "s3-access-key", st.S3.AccessKey, "S3 access key (S3_ACCESS_KEY)")
	fs.StringVar(&c.Storage.S3.SecretKey, "s3-secret-key", st.S3.SecretKey, "S3 secret key (S3_SECRET_KEY)")
	fs.BoolVar(&c.Storage.S3.UseSSL, "s3-use-ssl", st.S3.UseSSL, "HTTPS to the S3 server (S3_USE_SSL, default true)")
	fs.BoolVar(&c.Storage.S3.PathStyle, "s3-path-style", st.S3.PathStyle, "bucket in the URL path rather than the host name (S3_PATH_STYLE)")
	fs.BoolVar(&c.Storage.S3.CreateBucket, "s3-create-bucket", st.S3.CreateBucket, "make the S3 bucket at start when missing (S3_CREATE_BUCKET)")
	fs.StringVar(&c.proxies, "trusted-proxies", env("SOLIDAIRE_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (SOLIDAIRE_TRUSTED_PROXIES)")
}

// parse reads the flags of a subcommand.
func parse(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("solidaire "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		return nil, errUsage
	}
	if c.storageErr != nil {
		fmt.Fprintln(stderr, c.storageErr)
		return nil, errUsage
	}
	fee, err := parseBPS(c.fee)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, errUsage
	}
	c.FeeBasisPoints, c.TrustedProxies = fee, splitList(c.proxies)
	if c.LimitScale, err = strconv.ParseFloat(c.scale, 64); err != nil || c.LimitScale <= 0 || c.LimitScale > 1e6 {
		fmt.Fprintf(stderr, "rate limit scale must be a positive number, got %q\n", c.scale)
		return nil, errUsage
	}
	for _, cc := range splitList(c.countries) {
		c.StripeCountries = append(c.StripeCountries, strings.ToUpper(cc))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &c, nil
}

// fileStore opens where uploaded photos are kept: the S3 bucket when one
// is set (checked now, so that a wrong key fails the start), else the
// directory.
func (c *config) fileStore(ctx context.Context) (market.FileStore, error) {
	return storage.Open(ctx, c.Storage)
}

// logger builds the structured logger: every line carries the request id of
// the context it was logged with.
func (c *config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(reqlog.Handler{Handler: h})
}
