package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// IdempotencyStore keeps the first answer to each Idempotency-Key (see
// store.DB). Money paths write the key in their own transaction (a
// market.Claim in the request's context); IdempotencyStore reads it back
// and keeps the answers that moved no money.
type IdempotencyStore interface {
	IdempotentAnswer(ctx context.Context, scope, key string) (requestHash string, status int, body []byte, found bool, err error)
	KeepAnswer(ctx context.Context, scope, key, hash string, status int, body []byte) error
	FinishAnswer(ctx context.Context, scope, key string, status int, body []byte) error
}

// Error codes of the idempotency layer.
const (
	eIdempotencyKeyReused = "idempotency_key_reused"
	eRequestInProgress    = "request_in_progress"
)

// keyRule says whether a route requires an Idempotency-Key, and when the
// key is looked up.
type keyRule int

const (
	// keyRequired: a request without a key is refused; the key is looked
	// up before the handler runs.
	keyRequired keyRule = iota
	// keyOptional: the operation is idempotent by nature (a reversal, a
	// holder's choice), and a key, when sent, makes a retry answer as the
	// first request did.
	keyOptional
	// keyWithMoney: required, and looked up by the money transaction
	// itself, which writes the key with its success or its refusal
	// (market.Claim.Refuse) and meets a key already there as a replay: no
	// read before it, one round trip less on the till's hot path. The key
	// is read only when the handler refuses before the money transaction
	// (invalid input, a limit, a failure), so that a retry still gets the
	// first answer. The handler must answer only through answer() after
	// the money transaction, every other outcome being a returned error.
	keyWithMoney
)

// idempotent wraps a handler that moves money. With an Idempotency-Key, a
// repeat of the same request (the same method, path and JSON, whatever its
// whitespace or key order) gets the first answer, and a reuse of the key
// with another request a 409. The handler's money transaction writes the
// key with its answer (market.Claim: the handler sets Answer), so a crash,
// a panic or a lost connection never leaves money moved without its key,
// nor a key stuck without an answer: a retry whose first outcome is unknown
// gets that outcome. Refusals (4xx) are kept after the fact; 5xx and 429
// answers are not kept, so that the retry is tried again.
func (s *Server) idempotent(scope string, rule keyRule, fn func(*gin.Context) error) gin.HandlerFunc {
	return s.handle(func(c *gin.Context) error {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			if rule == keyOptional {
				return fn(c)
			}
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
		hash := requestHash(c.Request.Method, c.Request.URL.Path, body)
		// The scope includes the caller (device, user) when there is one, so
		// two tills cannot collide on a key.
		scope := scope + ":" + c.GetString(ctxActor)
		ctx := c.Request.Context()
		if rule != keyWithMoney {
			if storedHash, status, stored, found, err := s.cfg.Idempotency.IdempotentAnswer(ctx, scope, key); err != nil {
				return err
			} else if found {
				return s.replay(c, scope, key, hash, storedHash, status, stored)
			}
		}
		claim := &market.Claim{Scope: scope, Key: key, Hash: hash}
		if rule == keyWithMoney {
			claim.Refuse = refusalAnswer
		}
		c.Request = c.Request.WithContext(market.WithClaim(ctx, claim))
		rec := &recorder{ResponseWriter: c.Writer}
		c.Writer = rec
		err = fn(c)
		if err != nil && rec.body.Len() == 0 && !claim.Kept &&
			(market.ErrorCode(err) == market.EIdempotentReplay || rule == keyWithMoney) {
			// A request with this key committed first and this one wrote
			// nothing (or, with keyWithMoney, this one was refused before
			// its money transaction could tell): answer as the first did.
			storedHash, status, stored, found, lerr := s.cfg.Idempotency.IdempotentAnswer(ctx, scope, key)
			if lerr != nil {
				return lerr
			}
			if found {
				c.Writer = rec.ResponseWriter
				return s.replay(c, scope, key, hash, storedHash, status, stored)
			}
		}
		switch {
		case err != nil && claim.Kept && claim.Status >= http.StatusBadRequest:
			// A refusal kept with the key (market.Claim.Refuse): the very
			// bytes kept.
			c.Abort()
			c.Data(claim.Status, "application/json; charset=utf-8", claim.Body)
		case err != nil:
			s.fail(c, err)
		}
		status := rec.Status()
		if status >= 500 || status == http.StatusTooManyRequests {
			return nil
		}
		// Keep the answer even if the client has gone, so its retry gets it.
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		var kerr error
		switch {
		case claim.Kept && claim.Status != 0:
			// Written with the money (a success, or a refusal).
		case claim.Kept:
			// An answer to complete (a checkout whose page is now open, or
			// refused): complete it.
			kerr = s.cfg.Idempotency.FinishAnswer(kctx, scope, key, status, rec.body.Bytes())
		default:
			kerr = s.cfg.Idempotency.KeepAnswer(kctx, scope, key, hash, status, rec.body.Bytes())
		}
		if kerr != nil {
			s.log.ErrorContext(ctx, "idempotency: keeping the answer", "err", kerr)
		}
		return nil
	})
}

