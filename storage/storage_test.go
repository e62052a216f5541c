package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestLocal runs the conformance suite on a directory.
func TestLocal(t *testing.T) {
	t.Parallel()
	s, err := NewLocal(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
}

// TestS3 runs the conformance suite on a bucket of a real S3 server
// (VersityGW, started by the harness), made by NewS3.
func TestS3(t *testing.T) {
	t.Parallel()
	testStore(t, newS3(t))
}

// newS3 opens a new bucket of the test S3 server.
func newS3(t *testing.T) *S3 {
	t.Helper()
	cfg, err := ParseS3URL(testenv.S3URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.PathStyle, cfg.CreateBucket = true, true
	s, err := NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testStore is the conformance suite every market.FileStore passes.
func testStore(t *testing.T, s market.FileStore) {
	ctx := context.Background()
	put := func(t *testing.T, key string, content []byte, contentType string) {
		t.Helper()
		if err := s.Put(ctx, key, bytes.NewReader(content), int64(len(content)), contentType); err != nil {
			t.Fatalf("Put %s: %v", key, err)
		}
	}
	get := func(t *testing.T, key string) ([]byte, *market.FileInfo) {
		t.Helper()
		rc, info, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get %s: %v", key, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		return b, info
	}
	notFound := func(t *testing.T, key string) {
		t.Helper()
		rc, _, err := s.Get(ctx, key)
		if err == nil {
			rc.Close()
		}
		if market.ErrorCode(err) != market.ENotFound {
			t.Fatalf("Get %s: got %v, want %s", key, err, market.ENotFound)
		}
	}

	t.Run("round trip", func(t *testing.T) {
		content := []byte("\xff\xd8\xff not quite a JPEG")
		put(t, "photos/m_1/p_1-320.jpg", content, "image/jpeg")
		got, info := get(t, "photos/m_1/p_1-320.jpg")
		if !bytes.Equal(got, content) {
			t.Errorf("content %q, want %q", got, content)
		}
		if info.Size != int64(len(content)) || info.ContentType != "image/jpeg" || info.ETag == "" {
			t.Errorf("info %+v, want size %d, image/jpeg and an ETag", info, len(content))
		}
		// A content type may be left to the store, which derives it.
		put(t, "docs/a.txt", []byte("bonjour"), "")
		if _, info := get(t, "docs/a.txt"); info.ContentType != "text/plain; charset=utf-8" {
			t.Errorf("content type %q", info.ContentType)
		}
		put(t, "docs/b.png", []byte("png"), "image/png")
		if _, info := get(t, "docs/b.png"); info.ContentType != "image/png" {
			t.Errorf("content type %q", info.ContentType)
		}
		put(t, "docs/raw", []byte{0, 1, 2}, "")
		if _, info := get(t, "docs/raw"); info.ContentType != "application/octet-stream" {
			t.Errorf("content type %q", info.ContentType)
		}
		put(t, "docs/empty.txt", nil, "text/plain")
		if got, info := get(t, "docs/empty.txt"); len(got) != 0 || info.Size != 0 {
			t.Errorf("empty file: %q, %+v", got, info)
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		put(t, "over/a.jpg", []byte("first version, longer"), "image/jpeg")
		_, first := get(t, "over/a.jpg")
		put(t, "over/a.jpg", []byte("second"), "image/jpeg")
		got, info := get(t, "over/a.jpg")
		if string(got) != "second" || info.Size != 6 {
			t.Errorf("after overwrite: %q, %+v", got, info)
		}
		if info.ETag == first.ETag {
			t.Errorf("ETag %q unchanged by new content", info.ETag)
		}
		put(t, "over/b.jpg", []byte("second"), "image/jpeg")
		if _, same := get(t, "over/b.jpg"); same.ETag != info.ETag {
			t.Errorf("same content, ETags %q and %q", same.ETag, info.ETag)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		notFound(t, "nothing/here.jpg")
		put(t, "dir/file.jpg", []byte("x"), "image/jpeg")
		notFound(t, "dir")             // a "directory" is no file
		notFound(t, "dir/file.jpg/in") // nor is a path through a file
		notFound(t, "../etc/passwd")   // no file can have a refused key
	})

	t.Run("delete", func(t *testing.T) {
		put(t, "del/a.jpg", []byte("x"), "image/jpeg")
		put(t, "del/b.jpg", []byte("y"), "image/jpeg")
		for range 2 { // the second time, of a key that names nothing
			if err := s.Delete(ctx, "del/a.jpg"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			notFound(t, "del/a.jpg")
		}
		if err := s.Delete(ctx, "never/was.jpg"); err != nil {
			t.Errorf("Delete of an unknown key: %v", err)
		}
		if got, _ := get(t, "del/b.jpg"); string(got) != "y" {
			t.Errorf("neighbour is %q", got)
		}
	})

	t.Run("hostile keys", func(t *testing.T) {
		for _, key := range []string{
			"", "/etc/passwd", "../x.jpg", "a/../../x.jpg", "a/./b.jpg", "a//b.jpg", "a/", ".hidden",
			"a/.put-123", "A.jpg", "a b.jpg", "a\\b.jpg", "a\x00.jpg", "é.jpg", "a?b", "a%2f..", "a:b",
			"..", ".", strings.Repeat("a", MaxKeyLength+1),
		} {
			err := s.Put(ctx, key, strings.NewReader("x"), 1, "")
			if market.ErrorCode(err) != market.EInvalid {
				t.Errorf("Put %q: %v, want %s", key, err, market.EInvalid)
			}
			if err := s.Delete(ctx, key); market.ErrorCode(err) != market.EInvalid {
				t.Errorf("Delete %q: %v, want %s", key, err, market.EInvalid)
			}
			notFound(t, key)
		}
		// A type that is not the key's own is refused too.
		if err := s.Put(ctx, "a/x.jpg", strings.NewReader("x"), 1, "text/html"); market.ErrorCode(err) != market.EInvalid {
			t.Errorf("Put of text/html as .jpg: %v, want %s", err, market.EInvalid)
		}
		notFound(t, "a/x.jpg")
	})

	t.Run("wrong size", func(t *testing.T) {
		if err := s.Put(ctx, "size/short.jpg", strings.NewReader("abc"), 10, "image/jpeg"); err == nil {
			t.Error("Put of 3 bytes announced as 10 succeeded")
		}
		notFound(t, "size/short.jpg")
		if err := s.Put(ctx, "size/long.jpg", strings.NewReader("abcdefghijkl"), 4, "image/jpeg"); err == nil {
			t.Error("Put of 12 bytes announced as 4 succeeded")
		}
		notFound(t, "size/long.jpg")
		if err := s.Put(ctx, "size/empty.jpg", strings.NewReader("abc"), 0, "image/jpeg"); err == nil {
			t.Error("Put of 3 bytes announced as 0 succeeded")
		}
		notFound(t, "size/empty.jpg")
		// An unknown size is read to the end.
		if err := s.Put(ctx, "size/unknown.jpg", strings.NewReader("abcdef"), -1, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		if got, info := get(t, "size/unknown.jpg"); string(got) != "abcdef" || info.Size != 6 {
			t.Errorf("unknown size: %q, %+v", got, info)
		}
	})

	t.Run("large file", func(t *testing.T) {
		content := make([]byte, 5<<20+123)
		rand.Read(content)
		put(t, "large/a.jpg", content, "image/jpeg")
		got, info := get(t, "large/a.jpg")
		if !bytes.Equal(got, content) || info.Size != int64(len(content)) {
			t.Errorf("large file: %d bytes back (equal %v), info %+v", len(got), bytes.Equal(got, content), info)
		}
	})

	t.Run("concurrent puts", func(t *testing.T) {
		const writers = 6
		contents := make([][]byte, writers)
		for i := range contents {
			contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 256<<10+i)
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for _, c := range contents {
			wg.Go(func() {
				errs <- s.Put(ctx, "race/a.jpg", bytes.NewReader(c), int64(len(c)), "image/jpeg")
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("Put: %v", err)
			}
		}
		got, info := get(t, "race/a.jpg")
		whole := false
		for _, c := range contents {
			whole = whole || bytes.Equal(got, c)
		}
		if !whole || info.Size != int64(len(got)) {
			t.Errorf("after concurrent puts: %d bytes, not one whole file (info %+v)", len(got), info)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		err := s.Put(cancelled, "ctx/a.jpg", strings.NewReader("x"), 1, "image/jpeg")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Put with a cancelled context: %v", err)
		}
		notFound(t, "ctx/a.jpg")
		put(t, "ctx/b.jpg", []byte("x"), "image/jpeg")
		if rc, _, err := s.Get(cancelled, "ctx/b.jpg"); err == nil {
			rc.Close()
			t.Error("Get with a cancelled context succeeded")
		}

		// Cancelled halfway through the content: nothing is stored.
		midway, cancel := context.WithCancel(ctx)
		r := &cancelAfter{r: bytes.NewReader(make([]byte, 1<<20)), n: 64 << 10, cancel: cancel}
		if err := s.Put(midway, "ctx/c.jpg", r, 1<<20, "image/jpeg"); err == nil {
			t.Error("Put cancelled midway succeeded")
		}
		notFound(t, "ctx/c.jpg")
	})
}

// cancelAfter cancels its context once n bytes have been read from it.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestLocalFiles checks what the directory holds: plain files at their
// keys' paths, no temporary file left by a failed Put.
func TestLocalFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "photos/m_1/p-320.jpg", strings.NewReader("jpeg"), 4, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "photos", "m_1", "p-320.jpg")); err != nil || string(b) != "jpeg" {
		t.Errorf("file on disk: %q, %v", b, err)
	}
	_ = s.Put(ctx, "photos/m_1/p-640.jpg", strings.NewReader("short"), 99, "image/jpeg")
	entries, _ := os.ReadDir(filepath.Join(dir, "photos", "m_1"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[p-320.jpg]" {
		t.Errorf("directory holds %v", names)
	}
	// A new store on the same directory sees the files (the ETag is the
	// content's, not the process's).
	_, info1, _ := mustGet(t, s, "photos/m_1/p-320.jpg")
	s2, _ := NewLocal(dir)
	_, info2, _ := mustGet(t, s2, "photos/m_1/p-320.jpg")
	if info1.ETag != info2.ETag {
		t.Errorf("ETags %q and %q", info1.ETag, info2.ETag)
	}
}

// mustGet gets a key that exists.
func mustGet(t *testing.T, s market.FileStore, key string) ([]byte, *market.FileInfo, error) {
	t.Helper()
	rc, info, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, info, err
}

// TestS3SharedBucket checks that two stores opened on one bucket (two
// instances of the server) see each other's files, and that opening a
// missing bucket without CreateBucket fails.
func TestS3SharedBucket(t *testing.T) {
	t.Parallel()
	raw := testenv.S3URL(t)
	cfg, err := ParseS3URL(raw + "?create_bucket=1&path_style=1")
	if err != nil {
		t.Fatal(err)
	}
	missing := cfg
	missing.CreateBucket = false
	if _, err := NewS3(context.Background(), missing); err == nil {
		t.Error("NewS3 of a missing bucket without CreateBucket succeeded")
	}
	a, err := Open(context.Background(), Config{S3: cfg})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(context.Background(), Config{S3: cfg}) // the bucket exists now
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Put(context.Background(), "photos/m/p-320.jpg", strings.NewReader("shared"), 6, ""); err != nil {
		t.Fatal(err)
	}
	if got, info, _ := mustGet(t, b, "photos/m/p-320.jpg"); string(got) != "shared" || info.ContentType != "image/jpeg" {
		t.Errorf("the other instance reads %q, %+v", got, info)
	}
}

// TestConfig checks the environment and URL forms of the configuration.
func TestConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"S3_ENDPOINT": "https://s3.example.org", "S3_BUCKET": "photos", "S3_ACCESS_KEY": "AK",
		"S3_SECRET_KEY": "SK", "S3_REGION": "ca-central-1", "S3_PATH_STYLE": "1",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := S3Config{Endpoint: "https://s3.example.org", Region: "ca-central-1", Bucket: "photos",
		AccessKey: "AK", SecretKey: "SK", UseSSL: true, PathStyle: true}
	if c.S3 != want {
		t.Errorf("from the environment: %+v, want %+v", c.S3, want)
	}
	if d := c.Describe(); strings.Contains(d, "SK") || !strings.Contains(d, "photos") {
		t.Errorf("Describe: %q", d)
	}
	if _, err := ConfigFromEnv(func(k string) string { return map[string]string{"S3_USE_SSL": "maybe"}[k] }); err == nil {
		t.Error("S3_USE_SSL=maybe accepted")
	}

	u, err := ParseS3URL("http://key:se%2Fcret@127.0.0.1:7070/bucket?region=r&path_style=true")
	if err != nil {
		t.Fatal(err)
	}
	want = S3Config{Endpoint: "127.0.0.1:7070", Region: "r", Bucket: "bucket", AccessKey: "key", SecretKey: "se/cret", PathStyle: true}
	if u != want {
		t.Errorf("from a URL: %+v, want %+v", u, want)
	}
	if _, err := ParseS3URL("s3://x/y"); err == nil {
		t.Error("s3:// accepted")
	}

	// Neither: the local directory.
	dir := filepath.Join(t.TempDir(), "files")
	s, err := Open(context.Background(), Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := s.(*Local); !ok || l.Dir() != dir {
		t.Errorf("Open of a directory: %T", s)
	}
	if _, err := Open(context.Background(), Config{S3: S3Config{Endpoint: "x"}}); err == nil {
		t.Error("an endpoint without a bucket accepted")
	}
}
