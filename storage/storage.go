package storage

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// DefaultDir is where the local store keeps its files when neither a
// directory nor a bucket is configured.
const DefaultDir = "./data/files"

// Config chooses and sets up a store: a bucket when S3.Bucket is set, else
// the directory Dir (DefaultDir when empty).
type Config struct {
	// Dir is the local store's directory.
	Dir string
	// S3 is the bucket shared by every instance, used when S3.Bucket is set.
	S3 S3Config
}

// Environment variables ConfigFromEnv reads.
const (
	EnvDir            = "STORAGE_DIR"
	EnvS3Endpoint     = "S3_ENDPOINT"
	EnvS3Region       = "S3_REGION"
	EnvS3Bucket       = "S3_BUCKET"
	EnvS3AccessKey    = "S3_ACCESS_KEY"
	EnvS3SecretKey    = "S3_SECRET_KEY"
	EnvS3UseSSL       = "S3_USE_SSL"
	EnvS3PathStyle    = "S3_PATH_STYLE"
	EnvS3CreateBucket = "S3_CREATE_BUCKET"
)

// defaultS3UseSSL is S3_USE_SSL when unset: a bucket is reached over HTTPS
// unless said otherwise.
const defaultS3UseSSL = true

// ConfigFromEnv reads a Config from the environment through getenv
// (os.Getenv): STORAGE_DIR, or S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY,
// S3_SECRET_KEY, S3_REGION, S3_USE_SSL (default true), S3_PATH_STYLE and
// S3_CREATE_BUCKET (default false); booleans are 1/0 or true/false.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Dir: getenv(EnvDir),
		S3: S3Config{
			Endpoint:  getenv(EnvS3Endpoint),
			Region:    getenv(EnvS3Region),
			Bucket:    getenv(EnvS3Bucket),
			AccessKey: getenv(EnvS3AccessKey),
			SecretKey: getenv(EnvS3SecretKey),
		},
	}
	for _, b := range []struct {
		name string
		def  bool
		to   *bool
	}{
		{EnvS3UseSSL, defaultS3UseSSL, &c.S3.UseSSL},
		{EnvS3PathStyle, false, &c.S3.PathStyle},
		{EnvS3CreateBucket, false, &c.S3.CreateBucket},
	} {
		v, err := parseBool(getenv(b.name), b.def)
		if err != nil {
			return Config{}, fmt.Errorf("storage: %s: %w", b.name, err)
		}
		*b.to = v
	}
	return c, nil
}

// parseBool parses a boolean setting, def when empty.
func parseBool(s string, def bool) (bool, error) {
	if s == "" {
		return def, nil
	}
	return strconv.ParseBool(s)
}

// ParseS3URL reads an S3Config from one URL:
//
//	http[s]://ACCESS_KEY:SECRET_KEY@HOST[:PORT][/BUCKET][?region=R&path_style=1&create_bucket=1]
//
// The scheme decides UseSSL; keys are URL-escaped where needed.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return S3Config{}, fmt.Errorf("storage: S3 URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return S3Config{}, fmt.Errorf("storage: S3 URL %s: want http[s]://KEY:SECRET@HOST[:PORT][/BUCKET]", u.Redacted())
	}
	c := S3Config{
		Endpoint: u.Host,
		UseSSL:   u.Scheme == "https",
		Bucket:   strings.Trim(u.Path, "/"),
		Region:   u.Query().Get("region"),
	}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	if c.PathStyle, err = parseBool(u.Query().Get("path_style"), false); err != nil {
		return S3Config{}, fmt.Errorf("storage: S3 URL path_style: %w", err)
	}
	if c.CreateBucket, err = parseBool(u.Query().Get("create_bucket"), false); err != nil {
		return S3Config{}, fmt.Errorf("storage: S3 URL create_bucket: %w", err)
	}
	return c, nil
}

// Open returns the store cfg describes: the bucket when cfg.S3.Bucket is
// set (checked, or made, now), else the local directory.
func Open(ctx context.Context, cfg Config) (market.FileStore, error) {
	if cfg.S3.Bucket != "" {
		return NewS3(ctx, cfg.S3)
	}
	if cfg.S3.Endpoint != "" {
		return nil, fmt.Errorf("storage: %s is set without %s", EnvS3Endpoint, EnvS3Bucket)
	}
	dir := cfg.Dir
	if dir == "" {
		dir = DefaultDir
	}
	return NewLocal(dir)
}

// Describe says where cfg keeps files, for the server's start-up log; it
// never shows the keys.
func (c Config) Describe() string {
	if c.S3.Bucket != "" {
		return "s3 bucket " + c.S3.Bucket + " at " + c.S3.Endpoint
	}
	if c.Dir == "" {
		return "directory " + DefaultDir
	}
	return "directory " + c.Dir
}
