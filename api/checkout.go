package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Checkout is the selling service (market.CheckoutService).
type Checkout interface {
	Create(ctx context.Context, in market.CheckoutInput) (*market.CheckoutResult, error)
	HandleEvent(ctx context.Context, ev *market.PaymentEvent) (string, error)
	CompleteDemo(ctx context.Context, sessionID string) (*market.Order, string, error)
}

// checkoutRequest is the body of POST /api/v1/checkout. It has no
// server-owned field: status, totals and ids are the server's to set.
type checkoutRequest struct {
	Buyer struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"buyer"`
	Items []struct {
		Kind       market.ItemKind `json:"kind"`
		Merchant   string          `json:"merchant"`
		Event      string          `json:"event"`
		TicketType string          `json:"ticket_type"`
		Amount     int64           `json:"amount"`
		Quantity   int             `json:"quantity"`
		Recipient  *struct {
			Name    string `json:"name"`
			Email   string `json:"email"`
			Message string `json:"message"`
		} `json:"recipient"`
	} `json:"items"`
	Ref  string `json:"ref"`
	Lang string `json:"lang"`
}

type checkoutResponse struct {
	Order struct {
		ID          string             `json:"id"`
		Status      market.OrderStatus `json:"status"`
		Total       market.Money       `json:"total"`
		AccessToken string             `json:"access_token"`
	} `json:"order"`
	CheckoutURL string `json:"checkout_url"`
}

// createCheckout answers POST /api/v1/checkout: a pending order and the
// payment page to pay it. Limited per IP and per buyer.
func (s *Server) createCheckout(c *gin.Context) error {
	if err := s.limit(c, "checkout:ip:"+c.ClientIP(), s.cfg.Limits.CheckoutPerIP); err != nil {
		return err
	}
	var req checkoutRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if email, err := market.CheckEmail("buyer.email", req.Buyer.Email, true); err == nil {
		if err := s.limit(c, "checkout:buyer:"+email, s.cfg.Limits.CheckoutPerBuyer); err != nil {
			return err
		}
	}
	in := market.CheckoutInput{BuyerEmail: req.Buyer.Email, BuyerName: req.Buyer.Name, Lang: req.Lang, Ref: req.Ref}
	if in.Ref == "" {
		in.Ref, _ = c.Cookie("sol_ref")
	}
	for _, it := range req.Items {
		item := market.ItemInput{Kind: it.Kind, Merchant: it.Merchant, Event: it.Event, TicketType: it.TicketType,
			Amount: it.Amount, Quantity: it.Quantity}
		if it.Recipient != nil {
			item.RecipientName, item.RecipientEmail, item.Message = it.Recipient.Name, it.Recipient.Email, it.Recipient.Message
		}
		in.Items = append(in.Items, item)
	}
	res, err := s.cfg.Checkout.Create(c.Request.Context(), in)
	if err != nil {
		return err
	}
	s.metrics.orders.Inc()
	var out checkoutResponse
	out.Order.ID, out.Order.Status = res.Order.ID, res.Order.Status
	out.Order.Total = market.Money{Amount: res.Order.Total, Currency: res.Order.Currency}
	out.Order.AccessToken = res.AccessToken
	out.CheckoutURL = res.CheckoutURL
	c.JSON(http.StatusCreated, out)
	return nil
}

// stripeWebhook answers POST /api/v1/webhooks/stripe. A bad signature is a
// 400 and changes nothing; a failure to record the event is a 500, so that
// Stripe delivers it again.
func (s *Server) stripeWebhook(c *gin.Context) error {
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
	ev, err := s.cfg.Payments.ParseWebhook(payload, c.GetHeader("Stripe-Signature"))
	if err != nil {
		s.metrics.webhooks.WithLabelValues("bad_signature").Inc()
		s.log.WarnContext(c.Request.Context(), "webhook refused", "err", err)
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
	s.log.InfoContext(ctx, "webhook", "event", ev.ID, "type", ev.Type, "order", ev.OrderID, "outcome", outcome)
	c.JSON(http.StatusOK, gin.H{"received": true, "outcome": outcome})
	return nil
}

// completeDemo answers POST /api/v1/demo/checkout/{session}/complete: the
// demo provider's "pay" button, which runs the same fulfilment as a paid
// Stripe webhook.
func (s *Server) completeDemo(c *gin.Context) error {
	o, outcome, err := s.cfg.Checkout.CompleteDemo(c.Request.Context(), c.Param("session"))
	if err != nil {
		return err
	}
	s.metrics.webhooks.WithLabelValues("demo_" + outcome).Inc()
	c.JSON(http.StatusOK, gin.H{"order": gin.H{"id": o.ID}, "outcome": outcome})
	return nil
}
