package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Onboarding creates merchants and connects them to payments (store.DB
// and, with Stripe, payments.Stripe).
type Onboarding interface {
	CreateApplication(ctx context.Context, m *market.Merchant, owner *market.User) error
	ListMerchantsByStatus(ctx context.Context, status market.MerchantStatus) ([]*market.Merchant, error)
	SetMerchantStatus(ctx context.Context, merchantID string, status market.MerchantStatus) error
	SetMerchantPayments(ctx context.Context, merchantID, account string, chargesEnabled bool) error
	Mails(ctx context.Context, status market.MailStatus, n int) ([]*market.Mail, error)
}

// applicationRequest is a business applying to sell on Solidaire.
type applicationRequest struct {
	Business struct {
		Name         string          `json:"name"`
		Category     market.Category `json:"category"`
		City         string          `json:"city"`
		Address      string          `json:"address"`
		Summary      string          `json:"summary"`
		Registration string          `json:"registration"`
		Phone        string          `json:"phone"`
		Currency     market.Currency `json:"currency"`
	} `json:"business"`
	Owner struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Password string `json:"password"`
	} `json:"owner"`
}

// apply answers POST /api/v1/merchant-applications: the business is stored
// pending, with its owner's account; an admin approves it.
func (s *Server) apply(c *gin.Context) error {
	if err := s.limit(c, "apply:ip:"+c.ClientIP(), s.cfg.Limits.LoginPerIP); err != nil {
		return err
	}
	var req applicationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b := req.Business
	email, err := market.CheckEmail("owner.email", req.Owner.Email, true)
	if err != nil {
		return err
	}
	if strings.TrimSpace(b.Registration) == "" || len(b.Registration) > 40 {
		return market.Invalid("business.registration", "registration number (NEQ, SIRET…) is required")
	}
	for field, v := range map[string]struct {
		text string
		max  int
	}{"business.name": {b.Name, 100}, "business.address": {b.Address, 200}, "business.summary": {b.Summary, 280},
		"business.phone": {b.Phone, 30}, "business.city": {b.City, 100}} {
		if utf8.RuneCountInString(v.text) > v.max {
			return market.Invalid(field, fmt.Sprintf("must be at most %d characters", v.max))
		}
	}
	hash, err := market.HashPassword(req.Owner.Password)
	if err != nil {
		return &market.Error{Code: market.EInvalid, Message: "Mot de passe trop court.", Fields: map[string]string{"owner.password": "must be 8 to 256 characters"}}
	}
	m := &market.Merchant{Slug: market.Slugify(b.Name), Name: strings.TrimSpace(b.Name), Category: b.Category, City: strings.TrimSpace(b.City),
		Address: b.Address, Summary: b.Summary, Currency: b.Currency, Accepts: []market.ItemKind{market.KindGiftCertificate},
		MinAmount: 1000, MaxAmount: 30000, Suggested: []int64{2500, 5000, 10000}, Status: market.MerchantPending,
		Registration: strings.TrimSpace(b.Registration), ContactEmail: email, ContactPhone: b.Phone}
	if b.Category == market.Category("spectacle") {
		m.Accepts = append(m.Accepts, market.KindTicket, market.KindSolidarityTicket)
	}
	if err := m.Validate(); err != nil {
		if me, ok := err.(*market.Error); ok {
			for k, v := range me.Fields {
				me.Fields = map[string]string{"business." + k: v}
			}
		}
		return err
	}
	owner := &market.User{Email: email, Name: strings.TrimSpace(req.Owner.Name), PasswordHash: hash}
	if err := s.cfg.Onboarding.CreateApplication(c.Request.Context(), m, owner); err != nil {
		if market.ErrorCode(err) == market.EConflict {
			return &market.Error{Code: market.EConflict, Message: "Un commerce de ce nom ou un compte à cette adresse existe déjà."}
		}
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"merchant": gin.H{"slug": m.Slug, "status": m.Status}})
	return nil
}
