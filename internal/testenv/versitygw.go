package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// S3URLEnv names a running S3-compatible server as
// http://ACCESS_KEY:SECRET_KEY@HOST:PORT, which every test shares: each
// test makes buckets of its own names there (see S3URL).
const S3URLEnv = "SOLIDAIRE_TEST_S3_URL"

// The root credentials of the VersityGW servers we start. They guard a
// server on the loopback interface holding test data only.
const (
	versityAccessKey = "solidairetest"
	versitySecretKey = "solidaire-test-secret"
)

// StartVersityGW starts VersityGW, an S3 server (Apache-2.0) that keeps
// each bucket as a directory, on a free port of 127.0.0.1, serving the
// directory dir/data (made if needed); its log goes to dir. Its URL is
// http://ACCESS_KEY:SECRET_KEY@127.0.0.1:PORT. versitygw is looked for on
// PATH, then in `go env GOBIN` and `go env GOPATH`/bin, where `go install`
// puts it; the error wraps ErrNotInstalled when it is in none of them.
func StartVersityGW(dir string) (*Server, error) {
	program, err := findProgram("versitygw", goBinDirs()...)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, fmt.Errorf("testenv: versitygw directory: %w", err)
	}
	newServer := func(port int) *Server {
		cmd := exec.Command(program,
			"--access", versityAccessKey,
			"--secret", versitySecretKey,
			"--port", "127.0.0.1:"+strconv.Itoa(port),
			"--quiet", // no line per request
			"posix", data,
		)
		cmd.Dir = dir
		cmd.SysProcAttr = procAttr(nil)
		u := url.URL{
			Scheme: "http",
			User:   url.UserPassword(versityAccessKey, versitySecretKey),
			Host:   "127.0.0.1:" + strconv.Itoa(port),
		}
		return &Server{
			Name:     "versitygw",
			URL:      u.String(),
			Dir:      dir,
			cmd:      cmd,
			stopWith: os.Kill, // test data, nothing to save
			logPath:  filepath.Join(dir, "versitygw.log"),
		}
	}
	ready := func(s *Server) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			// Any S3 answer will do: an unsigned request gets an error
			// document, which says the server serves.
			u, err := url.Parse(s.URL)
			if err != nil {
				return err
			}
			u.User = nil
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+"/", nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			return nil
		}
	}
	return startOnFreePort(newServer, ready)
}

// theS3 is resolved once per process: the shared server, else our own.
var theS3 struct {
	once sync.Once
	url  string
	err  error
}

// S3URL returns http://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET, an S3
// server (the one named by SOLIDAIRE_TEST_S3_URL, else this test process's
// own VersityGW, started by the first test that asks and stopped by Main)
// and a bucket name no other test uses, which the caller makes. A missing
// versitygw skips the test (fails it under CI), through Missing.
func S3URL(t testing.TB) string {
	t.Helper()
	theS3.once.Do(func() {
		if u := os.Getenv(S3URLEnv); u != "" {
			theS3.url = strings.TrimRight(u, "/")
			return
		}
		var srv *Server
		srv, theS3.err = startPrivate("versitygw", StartVersityGW)
		if srv != nil {
			theS3.url = srv.URL
		}
	})
	err := theS3.err
	if errors.Is(err, ErrNotInstalled) {
		Missing(t, "versitygw: %v", err)
	}
	if err != nil {
		t.Fatalf("testenv: versitygw: %v (see the first test that asked)", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return theS3.url + "/test-" + hex.EncodeToString(b[:])
}
