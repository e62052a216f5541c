package api

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/internal/reqlog"
	"github.com/solidaire-app/solidaire/market"
)

// recoverPanics turns a panic in a handler into a logged 500 in the JSON
// shape; the process keeps serving.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.logPanic(c, v, debug.Stack())
		if c.Writer.Written() {
			c.Abort()
			return
		}
		s.fail(c, &market.Error{Code: market.EInternal, Message: "Erreur interne. Réessayez dans un instant."})
	}()
	c.Next()
}

// requestID gives every request an id: the caller's X-Request-ID when it is
// sane, a random one otherwise. It is echoed back and carried in the
// context so every log line of the request has it.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !saneID(id) {
		id = s.nextID()
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(reqlog.WithID(c.Request.Context(), id))
	c.Next()
}

func saneID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// hsts asks browsers to come back over HTTPS only, for a year, subdomains
// included.
const hsts = "max-age=31536000; includeSubDomains"

// strictTransport sends Strict-Transport-Security on every answer when the
// base URL is HTTPS. TLS then ends at the proxy in front, which may send
// it too; with an HTTP base URL it is the proxy's to send, if anyone's.
func (s *Server) strictTransport(c *gin.Context) {
	if s.https {
		c.Header("Strict-Transport-Security", hsts)
	}
	c.Next()
}

// refuseBadURL answers a request of the API whose address does not decode
// (a query with a bad percent-escape, a path or query that is not UTF-8
// once decoded) with a 400 bad_request in the contract's shape, rather
// than let a route read a mangled or dropped value. A bad escape in the
// path never gets here: net/http refuses it first (see Listener). Pages
// decide for themselves.
func (s *Server) refuseBadURL(c *gin.Context) {
	if !isAPI(c) {
		c.Next()
		return
	}
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	ok := err == nil && utf8.ValidString(c.Request.URL.Path)
	for k, vs := range q {
		ok = ok && utf8.ValidString(k)
		for _, v := range vs {
			ok = ok && utf8.ValidString(v)
		}
	}
	if !ok {
		s.fail(c, &market.Error{Code: eBadRequest, Message: "Requête mal formée : l'adresse contient un caractère échappé (%xx) invalide."})
		return
	}
	c.Next()
}

// logRequests writes one access log line per request and records its
// metrics by route template (not by raw path, which would let clients
// create unbounded label values).
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
		if !isAPI(c) && s.cfg.Pages != nil {
			route = "pages" // the web app, whose routes are its own
		}
	}
	status := c.Writer.Status()
	s.metrics.observe(route, c.Request.Method, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if route == "/healthz" || route == "/readyz" || route == "/metrics" || route == "/s/:code" && status == http.StatusFound {
		// Probes, and the share links' redirects: a viral link makes
		// thousands a minute, counted in the metrics and the link's stats.
		level = slog.LevelDebug
	}
	s.log.Log(c.Request.Context(), level, "request",
		"method", c.Request.Method, "route", route, "status", status,
		"duration_ms", float64(elapsed.Microseconds())/1000, "bytes", c.Writer.Size())
}

// limitBody refuses bodies over the configured size: at once when the
// declared length is too large, and while reading otherwise (see bindJSON).
// A route listed in bodyLimits has its own limit (a photo upload).
func (s *Server) limitBody(c *gin.Context) {
	limit := s.cfg.MaxBody
	if l, ok := bodyLimits[c.Request.Method+" "+c.FullPath()]; ok {
		limit = l
	}
	if c.Request.ContentLength > limit {
		s.fail(c, tooLarge(limit))
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// bodyLimits are the routes whose bodies may exceed MaxBody.
var bodyLimits = map[string]int64{
	"POST /api/v1/merchant/photos": photoBodyLimit,
}

func tooLarge(limit int64) *market.Error {
	return &market.Error{Code: market.ETooLarge, Message: "Requête trop volumineuse (au plus " + strconv.FormatInt(limit, 10) + " octets)."}
}

// isTooLarge reports whether err comes from reading past the body limit.
func isTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// nextID returns a request id: this process's random prefix and a
// counter, unique across instances without a random read per request.
func (s *Server) nextID() string {
	return s.idPrefix + strconv.FormatUint(s.idSeq.Add(1), 36)
}
