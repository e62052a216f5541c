package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Local keeps files in a directory of this machine, one file per key at the
// key's path under it: photos/m_1/p_2-640.jpg is DIR/photos/m_1/p_2-640.jpg,
// a plain JPEG any tool (or web server, or backup) can read. A file's
// content type comes from its key's extension (see ContentType); its ETag
// is a hash of its content. Writes go to a temporary file beside the
// target, synced then renamed over it, so that a reader sees the old file
// or the new one, never a part, even when several Puts of a key race.
type Local struct {
	dir string

	mu    sync.Mutex
	etags map[string]localETag // by path, so that Get hashes a file once
}

// localETag is the ETag of a file as it was when hashed.
type localETag struct {
	size  int64
	mtime time.Time
	etag  string
}

// maxETagCache bounds the ETag cache; it is emptied when full.
const maxETagCache = 10000

// tempPrefix starts the names of files being written; no key's segment can
// start with a dot, so none is ever taken for a stored file.
const tempPrefix = ".put-"

var _ market.FileStore = (*Local)(nil)

// NewLocal returns a store keeping its files under dir, made (with its
// parents) when missing.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("storage: no directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("storage: directory: %w", err)
	}
	return &Local{dir: abs, etags: map[string]localETag{}}, nil
}

// Dir returns the directory the files are kept in.
func (l *Local) Dir() string { return l.dir }

// path returns where the file of a checked key lives.
func (l *Local) path(key string) string {
	return filepath.Join(l.dir, filepath.FromSlash(key))
}

// Put stores r's content under key, replacing any file there. size is the
// content's length, or -1 when unknown; content that is not size bytes long
// is refused and leaves the store unchanged. contentType is empty or the
// key's (see ContentType).
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	if _, err := checkPut(key, contentType, size); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	target := l.path(key)
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		src = io.LimitReader(src, size+1) // one byte more tells a longer content
	}
	n, err := io.Copy(tmp, src)
	if err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("storage: put %s: %d bytes announced, %d read", key, size, n)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	return nil
}

// Get opens the file of key. It returns ENotFound for a key that names no
// file, or that no store accepts.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, *market.FileInfo, error) {
	if CheckKey(key) != nil {
		return nil, nil, notFound()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("storage: get %s: %w", key, err)
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, notFound() // a directory: "photos" of "photos/m_1/…"
	}
	var etag string
	if err == nil {
		etag, err = l.etag(f, info)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("storage: get %s: %w", key, err)
	}
	return f, &market.FileInfo{Size: info.Size(), ContentType: ContentType(key), ETag: etag}, nil
}

// etag returns the ETag of the open file f: the cached one while its size
// and modification time are those it was hashed at (a Put renames a new
// file in, with a new time), else a hash of its content, after which f is
// back at its start.
func (l *Local) etag(f *os.File, info fs.FileInfo) (string, error) {
	l.mu.Lock()
	c, ok := l.etags[f.Name()]
	l.mu.Unlock()
	if ok && c.size == info.Size() && c.mtime.Equal(info.ModTime()) {
		return c.etag, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	etag := hex.EncodeToString(h.Sum(nil)[:16])
	l.mu.Lock()
	if len(l.etags) >= maxETagCache {
		clear(l.etags)
	}
	l.etags[f.Name()] = localETag{size: info.Size(), mtime: info.ModTime(), etag: etag}
	l.mu.Unlock()
	return etag, nil
}

// Delete removes the file of key; a key that names no file is not an
// error. The directories it leaves empty stay: a Put may be about to write
// in them.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := l.path(key)
	if info, err := os.Lstat(p); err == nil && info.IsDir() {
		return nil // no file has this key
	}
	err := os.Remove(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDir) {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the underlying reader unless the context is done.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// notFound is the error of a key that names no file.
func notFound() error {
	return market.NotFound("Fichier")
}
