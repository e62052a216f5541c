package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// PaymentAccounts connects merchants to the payment provider
// (market.PaymentsOnboarding).
type PaymentAccounts interface {
	Start(ctx context.Context, m *market.Merchant, email string) (*market.PaymentsStatus, error)
	Status(ctx context.Context, m *market.Merchant) (*market.PaymentsStatus, error)
}

// requirementJSON is one thing the provider still needs, with its key and
// what it means in plain French.
type requirementJSON struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// paymentsJSON is where a merchant's payments stand.
type paymentsJSON struct {
	Status         string            `json:"status"` // ready, onboarding, not_started
	Demo           bool              `json:"demo,omitempty"`
	URL            string            `json:"url,omitempty"`
	Account        string            `json:"account,omitempty"`
	ChargesEnabled bool              `json:"charges_enabled"`
	PayoutsEnabled bool              `json:"payouts_enabled"`
	Due            []requirementJSON `json:"due"`
	DisabledReason string            `json:"disabled_reason,omitempty"`
	Explanation    string            `json:"explanation,omitempty"`
	CheckedAt      *time.Time        `json:"checked_at,omitempty"`
	// MerchantStatus is the merchant's review (pending, approved, refused,
	// closed): the dashboard's first steps start with it.
	MerchantStatus market.MerchantStatus `json:"merchant_status,omitempty"`
}

func newPaymentsJSON(st *market.PaymentsStatus) paymentsJSON {
	out := paymentsJSON{Status: "not_started", Demo: st.Demo, URL: st.URL, Due: []requirementJSON{}}
	switch {
	case st.Ready:
		out.Status = "ready"
	case st.Account != nil:
		out.Status = "onboarding"
	}
	out.ChargesEnabled = st.Ready
	if a := st.Account; a != nil {
		now := time.Now().UTC()
		out.Account, out.ChargesEnabled, out.PayoutsEnabled, out.CheckedAt = a.ID, a.ChargesEnabled, a.PayoutsEnabled, &now
		seen := map[string]bool{}
		for _, k := range a.CurrentlyDue {
			// Several keys can ask one thing (tos_acceptance.date and .ip):
			// the owner reads it once.
			if text := market.RequirementText(k); !seen[text] {
				seen[text] = true
				out.Due = append(out.Due, requirementJSON{k, text})
			}
		}
		out.DisabledReason, out.Explanation = a.DisabledReason, market.DisabledReasonText(a.DisabledReason)
	}
	return out
}

// paymentsOnboarding answers POST /api/v1/merchant/payments/onboarding:
// with Stripe, the merchant's Connect Express account (made once, even on a
// double click), where it stands (asked of Stripe now, so the merchant is
// sellable as soon as Stripe says so, without waiting for a webhook), and
// while it cannot be charged a fresh onboarding link. With demo payments
// the merchant is ready at once. 403 region_not_supported for a merchant
// outside the platform's countries.
func (s *Server) paymentsOnboarding(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	st, err := s.cfg.PaymentAccounts.Start(c.Request.Context(), m, actor(c).Email)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, newPaymentsJSON(st))
	return nil
}

// paymentsStatus answers GET /api/v1/merchant/payments: where the
// merchant's payments stand, asked of Stripe now (the owner's return from
// Stripe's pages, /commerce/paiements?retour=1), with what Stripe still
// needs in plain French.
func (s *Server) paymentsStatus(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	st, err := s.cfg.PaymentAccounts.Status(c.Request.Context(), m)
	if err != nil {
		return err
	}
	out := newPaymentsJSON(st)
	out.MerchantStatus = m.Status
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}