// refusalAnswer renders a refusal as fail() does, for a money transaction
// to keep with its key (market.Claim.Refuse): only the contract's 4xx
// refusals, never a failure (5xx) or a limit (429), which a retry must try
// again.
func refusalAnswer(err error) (int, []byte, bool) {
	var me *market.Error
	if !errors.As(err, &me) {
		return 0, nil, false
	}
	status, ok := statuses[me.Code]
	if !ok || status >= http.StatusInternalServerError || status == http.StatusTooManyRequests || status < http.StatusBadRequest {
		return 0, nil, false
	}
	body, jerr := json.Marshal(errorBody{errorDetail{Code: me.Code, Message: me.Message, Fields: me.Fields}})
	return status, body, jerr == nil
}

// replay answers a request whose key was seen: 409 if the key came with
// another request; the first answer otherwise. An answer still to complete
// (a checkout whose payment page could not be opened) is completed by the
// scope's resumer, or is 409 request_in_progress.
func (s *Server) replay(c *gin.Context, scope, key, hash, storedHash string, status int, body []byte) error {
	if storedHash != hash {
		return &market.Error{Code: eIdempotencyKeyReused, Message: "Cette clé d'idempotence a déjà servi pour une autre requête."}
	}
	if status == 0 {
		if resume := s.resumers[scopeName(scope)]; resume != nil {
			status, body, err := resume(c, body)
			if err != nil {
				return err
			}
			if err := s.cfg.Idempotency.FinishAnswer(c.Request.Context(), scope, key, status, body); err != nil {
				s.log.ErrorContext(c.Request.Context(), "idempotency: finishing a resumed answer", "err", err)
			}
			c.Data(status, "application/json; charset=utf-8", body)
			return nil
		}
		c.Header("Retry-After", "1")
		return &market.Error{Code: eRequestInProgress, Message: "La même requête est en cours de traitement ; réessayez dans un instant."}
	}
	if rerender := s.rerenders[scopeName(scope)]; rerender != nil && status < 300 {
		return rerender(c)
	}
	c.Header("Idempotent-Replayed", "true")
	c.Data(status, "application/json; charset=utf-8", body)
	return nil
}

// resumer completes an answer kept unfinished (status 0) from what it
// holds, returning the final status and body.
type resumer func(c *gin.Context, unfinished []byte) (int, []byte, error)

// scopeName is the operation part of a scope ("checkout" of "checkout:").
func scopeName(scope string) string {
	for i := 0; i < len(scope); i++ {
		if scope[i] == ':' {
			return scope[:i]
		}
	}
	return scope
}

// claimAnswer sets the answer that the request's money transaction keeps
// for its Idempotency-Key, if it has one: status and the JSON that render
// makes of the operation's result.
func claimAnswer[T any](c *gin.Context, status int, render func(T) any) {
	claim := market.ClaimOf(c.Request.Context())
	if claim == nil {
		return
	}
	claim.Answer = func(result any) (int, []byte, error) {
		r, ok := result.(T)
		if !ok {
			return 0, nil, market.Errorf(market.EInternal, "idempotency: unexpected result %T", result)
		}
		b, err := json.Marshal(render(r))
		return status, b, err
	}
}

// answer writes the JSON answer of a money operation: the very bytes kept
// with its Idempotency-Key when the transaction kept them, so that a retry
// reads what the first request read.
func answer(c *gin.Context, status int, v any) {
	if claim := market.ClaimOf(c.Request.Context()); claim != nil && claim.Kept && claim.Status == status {
		c.Data(status, "application/json; charset=utf-8", claim.Body)
		return
	}
	c.JSON(status, v)
}

// requestHash fingerprints a request: method, path, and the body as
// canonical JSON (keys sorted, no insignificant whitespace), so that the
// same JSON sent with other spacing is the same request. A body that is not
// JSON is taken as it is.
func requestHash(method, path string, body []byte) string {
	canonical := body
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&v); err == nil && !d.More() {
		if b, err := json.Marshal(v); err == nil {
			canonical = b
		}
	}
	sum := sha256.Sum256(append([]byte(method+" "+path+"\n"), canonical...))
	return hex.EncodeToString(sum[:])
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
