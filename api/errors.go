package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/internal/reqlog"
	"github.com/solidaire-app/solidaire/market"
)

// statuses is the one map from domain error code to HTTP status.
var statuses = map[string]int{
	market.EInvalid:              http.StatusBadRequest,
	market.EUnauthorized:         http.StatusUnauthorized,
	market.ESignInCodeRequired:   http.StatusUnauthorized,
	eBadRequest:                  http.StatusBadRequest,
	market.EForbidden:            http.StatusForbidden,
	market.ENotFound:             http.StatusNotFound,
	eMethodNotAllowed:            http.StatusMethodNotAllowed,
	market.EConflict:             http.StatusConflict,
	market.EMerchantNotReady:     http.StatusConflict,
	eIdempotencyKeyReused:        http.StatusConflict,
	eRequestInProgress:           http.StatusConflict,
	market.EInsufficientBalance:  http.StatusConflict,
	market.EVoucherVoid:          http.StatusConflict,
	market.EVoucherDisputed:      http.StatusConflict,
	market.ETicketCheckedIn:      http.StatusConflict,
	market.ETicketExchanged:      http.StatusConflict,
	market.ERegionNotSupported:   http.StatusForbidden,
	market.EMerchantPending:      http.StatusForbidden,
	market.EMerchantRefused:      http.StatusForbidden,
	market.EMerchantClosed:       http.StatusForbidden,
	market.EOrganiserNotApproved: http.StatusForbidden,
	market.EFundExhausted:        http.StatusConflict,
	market.ECapReached:           http.StatusConflict,
	market.EProgrammeClosed:      http.StatusConflict,
	market.EAlreadyReversed:      http.StatusConflict,
	market.EReverseTooLate:       http.StatusConflict,
	eCSRF:                        http.StatusForbidden,
	market.ESoldOut:              http.StatusConflict,
	market.EAlreadyCheckedIn:     http.StatusConflict,
	market.ETicketNotValid:       http.StatusConflict,
	market.EChoiceAlreadyMade:    http.StatusConflict,
	market.EChoiceNotOpen:        http.StatusConflict,
	market.EEventNotOnSale:       http.StatusBadRequest,
	market.ETooLarge:             http.StatusRequestEntityTooLarge,
	market.EUnsupportedMedia:     http.StatusUnsupportedMediaType,
	market.ERateLimited:          http.StatusTooManyRequests,
	market.EUnavailable:          http.StatusServiceUnavailable,
	market.EWalletLinkInvalid:    http.StatusUnauthorized,
	market.EGiftSent:             http.StatusConflict,
	market.EWalletNotConfigured:  http.StatusNotFound,
	market.EInternal:             http.StatusInternalServerError,
}

// Codes that only exist at the HTTP edge.
const (
	eMethodNotAllowed = "method_not_allowed"

	// eBadRequest: the request's address itself is malformed (a bad
	// percent-escape), before any route could read it.
	eBadRequest = "bad_request"
)

// errorBody is the contract's error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// handle adapts a handler that returns an error to gin: the error, if any,
// is written in the contract's shape.
func (s *Server) handle(fn func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail writes err as the contract's JSON error. Errors that are not domain
// errors are logged with their detail and answered "internal error".
func (s *Server) fail(c *gin.Context, err error) {
	var me *market.Error
	if !errors.As(err, &me) {
		s.log.ErrorContext(c.Request.Context(), "internal error", "err", err, "route", c.FullPath())
		me = &market.Error{Code: market.EInternal, Message: "Erreur interne. Réessayez dans un instant."}
	} else if me.Code == market.EInternal || me.Code == market.EUnavailable {
		// Adapters wrap the domain error around the cause: log the cause,
		// answer with the domain message only.
		s.log.ErrorContext(c.Request.Context(), "dependency error", "err", err, "route", c.FullPath())
	}
	status, ok := statuses[me.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	c.Abort()
	c.JSON(status, errorBody{errorDetail{Code: me.Code, Message: me.Message, Fields: me.Fields}})
}

// isAPI reports whether the request is for the JSON API (or operations),
// which never answer with HTML.
func isAPI(c *gin.Context) bool { return apiPath(c.Request.URL.Path) }

// apiPath reports whether p is a path of the JSON API (or operations).
func apiPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz"
}

// noRoute answers unknown paths: JSON under /api, the web app elsewhere.
func (s *Server) noRoute(c *gin.Context) {
	if !isAPI(c) && s.cfg.Pages != nil {
		s.cfg.Pages.ServeHTTP(c.Writer, s.pageRequest(c))
		return
	}
	s.fail(c, &market.Error{Code: market.ENotFound, Message: "Cette adresse n'existe pas."})
}

// pageRequest is the request handed to the pages, carrying the client's
// address as the trusted proxies tell it, so that their limits cannot be
// dodged by a forged X-Forwarded-For.
func (s *Server) pageRequest(c *gin.Context) *http.Request {
	return c.Request.WithContext(reqlog.WithClientIP(c.Request.Context(), c.ClientIP()))
}

// noMethod answers a known path called with the wrong method.
func (s *Server) noMethod(c *gin.Context) {
	if !isAPI(c) && s.cfg.Pages != nil {
		s.cfg.Pages.ServeHTTP(c.Writer, s.pageRequest(c))
		return
	}
	s.fail(c, &market.Error{Code: eMethodNotAllowed, Message: "Méthode non permise pour cette adresse."})
}

// logPanic records a recovered panic with its value.
func (s *Server) logPanic(c *gin.Context, v any, stack []byte) {
	s.log.ErrorContext(c.Request.Context(), "panic in handler", "panic", v, "route", c.FullPath(),
		slog.String("stack", string(stack)))
}
