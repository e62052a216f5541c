package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// MerchantReview is an admin's decision on a merchant
// (market.MerchantReview).
type MerchantReview interface {
	Refuse(ctx context.Context, slug, reason string) (*market.Merchant, error)
	Close(ctx context.Context, slug string) (*market.Merchant, error)
}

// adminMerchants answers GET /api/v1/admin/merchants?status=pending
// (or approved, refused, closed).
func (s *Server) adminMerchants(c *gin.Context) error {
	status := market.MerchantStatus(c.DefaultQuery("status", string(market.MerchantPending)))
	switch status {
	case market.MerchantPending, market.MerchantApproved, market.MerchantRefused, market.MerchantClosed:
	default:
		return market.Invalid("status", "must be pending, approved, refused or closed")
	}
	ms, err := s.cfg.Onboarding.ListMerchantsByStatus(c.Request.Context(), status)
	if err != nil {
		return err
	}
	type out struct {
		merchantCard
		Registration string    `json:"registration"`
		ContactEmail string    `json:"contact_email"`
		ContactPhone string    `json:"contact_phone"`
		Address      string    `json:"address"`
		Status       string    `json:"status"`
		PaymentsOK   bool      `json:"payments_ok"`
		Reason       string    `json:"refused_reason,omitempty"`
		CreatedAt    time.Time `json:"created_at"`
	}
	data := make([]out, len(ms))
	for i, m := range ms {
		data[i] = out{newMerchantCard(m), m.Registration, m.ContactEmail, m.ContactPhone, m.Address, string(m.Status),
			m.ChargesEnabled, m.RefusedReason, m.CreatedAt}
	}
	c.JSON(http.StatusOK, gin.H{"data": data, "next_cursor": ""})
	return nil
}

// approveMerchant answers POST /api/v1/admin/merchants/{slug}/approve.
func (s *Server) approveMerchant(c *gin.Context) error {
	m, err := s.cfg.Merchants.Merchant(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	if err := s.cfg.Onboarding.SetMerchantStatus(c.Request.Context(), m.ID, market.MerchantApproved); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"merchant": gin.H{"slug": m.Slug, "status": market.MerchantApproved}})
	return nil
}

// refuseMerchant answers POST /api/v1/admin/merchants/{slug}/refuse
// {"reason"}: the application is refused and the reason mailed to the
// applicant.
func (s *Server) refuseMerchant(c *gin.Context) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, err := s.cfg.Review.Refuse(c.Request.Context(), c.Param("slug"), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"merchant": gin.H{"slug": m.Slug, "status": m.Status, "refused_reason": m.RefusedReason}})
	return nil
}

// closeMerchant answers POST /api/v1/admin/merchants/{slug}/close: the
// merchant leaves the directory and sells no more; its vouchers stay
// valid at its till.
func (s *Server) closeMerchant(c *gin.Context) error {
	m, err := s.cfg.Review.Close(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"merchant": gin.H{"slug": m.Slug, "status": m.Status}})
	return nil
}
