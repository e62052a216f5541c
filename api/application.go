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
	// City finds an application's city in the list of cities.
	market.CityFinder
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
	// The number's shape depends on the country, told by the currency.
	registration, err := market.CheckRegistration(b.Currency, "business.registration", b.Registration)
	if err != nil {
		return err
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
		Registration: registration, ContactEmail: email, ContactPhone: b.Phone}
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
	ctx := c.Request.Context()
	// Only a city of the list, written as the list writes it: "montreal"
	// is Montréal, never a second one.
	city, err := market.ListedCity(ctx, s.cfg.Onboarding, "business.city", m.City)
	if err != nil {
		return err
	}
	m.City = city.Name
	owner := &market.User{Email: email, Name: strings.TrimSpace(req.Owner.Name), PasswordHash: hash}
	for try := 0; ; try++ {
		if m.Slug, err = s.freeSlug(ctx, m); err != nil {
			return err
		}
		err = s.cfg.Onboarding.CreateApplication(ctx, m, owner)
		if market.ErrorCode(err) != market.EConflict {
			break
		}
		if _, taken := s.cfg.Merchants.Merchant(ctx, m.Slug); taken == nil && try < 3 {
			continue // another business took the address at the same moment
		}
		// The address has an account. Its owner is told by mail, and the
		// answer is the one a new address gets, so that it tells a
		// stranger nothing.
		err = s.cfg.SignIn.ExistingAccountApplied(ctx, email, m.Name, "")
		if market.ErrorCode(err) == market.ENotFound {
			err = &market.Error{Code: market.EConflict, Message: "La demande n'a pas pu être enregistrée : réessayez."}
		}
		break
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"merchant": gin.H{"slug": m.Slug, "status": m.Status}})
	return nil
}

// freeSlug finds an address (/m/{slug}) for an applying business that no
// merchant has: its name, then its name and city, then a number after
// them. Two businesses may share a name, and an application never fails
// on a taken name: a refusal there would tell a stranger, by comparison,
// whether an earlier application with an address created its account.
func (s *Server) freeSlug(ctx context.Context, m *market.Merchant) (string, error) {
	base := market.Slugify(m.Name)
	candidates := []string{base}
	if city := market.Slugify(m.City); city != "" && !strings.HasSuffix(base, "-"+city) {
		base += "-" + city
		candidates = append(candidates, base)
	}
	for i := 2; i <= 20; i++ {
		candidates = append(candidates, fmt.Sprintf("%s-%d", base, i))
	}
	for _, slug := range candidates {
		_, err := s.cfg.Merchants.Merchant(ctx, slug)
		if market.ErrorCode(err) == market.ENotFound {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
	return base + "-" + strings.ToLower(market.NewShareCode()), nil
}
