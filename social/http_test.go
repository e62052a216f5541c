package social

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func TestBreakerOpensAndCloses(t *testing.T) {
	clk := newClock()
	failing := true
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if failing {
			writeJSON(w, 502, []byte("bad gateway"))
			return
		}
		writeJSON(w, 200, []byte("[]"))
	})
	r := newTestReader(srv, clk, func(c *Config) { c.BreakerFailures, c.BreakerCooldown = 3, 10*time.Minute })
	read := func() error {
		_, err := r.Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
		return err
	}
	for i := 0; i < 3; i++ {
		if err := read(); err == nil || waitOf(err) != 0 {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	// open: no request leaves, the error says how long to wait
	err := read()
	if srv.count() != 3 || waitOf(err) != 10*time.Minute || !strings.Contains(err.Error(), "mis en pause après 3 échecs de suite ; nouvel essai dans 10 min") {
		t.Fatalf("open circuit: %d requests, %v", srv.count(), err)
	}
	clk.Add(4 * time.Minute)
	if err := read(); srv.count() != 3 || waitOf(err) != 6*time.Minute {
		t.Fatalf("still open: %v", err)
	}
	// after the cooldown one trial goes; it fails: open again at once
	clk.Add(6 * time.Minute)
	if err := read(); srv.count() != 4 || waitOf(err) != 0 {
		t.Fatalf("trial: %d requests, %v", srv.count(), err)
	}
	if err := read(); srv.count() != 4 || waitOf(err) != 10*time.Minute {
		t.Fatalf("reopened: %v", err)
	}
	// the host recovers: the next trial closes the circuit
	clk.Add(10 * time.Minute)
	failing = false
	for i := 0; i < 2; i++ {
		if err := read(); err != nil {
			t.Fatalf("closed: %v", err)
		}
	}
	if srv.count() != 6 {
		t.Errorf("requests = %d", srv.count())
	}
}

func TestTimeout(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	r := newTestReader(srv, newClock(), func(c *Config) { c.Timeout = 50 * time.Millisecond })
	start := time.Now()
	_, err := r.Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
	if err == nil || !strings.HasSuffix(err.Error(), "ne répond pas (délai dépassé)") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if market.ErrorCode(err) != market.EUnavailable {
		t.Errorf("code = %s", market.ErrorCode(err))
	}
}

func TestCallerCancelIsNotTheHostsFault(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	r := newTestReader(srv, newClock(), func(c *Config) { c.BreakerFailures = 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := r.Read(ctx, mastodonSource(""), []string{"x"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if err := r.breaker.allow(strings.TrimPrefix(srv.URL, "http://")); err != nil {
		t.Errorf("breaker opened on a cancelled read: %v", err)
	}
}

func TestBreakerTrialCancelledByCallerIsReleased(t *testing.T) {
	clk := newClock()
	b := newBreaker(1, time.Minute, clk.Now)
	b.failure("h")
	clk.Add(time.Minute)
	if b.allow("h") != nil { // the trial
		t.Fatal("trial refused")
	}
	if b.allow("h") == nil {
		t.Fatal("a second request during the trial")
	}
	b.release("h") // the caller gave up
	if b.allow("h") != nil {
		t.Error("released trial still blocks")
	}
}

func TestServiceUnavailableRetryAfter(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "600")
		writeJSON(w, 503, []byte(`{"error":"maintenance"}`))
	})
	_, err := newTestReader(srv, newClock(), nil).Read(context.Background(), blueskySource(""), []string{"x"})
	if waitOf(err) != 10*time.Minute || !strings.HasSuffix(err.Error(), "est indisponible et demande d'attendre 10 min") {
		t.Errorf("err = %v", err)
	}
}

func TestBodyTooLarge(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []byte("["+strings.Repeat(" ", 4096)+"]"))
	})
	r := newTestReader(srv, newClock(), func(c *Config) { c.MaxBody = 1024 })
	_, err := r.Read(context.Background(), mastodonSource(""), []string{"x"})
	if err == nil || !strings.HasPrefix(err.Error(), "Réponse trop volumineuse de") {
		t.Errorf("err = %v", err)
	}
}

func TestPrivateAddressesRefusedByDefault(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []byte("[]")) })
	r := New(Config{BaseURL: func(string) string { return srv.URL }})
	_, err := r.Read(context.Background(), mastodonSource(""), []string{"x"})
	if err == nil || !strings.HasSuffix(err.Error(), "mène à une adresse privée : lecture refusée") || srv.count() != 0 {
		t.Errorf("err = %v, %d requests", err, srv.count())
	}
	_, err = r.Read(context.Background(), feedSource(srv.URL+"/feed", ""), []string{"x"})
	if err == nil || srv.count() != 0 {
		t.Errorf("feed on a private address: %v", err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"0":                             time.Second,
		"999999999":                     maxWait,
		"Tue, 01 Dec 2026 12:02:00 GMT": 2 * time.Minute,
		"Tue, 01 Dec 2026 11:00:00 GMT": time.Second,
		"bientôt":                       0,
	} {
		if got := retryAfter(http.Header{"Retry-After": {v}}, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}

func TestReadUnknownNetworkAndNoHashtags(t *testing.T) {
	r := New(Config{})
	if _, err := r.Read(context.Background(), &market.MentionSource{Network: "myspace"}, []string{"x"}); err == nil {
		t.Error("unknown network read")
	}
	page, err := r.Read(context.Background(), &market.MentionSource{Network: market.NetworkMastodon, Instance: "mastodon.social", Cursor: "7"}, []string{"#", " "})
	if err != nil || page.Cursor != "7" || len(page.Posts) != 0 {
		t.Errorf("no hashtags: %+v, %v", page, err)
	}
}
