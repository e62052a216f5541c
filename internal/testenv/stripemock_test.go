package testenv_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// TestStripeMockURL checks that the URL reaches a stripe-mock answering like
// Stripe, the same one for every test of the process.
func TestStripeMockURL(t *testing.T) {
	base := testenv.StripeMockURL(t)
	if again := testenv.StripeMockURL(t); again != base {
		t.Errorf("second call gave %s, first %s", again, base)
	}
	req, err := http.NewRequest(http.MethodGet, base+"/v1/checkout/sessions/cs_test_1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk_test_123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Stripe-Mock-Version") == "" {
		t.Errorf("GET a session: %s, Stripe-Mock-Version %q", resp.Status, resp.Header.Get("Stripe-Mock-Version"))
	}
}

// TestStartStripeMock starts two at once, which must not fight over a port,
// and stops them.
func TestStartStripeMock(t *testing.T) {
	dir := t.TempDir()
	a, err := testenv.StartStripeMock(filepath.Join(dir, "a"))
	if errors.Is(err, testenv.ErrNotInstalled) {
		testenv.Missing(t, "stripe-mock: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	b, err := testenv.StartStripeMock(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if a.URL == b.URL || !strings.HasPrefix(a.URL, "http://127.0.0.1:") {
		t.Errorf("URLs %s and %s", a.URL, b.URL)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(b.URL); err == nil {
		t.Errorf("%s still answers after Stop", b.URL)
	}
	if _, err := os.Stat(filepath.Join(dir, "b", "stripe-mock.log")); err != nil {
		t.Errorf("no log: %v", err)
	}
}
