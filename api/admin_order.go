package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// AdminOrders reads orders for the admins (store.DB).
type AdminOrders interface {
	OrdersByStatus(ctx context.Context, status market.OrderStatus, n int) ([]*market.Order, error)
}

// adminOrderJSON is an order as the admins see it.
type adminOrderJSON struct {
	ID            string             `json:"id"`
	Status        market.OrderStatus `json:"status"`
	Merchant      merchantRef        `json:"merchant"`
	Total         market.Money       `json:"total"`
	Paid          market.Money       `json:"paid"`
	ReviewNote    string             `json:"review_note,omitempty"`
	BuyerEmail    string             `json:"buyer_email"`
	BuyerName     string             `json:"buyer_name,omitempty"`
	PaymentIntent string             `json:"payment_intent,omitempty"`
	Items         []orderItemJSON    `json:"items"`
	CreatedAt     time.Time          `json:"created_at"`
}

func newAdminOrderJSON(o *market.Order) adminOrderJSON {
	out := adminOrderJSON{ID: o.ID, Status: o.Status, Merchant: merchantRef{o.MerchantSlug, o.MerchantName},
		Total: market.Money{Amount: o.Total, Currency: o.Currency}, Paid: market.Money{Amount: o.AmountPaid, Currency: o.Currency},
		ReviewNote: o.ReviewNote, BuyerEmail: o.BuyerEmail, BuyerName: o.BuyerName, PaymentIntent: o.PaymentIntent,
		Items: []orderItemJSON{}, CreatedAt: o.CreatedAt}
	for _, it := range o.Items {
		out.Items = append(out.Items, orderItemJSON{Kind: it.Kind, Event: it.EventID, Amount: market.Money{Amount: it.Amount, Currency: o.Currency},
			Quantity: it.Quantity, RecipientName: it.RecipientName})
	}
	return out
}

// adminOrders answers GET /api/v1/admin/orders?status=review: the orders
// waiting for a person (a payment that did not match its order, or came
// after its seats were gone), oldest first.
func (s *Server) adminOrders(c *gin.Context) error {
	status := market.OrderStatus(c.DefaultQuery("status", string(market.OrderReview)))
	switch status {
	case market.OrderReview, market.OrderPending, market.OrderPaid, market.OrderExpired, market.OrderRefunded:
	default:
		return market.Invalid("status", "must be review, pending, paid, expired or refunded")
	}
	os, err := s.cfg.AdminOrders.OrdersByStatus(c.Request.Context(), status, 200)
	if err != nil {
		return err
	}
	out := list[adminOrderJSON]{Data: make([]adminOrderJSON, len(os))}
	for i, o := range os {
		out.Data[i] = newAdminOrderJSON(o)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// acceptOrder answers POST /api/v1/admin/orders/{id}/accept: the order in
// review is fulfilled, once, and its vouchers or tickets mailed to the
// buyer. 409 conflict when it is not in review; 409 sold_out when its seats
// are gone (refund it instead).
func (s *Server) acceptOrder(c *gin.Context) error {
	o, err := s.cfg.Checkout.AcceptReview(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	s.log.InfoContext(c.Request.Context(), "admin accepted an order in review", "order", o.ID, "by", actor(c).ID())
	c.JSON(http.StatusOK, gin.H{"order": newAdminOrderJSON(o)})
	return nil
}

// refundOrder answers POST /api/v1/admin/orders/{id}/refund: the order in
// review is refunded in full through Stripe (the money taken back from the
// merchant's account), once, and the buyer told. 409 conflict when it is
// not in review.
func (s *Server) refundOrder(c *gin.Context) error {
	o, err := s.cfg.Checkout.RefundReview(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	s.log.InfoContext(c.Request.Context(), "admin refunded an order in review", "order", o.ID, "by", actor(c).ID())
	c.JSON(http.StatusOK, gin.H{"order": newAdminOrderJSON(o)})
	return nil
}
