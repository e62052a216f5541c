package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// IdempotencyStore keeps the first answer to each Idempotency-Key (see
// store.DB).
type IdempotencyStore interface {
	BeginIdempotent(ctx context.Context, scope, key, hash string) (status int, body []byte, requestHash string, found bool, err error)
	FinishIdempotent(ctx context.Context, scope, key string, status int, body []byte) error
	AbandonIdempotent(ctx context.Context, scope, key string) error
}

// Error codes of the idempotency layer.
const (
	eIdempotencyKeyReused = "idempotency_key_reused"
	eRequestInProgress    = "request_in_progress"
)

// idempotent wraps a handler that moves money: it requires an
// Idempotency-Key, answers a repeat of the same request with the first
// answer, and a reuse of the key with another body with 409. A 5xx answer
// or a 429 is forgotten so that the client's retry is tried again.
func (s *Server) idempotent(scope string, fn func(*gin.Context) error) gin.HandlerFunc {
	return s.handle(func(c *gin.Context) error {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			return &market.Error{Code: market.EInvalid, Message: "En-tête Idempotency-Key requis pour cette opération.",
				Fields: map[string]string{"Idempotency-Key": "is required"}}
		}
		// At least 16 characters: anonymous buyers share a scope, so a key
		// must be as unguessable as a UUID for one buyer's answer (with its
		// access token) never to be replayed to another.
		if len(key) < 16 || len(key) > 255 || !printable(key) {
			return &market.Error{Code: market.EInvalid, Message: "En-tête Idempotency-Key invalide.",
				Fields: map[string]string{"Idempotency-Key": "must be 16 to 255 printable ASCII characters (a UUID)"}}
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			if isTooLarge(err) {
				return tooLarge(s.cfg.MaxBody)
			}
			return market.Errorf(market.EInvalid, "Corps de requête illisible.")
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.Path+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		// The scope includes the caller (device, user) when there is one, so
		// two tills cannot collide on a key.
		scope := scope + ":" + c.GetString(ctxActor)
		ctx := c.Request.Context()
		status, stored, storedHash, found, err := s.cfg.Idempotency.BeginIdempotent(ctx, scope, key, hash)
		if err != nil {
			return err
		}
		if found {
			switch {
			case storedHash != hash:
				return &market.Error{Code: eIdempotencyKeyReused, Message: "Cette clé d'idempotence a déjà servi pour une autre requête."}
			case status == 0:
				c.Header("Retry-After", "1")
				return &market.Error{Code: eRequestInProgress, Message: "La même requête est en cours de traitement ; réessayez dans un instant."}
			}
			c.Header("Idempotent-Replayed", "true")
			c.Data(status, "application/json; charset=utf-8", stored)
			return nil
		}
		rec := &recorder{ResponseWriter: c.Writer}
		c.Writer = rec
		err = fn(c)
		if err != nil {
			s.fail(c, err)
		}
		// The request is answered: keep the answer even if the client has
		// gone, so its retry gets it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		// A failure to retry (5xx), or a refusal that depends on when the
		// client asks (429), is not the answer to keep for the key.
		if rec.Status() >= 500 || rec.Status() == http.StatusTooManyRequests {
			if err := s.cfg.Idempotency.AbandonIdempotent(ctx, scope, key); err != nil {
				s.log.ErrorContext(ctx, "idempotency: abandon", "err", err)
			}
			return nil
		}
		if err := s.cfg.Idempotency.FinishIdempotent(ctx, scope, key, rec.Status(), rec.body.Bytes()); err != nil {
			s.log.ErrorContext(ctx, "idempotency: finish", "err", err)
		}
		return nil
	})
}

// recorder keeps a copy of what a handler writes.
type recorder struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.body.WriteString(s)
	return r.ResponseWriter.WriteString(s)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
