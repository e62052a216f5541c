package frontend_test

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	demodata "github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// startSite runs Solidaire as cmd/solidaire wires it (the API, with the
// pages behind it) on a free loopback port, over a fresh SQLite database
// loaded with the demo data set, and returns its base URL. dist, when not
// nil, replaces the embedded script bundle; demo is Config.Demo. Any error
// the server logs fails the test: a page that renders but logs a failure is
// a bug.
func startSite(t *testing.T, dist fs.FS, demo bool) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "solidaire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demodata.Seed(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	logs := &errorLog{}
	log := slog.New(logs)
	cfg := frontend.Config{Catalogue: db, BaseURL: base, Logger: log, Demo: demo}
	var pages *frontend.Pages
	if dist != nil {
		pages, err = frontend.NewWithBundle(cfg, dist)
	} else {
		pages, err = frontend.New(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: api.New(api.Config{Catalogue: db, Pages: pages, Logger: log}),
		ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
		for _, e := range logs.errors() {
			t.Errorf("the server logged an error: %s", e)
		}
	})
	return base
}

// errorLog is a slog handler that keeps the messages of error records.
type errorLog struct {
	mu   sync.Mutex
	list []string
}

func (h *errorLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *errorLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += " " + a.String()
		return true
	})
	h.mu.Lock()
	h.list = append(h.list, msg)
	h.mu.Unlock()
	return nil
}

func (h *errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorLog) WithGroup(string) slog.Handler      { return h }

func (h *errorLog) errors() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.list...)
}
