package testenv_test

import (
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// TestS3URL checks that every call names the same server with a new
// bucket name, and that the server answers like S3 (an unsigned request is
// refused with an S3 error document).
func TestS3URL(t *testing.T) {
	a, b := testenv.S3URL(t), testenv.S3URL(t)
	ua, err := url.Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	ub, _ := url.Parse(b)
	if ua.Host != ub.Host || ua.Path == ub.Path || ua.User.Username() == "" {
		t.Errorf("two calls gave %s and %s", ua.Redacted(), ub.Redacted())
	}
	resp, err := http.Get("http://" + ua.Host + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned GET /: %s, want 403", resp.Status)
	}
}

// TestStartVersityGW starts two at once, which must not fight over a port,
// and stops them.
func TestStartVersityGW(t *testing.T) {
	dir := t.TempDir()
	a, err := testenv.StartVersityGW(filepath.Join(dir, "a"))
	if errors.Is(err, testenv.ErrNotInstalled) {
		testenv.Missing(t, "versitygw: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	b, err := testenv.StartVersityGW(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if a.URL == b.URL || !strings.HasPrefix(a.URL, "http://") {
		t.Errorf("URLs %s and %s", a.URL, b.URL)
	}
	if err := b.Stop(); err != nil {
		t.Error(err)
	}
	if err := a.Stop(); err != nil {
		t.Error(err)
	}
}
