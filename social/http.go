package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// response is a fetched answer whose status the reader did not turn into
// an error: 2xx, 304 and the 4xx a network client interprets (404, 410…).
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// get fetches rawURL politely: through host's circuit breaker, with the
// reader's timeout and User-Agent, reading at most MaxBody bytes. Transport
// failures, 429, 5xx and oversized bodies come back as *Error (429 and 503
// carry the wait of their Retry-After or rate-limit reset headers); other
// statuses come back as a response for the caller to interpret.
func (r *Reader) get(ctx context.Context, rawURL string, header http.Header) (*response, error) {
	return r.do(ctx, http.MethodGet, rawURL, header, nil)
}

func (r *Reader) do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Host: rawURL, Message: fmt.Sprintf("Adresse invalide : %s", clip(rawURL, 200)), Err: err}
	}
	host := u.Host
	if err := r.breaker.allow(host); err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(rctx, method, u.String(), rd)
	if err != nil {
		r.breaker.release(host)
		return nil, &Error{Host: host, Message: fmt.Sprintf("Adresse invalide : %s", clip(rawURL, 200)), Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", r.cfg.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil { // the caller gave up: not the host's fault
			r.breaker.release(host)
			return nil, &Error{Host: host, Message: fmt.Sprintf("Lecture de %s interrompue", host), Err: ctx.Err()}
		}
		r.breaker.failure(host)
		return nil, transportError(host, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, r.cfg.MaxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			r.breaker.release(host)
			return nil, &Error{Host: host, Message: fmt.Sprintf("Lecture de %s interrompue", host), Err: ctx.Err()}
		}
		r.breaker.failure(host)
		return nil, transportError(host, err)
	}
	if int64(len(data)) > r.cfg.MaxBody {
		r.breaker.failure(host)
		return nil, &Error{Host: host, Message: fmt.Sprintf("Réponse trop volumineuse de %s", host)}
	}
	now := r.cfg.Now()
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		r.breaker.failure(host)
		wait := retryAfter(res.Header, now)
		if wait == 0 {
			wait = rateLimitReset(res.Header, now)
		}
		msg := fmt.Sprintf("Trop de requêtes : %s demande de ralentir", host)
		if wait > 0 {
			msg = fmt.Sprintf("Trop de requêtes : %s demande d'attendre %d s", host, int((wait+time.Second-1)/time.Second))
		}
		return nil, &Error{Host: host, Message: msg, Wait: wait}
	case res.StatusCode == http.StatusServiceUnavailable:
		r.breaker.failure(host)
		wait := retryAfter(res.Header, now)
		msg := fmt.Sprintf("%s est indisponible (erreur 503)", host)
		if wait > 0 {
			msg = fmt.Sprintf("%s est indisponible et demande d'attendre %s", host, frDuration(wait))
		}
		return nil, &Error{Host: host, Message: msg, Wait: wait}
	case res.StatusCode >= 500:
		r.breaker.failure(host)
		return nil, &Error{Host: host, Message: fmt.Sprintf("%s ne répond pas correctement (erreur %d)", host, res.StatusCode)}
	}
	r.breaker.success(host)
	return &response{Status: res.StatusCode, Header: res.Header, Body: data}, nil
}

// decode parses a JSON answer of host; a malformed one is an error (and
// counts against the host's circuit).
func (r *Reader) decode(host string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		r.breaker.failure(host)
		return &Error{Host: host, Message: fmt.Sprintf("Réponse illisible de %s", host), Err: err}
	}
	return nil
}

// statusError is the error for a status the caller does not expect.
func statusError(host string, status int) error {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity:
		return &Error{Host: host, Message: fmt.Sprintf("%s refuse la lecture publique (erreur %d)", host, status)}
	case http.StatusNotFound, http.StatusGone:
		return &Error{Host: host, Message: fmt.Sprintf("Adresse introuvable sur %s (erreur %d)", host, status)}
	}
	return &Error{Host: host, Message: fmt.Sprintf("%s refuse la requête (erreur %d)", host, status)}
}

// errPrivateAddress is returned by the dialer for an address the reader
// must not reach (loopback, private networks, link-local…).
var errPrivateAddress = errors.New("social: address is not public")

func transportError(host string, err error) error {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, errPrivateAddress):
		return &Error{Host: host, Message: fmt.Sprintf("%s mène à une adresse privée : lecture refusée", host), Err: err}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return &Error{Host: host, Message: fmt.Sprintf("%s ne répond pas (délai dépassé)", host), Err: err}
	case errors.As(err, &dnsErr):
		return &Error{Host: host, Message: fmt.Sprintf("%s est introuvable (nom de domaine inconnu)", host), Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Host: host, Message: fmt.Sprintf("%s refuse la connexion", host), Err: err}
	}
	return &Error{Host: host, Message: fmt.Sprintf("%s est injoignable", host), Err: err}
}

// maxWait bounds any wait a network asks for.
const maxWait = 24 * time.Hour

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return clampWait(time.Duration(s) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampWait(t.Sub(now))
	}
	return 0
}

// rateLimitReset reads when an exhausted rate-limit window reopens:
// Mastodon's X-RateLimit-Reset (an ISO 8601 time) or the RateLimit-Reset of
// Bluesky and the IETF draft (Unix seconds, or seconds from now).
func rateLimitReset(h http.Header, now time.Time) time.Duration {
	for _, name := range []string{"X-RateLimit-Reset", "RateLimit-Reset"} {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return clampWait(t.Sub(now))
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			if n > 1_000_000_000 {
				return clampWait(time.Unix(n, 0).Sub(now))
			}
			return clampWait(time.Duration(n) * time.Second)
		}
	}
	return 0
}

// exhausted returns the wait until the rate-limit window reopens when the
// answer says none is left (X-RateLimit-Remaining or RateLimit-Remaining
// at 0), and zero otherwise.
func exhausted(h http.Header, now time.Time) time.Duration {
	for _, name := range []string{"X-RateLimit-Remaining", "RateLimit-Remaining"} {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil && n <= 0 {
			if w := rateLimitReset(h, now); w > 0 {
				return w
			}
			return time.Minute
		}
	}
	return 0
}

func clampWait(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Second
	}
	if d > maxWait {
		return maxWait
	}
	return d
}

// publicDialer refuses to connect to addresses that are not public, so a
// source (or a federated post's URI) cannot make the server read its own
// network.
func publicDialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || !publicIP(ip) {
				return errPrivateAddress
			}
			return nil
		},
	}
}

var cgnat = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}

func publicIP(ip net.IP) bool {
	if ip4 := ip.To4(); ip4 != nil {
		ip = ip4
	}
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || cgnat.Contains(ip))
}

// clip cuts s to n bytes for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
