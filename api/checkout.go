package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Checkout is the selling service (market.CheckoutService).
type Checkout interface {
	Create(ctx context.Context, in market.CheckoutInput) (*market.CheckoutResult, error)
	Resume(ctx context.Context, orderID, token string) (string, error)
	HandleEvent(ctx context.Context, ev *market.PaymentEvent) (string, error)
	CompleteDemo(ctx context.Context, sessionID string) (*market.Order, string, error)
	AcceptReview(ctx context.Context, orderID string) (*market.Order, error)
	RefundReview(ctx context.Context, orderID string) (*market.Order, error)
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
		// Programme is a programme card's programme (slug); WithoutBonus
		// buys it without bonus once the fund is spent.
		Programme    string `json:"programme"`
		WithoutBonus bool   `json:"without_bonus"`
		Recipient    *struct {
			Name    string `json:"name"`
			Email   string `json:"email"`
			Message string `json:"message"`
			// DeliverAt sends the recipient's mail on that date (RFC 3339).
			DeliverAt string `json:"deliver_at"`
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
	for i, it := range req.Items {
		item := market.ItemInput{Kind: it.Kind, Merchant: it.Merchant, Event: it.Event, TicketType: it.TicketType,
			Amount: it.Amount, Quantity: it.Quantity, Programme: it.Programme, WithoutBonus: it.WithoutBonus}
		if it.Recipient != nil {
			item.RecipientName, item.RecipientEmail, item.Message = it.Recipient.Name, it.Recipient.Email, it.Recipient.Message
			at, err := parseDeliverAt(fmt.Sprintf("items[%d].recipient.deliver_at", i), it.Recipient.DeliverAt)
			if err != nil {
				return err
			}
			item.DeliverAt = at
		}
		in.Items = append(in.Items, item)
	}
	// The order and its key are written together, the key's answer
	// unfinished (status 0) until the payment page is open: a retry after a
	// crash or a provider outage resumes this order instead of making a
	// second one.
	claimAnswer(c, 0, func(o *market.Order) any { return newCheckoutResponse(o, "") })
	res, err := s.cfg.Checkout.Create(c.Request.Context(), in)
	if err != nil {
		return err
	}
	s.metrics.orders.Inc()
	c.JSON(http.StatusCreated, newCheckoutResponse(res.Order, res.CheckoutURL))
	return nil
}

func newCheckoutResponse(o *market.Order, url string) checkoutResponse {
	var out checkoutResponse
	out.Order.ID, out.Order.Status = o.ID, o.Status
	out.Order.Total = market.Money{Amount: o.Total, Currency: o.Currency}
	out.Order.AccessToken = o.AccessToken
	out.CheckoutURL = url
	return out
}

// resumeCheckout completes a checkout whose answer was kept unfinished: the
// order exists (its seats held); its payment page is opened now.
func (s *Server) resumeCheckout(c *gin.Context, unfinished []byte) (int, []byte, error) {
	var out checkoutResponse
	if err := json.Unmarshal(unfinished, &out); err != nil || out.Order.ID == "" {
		return 0, nil, market.Errorf(market.EInternal, "idempotency: unreadable unfinished checkout")
	}
	url, err := s.cfg.Checkout.Resume(c.Request.Context(), out.Order.ID, out.Order.AccessToken)
	if err != nil {
		return 0, nil, err
	}
	out.CheckoutURL = url
	b, err := json.Marshal(out)
	return http.StatusCreated, b, err
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
