package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// adminMerchants answers GET /api/v1/admin/merchants?status=pending.
func (s *Server) adminMerchants(c *gin.Context) error {
	status := market.MerchantStatus(c.DefaultQuery("status", string(market.MerchantPending)))
	switch status {
	case market.MerchantPending, market.MerchantApproved, market.MerchantClosed:
	default:
		return market.Invalid("status", "must be pending, approved or closed")
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
		CreatedAt    time.Time `json:"created_at"`
	}
	data := make([]out, len(ms))
	for i, m := range ms {
		data[i] = out{newMerchantCard(m), m.Registration, m.ContactEmail, m.ContactPhone, m.Address, string(m.Status),
			m.ChargesEnabled, m.CreatedAt}
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
