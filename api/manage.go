package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
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

// Connect is Stripe Connect Express onboarding (payments.Stripe); nil with
// demo payments.
type Connect interface {
	CreateAccount(ctx context.Context, email, country string) (string, error)
	OnboardingLink(ctx context.Context, accountID, refreshURL, returnURL string) (string, error)
}

// live answers GET /api/v1/merchant/live: server-sent events of the
// merchant's redemptions, from every instance (through Redis when
// configured), with a heartbeat so proxies keep the stream open.
func (s *Server) live(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermDashboard)
	if err != nil {
		return err
	}
	if s.cfg.Feed == nil {
		return &market.Error{Code: market.EUnavailable, Message: "Flux en direct indisponible."}
	}
	ctx := c.Request.Context()
	events, stop, err := s.cfg.Feed.Subscribe(ctx, market.MerchantChannel(m.ID))
	if err != nil {
		return err
	}
	defer stop()
	// The server's write timeout is for ordinary answers; a stream lives
	// until the client goes.
	rc := http.NewResponseController(c.Writer)
	rc.SetWriteDeadline(time.Time{})
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	fmt.Fprintf(c.Writer, "retry: 3000\nevent: ready\ndata: {}\n\n")
	rc.Flush()
	beat := time.NewTicker(25 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			fmt.Fprint(c.Writer, ": heartbeat\n\n")
		case msg, ok := <-events:
			if !ok {
				return nil
			}
			fmt.Fprintf(c.Writer, "event: redemption\ndata: %s\n\n", msg)
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// listStaff answers GET /api/v1/merchant/staff.
func (s *Server) listStaff(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	staff, err := s.cfg.Merchants.Staff(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	type memberOut struct {
		ID    string      `json:"id"`
		Email string      `json:"email"`
		Name  string      `json:"name"`
		Role  market.Role `json:"role"`
	}
	out := make([]memberOut, len(staff))
	for i, p := range staff {
		out[i] = memberOut{p.UserID, p.Email, p.Name, p.Role}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}

// inviteStaff answers POST /api/v1/merchant/staff/invitations {"email"}.
func (s *Server) inviteStaff(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	var req struct {
		Email string `json:"email"`
		Lang  string `json:"lang"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.cfg.SignIn.InviteStaff(c.Request.Context(), actor(c), m, req.Email, req.Lang); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "invited"})
	return nil
}

// removeStaff answers DELETE /api/v1/merchant/staff/{user}. An owner cannot
// remove themself (a merchant must keep an owner).
func (s *Server) removeStaff(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	if c.Param("user") == actor(c).UserID {
		return &market.Error{Code: market.EConflict, Message: "Vous ne pouvez pas vous retirer vous-même."}
	}
	if err := s.cfg.Merchants.RevokeMerchant(c.Request.Context(), c.Param("user"), m.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// listDevices answers GET /api/v1/merchant/devices.
func (s *Server) listDevices(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	ds, err := s.cfg.Merchants.Devices(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	type deviceOut struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		CreatedAt  time.Time  `json:"created_at"`
		LastSeenAt *time.Time `json:"last_seen_at"`
		Revoked    bool       `json:"revoked"`
	}
	out := make([]deviceOut, len(ds))
	for i, d := range ds {
		out[i] = deviceOut{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt, Revoked: !d.RevokedAt.IsZero()}
		if !d.LastSeenAt.IsZero() {
			out[i].LastSeenAt = &ds[i].LastSeenAt
		}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}

// startPairing answers POST /api/v1/merchant/devices/pairing {"name"}: a
// code (and the URL its QR holds) that a till exchanges for its token.
func (s *Server) startPairing(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	code, expires, err := s.cfg.SignIn.StartPairing(c.Request.Context(), actor(c), m.ID, req.Name)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"code": code, "expires_at": expires, "pair_url": s.cfg.BaseURL + "/caisse/jumeler?code=" + code})
	return nil
}

// revokeDevice answers POST /api/v1/merchant/devices/{id}/revoke.
func (s *Server) revokeDevice(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	if err := s.cfg.Merchants.RevokeDevice(c.Request.Context(), m.ID, c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
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

// adminOutbox answers GET /api/v1/admin/outbox?status=held: the emails,
// readable when no SMTP server is configured.
func (s *Server) adminOutbox(c *gin.Context) error {
	ms, err := s.cfg.Onboarding.Mails(c.Request.Context(), market.MailStatus(c.Query("status")), 100)
	if err != nil {
		return err
	}
	type mailOut struct {
		ID        string    `json:"id"`
		To        string    `json:"to"`
		Subject   string    `json:"subject"`
		Text      string    `json:"text"`
		Status    string    `json:"status"`
		Attempts  int       `json:"attempts"`
		LastError string    `json:"last_error,omitempty"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := make([]mailOut, len(ms))
	for i, m := range ms {
		out[i] = mailOut{m.ID, m.To, m.Subject, m.Text, string(m.Status), m.Attempts, m.LastError, m.CreatedAt}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}
