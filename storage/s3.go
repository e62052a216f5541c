package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/solidaire-app/solidaire/market"
)

// S3Config says how to reach an S3-compatible bucket: AWS S3, MinIO,
// VersityGW, Ceph, Garage, or a hosting provider's object storage.
type S3Config struct {
	// Endpoint is the server's host[:port] ("s3.ca-central-1.amazonaws.com",
	// "127.0.0.1:7070"), or a URL whose scheme then decides UseSSL.
	Endpoint string
	// Region is the bucket's region; empty lets the client ask the server.
	Region string
	// Bucket holds the files, one object per key.
	Bucket string
	// AccessKey and SecretKey sign the requests (AWS signature V4).
	AccessKey, SecretKey string
	// UseSSL speaks HTTPS to the endpoint.
	UseSSL bool
	// PathStyle names the bucket in the path (https://host/bucket/key)
	// rather than in the host name (https://bucket.host/key); without it the
	// client picks (path style for servers other than AWS's and a few
	// clouds').
	PathStyle bool
	// CreateBucket makes the bucket at Open when it does not exist; without
	// it a missing bucket fails Open.
	CreateBucket bool
}

// S3 keeps files in a bucket of an S3-compatible server, one object per
// key, with the content type derived from the key (see ContentType). Every
// instance of the server that opens the same bucket sees the same files. S3
// itself makes each Put atomic: a reader gets the old object or the new one.
type S3 struct {
	client *minio.Client
	bucket string
}

var _ market.FileStore = (*S3)(nil)

// s3PartSize is the part size of uploads of unknown length (size -1),
// which the client buffers: its default would buffer hundreds of MiB.
const s3PartSize = 8 << 20

// openTimeout bounds the checks NewS3 makes of the bucket.
const openTimeout = 30 * time.Second

// NewS3 connects to the bucket of cfg, checks it exists (making it when
// cfg.CreateBucket says so), and returns the store.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	endpoint, secure := cfg.Endpoint, cfg.UseSSL
	if scheme, rest, ok := strings.Cut(endpoint, "://"); ok {
		switch scheme {
		case "http":
			secure = false
		case "https":
			secure = true
		default:
			return nil, fmt.Errorf("storage: S3 endpoint %q: scheme must be http or https", cfg.Endpoint)
		}
		endpoint = strings.TrimRight(rest, "/")
	}
	if endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("storage: S3 needs an endpoint and a bucket")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("storage: S3 needs an access key and a secret key")
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: S3 client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: S3 bucket %s at %s: %w", cfg.Bucket, endpoint, err)
	}
	if !exists {
		if !cfg.CreateBucket {
			return nil, fmt.Errorf("storage: S3 bucket %s does not exist at %s (S3_CREATE_BUCKET=1 makes it)", cfg.Bucket, endpoint)
		}
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		// Another instance starting at the same time may have made it.
		if code := minio.ToErrorResponse(err).Code; code == "BucketAlreadyOwnedByYou" {
			err = nil
		}
		if err != nil {
			return nil, fmt.Errorf("storage: make S3 bucket %s at %s: %w", cfg.Bucket, endpoint, err)
		}
	}
	return &S3{client: client, bucket: cfg.Bucket}, nil
}

// Put stores r's content under key, replacing any object there. size is
// the content's length, or -1 when unknown (the content is then sent in
// parts of 8 MiB); content that is not size bytes long is refused and
// leaves the store unchanged. contentType is empty or the key's (see
// ContentType).
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	contentType, err := checkPut(key, contentType, size)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		opts.PartSize = s3PartSize
	} else {
		// The client reads size bytes and no more: a longer content would
		// be cut silently.
		if size == 0 {
			// The client reads nothing of an empty content: check it is.
			var one [1]byte
			if n, _ := io.ReadFull(r, one[:]); n > 0 {
				return fmt.Errorf("storage: put %s: %w", key, errLength)
			}
		}
		r = &exactReader{r: ctxReader{ctx, r}, left: size}
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("storage: put %s: %w", key, ctx.Err())
		}
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	return nil
}

// Get opens the object of key. It returns ENotFound for a key that names
// no object, or that no store accepts.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, *market.FileInfo, error) {
	if CheckKey(key) != nil {
		return nil, nil, notFound()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, nil, s.getError(ctx, key, err)
	}
	// GetObject sends nothing yet: Stat makes the request and says
	// whether the object exists.
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, nil, s.getError(ctx, key, err)
	}
	return obj, &market.FileInfo{Size: info.Size, ContentType: ContentType(key), ETag: info.ETag}, nil
}

// getError turns an error of GetObject into ENotFound when the object does
// not exist.
func (s *S3) getError(ctx context.Context, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket" {
		return notFound()
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return fmt.Errorf("storage: get %s: %w", key, err)
}

// Delete removes the object of key; a key that names no object is not an
// error.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// exactReader reads exactly left bytes from r, failing when r ends before
// or goes on after. The client reads the announced size and no more, with
// io.ReadFull, which drops an error that comes with the last bytes: when r
// goes on past the end, the last byte is held back, so that the client
// asks again and gets the error.
type exactReader struct {
	r      io.Reader
	left   int64
	failed bool // r goes on past the end
}

// errLength is the error of content longer or shorter than announced.
var errLength = errors.New("content length differs from the size announced")

// Read reads up to the announced end and, on reaching it, checks that r
// ends there too.
func (e *exactReader) Read(p []byte) (int, error) {
	if e.failed {
		return 0, errLength
	}
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case err == io.EOF && e.left > 0:
		return n, errLength
	case err != nil && err != io.EOF:
		return n, err
	case e.left == 0:
		var one [1]byte
		if m, _ := io.ReadFull(e.r, one[:]); m > 0 {
			e.failed = true
			return n - 1, nil
		}
		return n, io.EOF
	}
	return n, nil
}
