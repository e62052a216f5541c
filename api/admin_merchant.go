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

// adminPageMerchant returns the merchant named in the path, for the
// admins' page routes.
func (s *Server) adminPageMerchant(c *gin.Context) (*market.Merchant, error) {
	if err := s.pagesReady(); err != nil {
		return nil, err
	}
	return s.cfg.Merchants.Merchant(c.Request.Context(), c.Param("slug"))
}

// hidePagePhoto answers POST /api/v1/admin/merchants/{slug}/photos/{id}/hide
// {"reason"}: the merchant reads the reason on its page.
func (s *Server) hidePagePhoto(c *gin.Context) error {
	return s.hidePageItem(c, s.cfg.MerchantPages.HidePhoto)
}

// hidePost answers POST /api/v1/admin/merchants/{slug}/posts/{id}/hide
// {"reason"}.
func (s *Server) hidePost(c *gin.Context) error {
	return s.hidePageItem(c, s.cfg.MerchantPages.HidePost)
}

func (s *Server) hidePageItem(c *gin.Context, hide func(context.Context, *market.Actor, *market.Merchant, string, string) error) error {
	m, err := s.adminPageMerchant(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := hide(c.Request.Context(), actor(c), m, c.Param("id"), req.Reason); err != nil {
		return err
	}
	s.catalogueChanged(c.Request.Context())
	c.JSON(http.StatusOK, gin.H{"hidden": true, "hidden_reason": req.Reason})
	return nil
}

// pageChanges answers GET /api/v1/admin/merchants/{slug}/changes: who
// changed what of the page, and when, newest first.
func (s *Server) pageChanges(c *gin.Context) error {
	m, err := s.adminPageMerchant(c)
	if err != nil {
		return err
	}
	changes, err := s.cfg.PageReads.PageChanges(c.Request.Context(), m.ID, market.MaxLimit)
	if err != nil {
		return err
	}
	out := make([]changeJSON, len(changes))
	for i, ch := range changes {
		out[i] = changeJSON{Who: ch.ActorName, What: ch.What, Detail: ch.Detail, At: ch.At}
	}
	c.JSON(http.StatusOK, list[changeJSON]{Data: out})
	return nil
}
