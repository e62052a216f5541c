package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// WebhookParser verifies and decodes payment webhooks (payments.Stripe),
// with the secrets of the endpoint they reached.
type WebhookParser interface {
	ParseWebhook(endpoint market.WebhookEndpoint, payload []byte, signature string) (*market.PaymentEvent, error)
}

// platformWebhook answers POST /api/v1/webhooks/stripe: the platform's
// events (checkouts, charges, disputes, refunds), signed with
// STRIPE_WEBHOOK_SECRET.
func (s *Server) platformWebhook(c *gin.Context) error {
	return s.webhook(c, market.PlatformWebhooks)
}

// connectWebhook answers POST /api/v1/webhooks/stripe/connect: the
// connected accounts' events (account.updated…), signed with
// STRIPE_CONNECT_WEBHOOK_SECRET.
func (s *Server) connectWebhook(c *gin.Context) error {
	return s.webhook(c, market.ConnectWebhooks)
}

// webhook verifies a delivery with the endpoint's secrets and applies it.
// A bad signature (or one made with the other endpoint's secret) is a 400
// and changes nothing; a failure to record the event is a 5xx, so that
// Stripe delivers it again.
func (s *Server) webhook(c *gin.Context, endpoint market.WebhookEndpoint) error {
	if s.cfg.Payments == nil {
		return market.NotFound("Webhook")
	}
	payload, err := c.GetRawData()
	if err != nil {
		if isTooLarge(err) {
			return tooLarge(s.cfg.MaxBody)
		}
		return market.Errorf(market.EInvalid, "Corps illisible.")
	}
	ev, err := s.cfg.Payments.ParseWebhook(endpoint, payload, c.GetHeader("Stripe-Signature"))
	if err != nil {
		s.metrics.webhooks.WithLabelValues("bad_signature").Inc()
		s.log.WarnContext(c.Request.Context(), "webhook refused", "endpoint", endpoint, "err", err)
		return err
	}
	// Stripe waits for the answer; a slow database must not make it retry
	// an event that was in fact recorded, nor cut a fulfilment half-way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 20*time.Second)
	defer cancel()
	outcome, err := s.cfg.Checkout.HandleEvent(ctx, ev)
	if err != nil {
		s.metrics.webhooks.WithLabelValues("error").Inc()
		return err
	}
	s.metrics.webhooks.WithLabelValues(outcome).Inc()
	s.log.InfoContext(ctx, "webhook", "endpoint", endpoint, "event", ev.ID, "type", ev.Type, "order", ev.OrderID, "outcome", outcome)
	c.JSON(http.StatusOK, gin.H{"received": true, "outcome": outcome})
	return nil
}
