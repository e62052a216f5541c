package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Connect is Stripe Connect Express onboarding (payments.Stripe); nil with
// demo payments.
type Connect interface {
	CreateAccount(ctx context.Context, email, country string) (string, error)
	OnboardingLink(ctx context.Context, accountID, refreshURL, returnURL string) (string, error)
}

// paymentsOnboarding answers POST /api/v1/merchant/payments/onboarding:
// with Stripe, a Connect Express account (made once) and its onboarding
// link; the merchant is sold once Stripe's account.updated says charges
// are enabled. With demo payments, the merchant is ready at once.
func (s *Server) paymentsOnboarding(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if s.cfg.Connect == nil {
		if err := s.cfg.Onboarding.SetMerchantPayments(ctx, m.ID, "", true); err != nil {
			return err
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready", "demo": true})
		return nil
	}
	account := m.StripeAccount
	if account == "" {
		country := "CA"
		if m.Currency == market.EUR {
			country = "FR"
		}
		if account, err = s.cfg.Connect.CreateAccount(ctx, actor(c).Email, country); err != nil {
			return err
		}
		if err := s.cfg.Onboarding.SetMerchantPayments(ctx, m.ID, account, false); err != nil {
			return err
		}
	}
	back := s.cfg.BaseURL + "/commerce/paiements"
	link, err := s.cfg.Connect.OnboardingLink(ctx, account, back+"?refresh=1", back+"?retour=1")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"status": "onboarding", "url": link})
	return nil
}
