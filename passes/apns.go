package passes

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// apnsClient speaks HTTP/2 only (APNs refuses HTTP/1.1) and authenticates
// with the Pass Type ID certificate, as Wallet pass updates require.
func apnsClient(cert, wwdr *x509.Certificate, key crypto.PrivateKey, roots *x509.CertPool) *http.Client {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{
			Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw, wwdr.Raw}, PrivateKey: key, Leaf: cert}},
			RootCAs:      roots,
			MinVersion:   tls.VersionTLS12,
		},
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     5 * time.Minute,
	}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// PushError is what Push returns when some devices were not notified.
// Gone lists the push tokens APNs answered 410 Unregistered for: the device
// removed the pass or the app, so the caller should delete those
// registrations. Failed maps the other tokens to why they failed (an
// *APNsError or a transport error); they may be retried later.
type PushError struct {
	Gone   []string
	Failed map[string]error
}

// Error summarises the failures without the tokens, which are
// device-identifying.
func (e *PushError) Error() string {
	var reasons []string
	for _, err := range e.Failed {
		reasons = append(reasons, err.Error())
	}
	sort.Strings(reasons)
	if len(reasons) > 3 {
		reasons = append(reasons[:3], "…")
	}
	msg := fmt.Sprintf("passes: apns: %d token(s) unregistered, %d failed", len(e.Gone), len(e.Failed))
	if len(reasons) > 0 {
		msg += ": " + strings.Join(reasons, "; ")
	}
	return msg
}

// APNsError is a refusal by APNs: its HTTP status and reason, e.g. 400
// "BadDeviceToken" or 403 "BadCertificate".
type APNsError struct {
	Status int
	Reason string
}

// Error returns the status and the reason.
func (e *APNsError) Error() string { return fmt.Sprintf("apns %d %s", e.Status, e.Reason) }

// pushConcurrency bounds the requests in flight on the one HTTP/2
// connection; APNs allows many streams, this keeps a burst polite.
const pushConcurrency = 8

// Push tells the devices behind pushTokens that their pass changed: one
// POST {APNsURL}/3/device/{token} each, with apns-topic = PassTypeID and
// an empty JSON body, after which each device fetches the pass from the web
// service. It returns nil when every device was notified, a *PushError
// otherwise (use errors.As to read Gone).
func (a *Apple) Push(ctx context.Context, pushTokens []string) error {
	seen := map[string]bool{}
	var tokens []string
	for _, t := range pushTokens {
		if t != "" && !seen[t] {
			seen[t] = true
			tokens = append(tokens, t)
		}
	}
	var (
		mu   sync.Mutex
		perr PushError
		wg   sync.WaitGroup
		sem  = make(chan struct{}, pushConcurrency)
	)
	for _, token := range tokens {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := a.pushOne(ctx, token)
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if e := (*APNsError)(nil); errors.As(err, &e) && e.Status == http.StatusGone {
				perr.Gone = append(perr.Gone, token)
				return
			}
			if perr.Failed == nil {
				perr.Failed = map[string]error{}
			}
			perr.Failed[token] = err
		}()
	}
	wg.Wait()
	if len(perr.Gone) == 0 && len(perr.Failed) == 0 {
		return nil
	}
	sort.Strings(perr.Gone)
	return &perr
}

func (a *Apple) pushOne(ctx context.Context, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apns+"/3/device/"+url.PathEscape(token), strings.NewReader("{}"))
	if err != nil {
		return err
	}
	req.Header.Set("apns-topic", a.cfg.PassTypeID)
	req.Header.Set("content-type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var r struct {
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal(body, &r) // the reason is a courtesy; the status decides
	return &APNsError{Status: resp.StatusCode, Reason: r.Reason}
}

// GoneTokens lists the push tokens APNs no longer knows (410), whose
// registrations the caller drops.
func (e *PushError) GoneTokens() []string { return e.Gone }
