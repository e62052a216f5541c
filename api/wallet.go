package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Wallet opens citizens' wallets by email (market.WalletService).
type Wallet interface {
	RequestLink(ctx context.Context, email, lang string) error
	Open(ctx context.Context, linkToken string) (string, *market.WalletSession, error)
	Session(ctx context.Context, token string) (*market.WalletSession, error)
	End(ctx context.Context, ws *market.WalletSession) error
	Wallet(ctx context.Context, ws *market.WalletSession) (*market.Wallet, error)
	Resend(ctx context.Context, ws *market.WalletSession, code string) error
	Reschedule(ctx context.Context, ws *market.WalletSession, code string, deliverAt time.Time, to string) error
}

// WalletCookie is the name of the wallet session cookie, apart from the
// merchants' session cookie.
const WalletCookie = "sol_wallet"

// walletLinksPerEmail bounds the links mailed to one address.
var walletLinksPerEmail = Rate{5, time.Hour}

// ctxWallet is the gin context key of the *market.WalletSession.
const ctxWallet = "wallet_session"

// requestWalletLink answers POST /api/v1/wallet/link: 202 whether or not
// the address bought anything, so nobody learns who holds vouchers.
func (s *Server) requestWalletLink(c *gin.Context) error {
	if err := s.limit(c, "wallet:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	var req struct {
		Email string `json:"email"`
		Lang  string `json:"lang"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	email, err := market.CheckEmail("email", req.Email, true)
	if err != nil {
		return err
	}
	if err := s.limit(c, "wallet:email:"+email, walletLinksPerEmail); err != nil {
		return err
	}
	if err := s.cfg.Wallet.RequestLink(c.Request.Context(), email, req.Lang); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "Si cette adresse a des bons, un lien pour les ouvrir vient de lui être envoyé (valable 30 minutes)."})
	return nil
}

// openWallet answers POST /api/v1/wallet/session {"token"}: the emailed
// link's token, used once, opens a session on this device (a cookie, and
// the token in the body for scripts).
func (s *Server) openWallet(c *gin.Context) error {
	if err := s.limit(c, "wallet:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	var req struct {
		Token string `json:"token"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	token, ws, err := s.cfg.Wallet.Open(c.Request.Context(), strings.TrimSpace(req.Token))
	if err != nil {
		return err
	}
	SetWalletCookie(c.Writer, token, s.cfg.BaseURL)
	c.JSON(http.StatusCreated, gin.H{"token": token, "email": ws.Email, "expires_at": ws.ExpiresAt})
	return nil
}

// SetWalletCookie sets the wallet session cookie: HttpOnly, SameSite=Lax,
// Secure on an https site, for 30 days. The pages set it too.
func SetWalletCookie(w http.ResponseWriter, token, baseURL string) {
	http.SetCookie(w, &http.Cookie{Name: WalletCookie, Value: token, Path: "/", MaxAge: int(market.WalletSessionTTL.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(baseURL, "https://"), SameSite: http.SameSiteLaxMode})
}

// ClearWalletCookie removes the wallet session cookie.
func ClearWalletCookie(w http.ResponseWriter, baseURL string) {
	http.SetCookie(w, &http.Cookie{Name: WalletCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: strings.HasPrefix(baseURL, "https://"), SameSite: http.SameSiteLaxMode})
}

// requireWallet authenticates a wallet request (the wallet cookie, or
// Authorization: Bearer with the session token); cookie-authenticated
// writes must come from our pages.
func (s *Server) requireWallet(c *gin.Context) {
	token, viaCookie := "", false
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	} else if ck, err := c.Cookie(WalletCookie); err == nil {
		token, viaCookie = ck, true
	}
	if viaCookie && !safeMethod(c.Request.Method) && !s.sameOrigin(c) {
		s.fail(c, &market.Error{Code: eCSRF, Message: "Requête refusée : elle ne vient pas de Solidaire."})
		return
	}
	ws, err := s.cfg.Wallet.Session(c.Request.Context(), token)
	if err != nil {
		if viaCookie {
			ClearWalletCookie(c.Writer, s.cfg.BaseURL)
		}
		s.fail(c, err)
		return
	}
	c.Set(ctxWallet, ws)
	c.Next()
}

func walletSession(c *gin.Context) *market.WalletSession {
	ws, _ := c.Get(ctxWallet)
	return ws.(*market.WalletSession)
}

// endWallet answers DELETE /api/v1/wallet/session: this device leaves the
// wallet.
func (s *Server) endWallet(c *gin.Context) error {
	if err := s.cfg.Wallet.End(c.Request.Context(), walletSession(c)); err != nil {
		return err
	}
	ClearWalletCookie(c.Writer, s.cfg.BaseURL)
	c.Status(http.StatusNoContent)
	return nil
}

type walletEntryJSON struct {
	Kind     string       `json:"kind"`
	Amount   market.Money `json:"amount"`
	Merchant string       `json:"merchant,omitempty"`
	At       time.Time    `json:"at"`
}

type walletVoucherJSON struct {
	voucherJSON
	State       string            `json:"state"`
	Received    bool              `json:"received"`
	From        string            `json:"from,omitempty"`
	DeliverAt   *time.Time        `json:"deliver_at,omitempty"`
	GiftPending bool              `json:"gift_pending"`
	CreatedAt   time.Time         `json:"created_at"`
	History     []walletEntryJSON `json:"history"`
}

type walletTicketJSON struct {
	Code        string              `json:"code"`
	Kind        market.ItemKind     `json:"kind"`
	Type        string              `json:"ticket_type,omitempty"`
	Price       market.Money        `json:"price"`
	Status      market.TicketStatus `json:"status"`
	Choice      market.Choice       `json:"choice,omitempty"`
	ChoiceOpen  bool                `json:"choice_open"`
	URL         string              `json:"url"`
	Event       walletEventJSON     `json:"event"`
	CheckedInAt *time.Time          `json:"checked_in_at,omitempty"`
}

type walletEventJSON struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Venue    string             `json:"venue"`
	StartsAt time.Time          `json:"starts_at"`
	Status   market.EventStatus `json:"status"`
}

// getWallet answers GET /api/v1/wallet: every voucher, programme card and
// ticket bought by or given to the session's address, with their stories.
func (s *Server) getWallet(c *gin.Context) error {
	w, err := s.cfg.Wallet.Wallet(c.Request.Context(), walletSession(c))
	if err != nil {
		return err
	}
	now := time.Now()
	out := struct {
		Email    string              `json:"email"`
		Vouchers []walletVoucherJSON `json:"vouchers"`
		Tickets  []walletTicketJSON  `json:"tickets"`
	}{Email: w.Email, Vouchers: []walletVoucherJSON{}, Tickets: []walletTicketJSON{}}
	for _, wv := range w.Vouchers {
		v := wv.Voucher
		j := walletVoucherJSON{voucherJSON: s.newVoucherJSON(v), State: wv.State(now), Received: wv.Received,
			GiftPending: wv.GiftPending, CreatedAt: v.CreatedAt, History: []walletEntryJSON{}}
		if wv.Received || v.RecipientName != "" || v.RecipientEmail != "" {
			j.From = wv.Giver
		}
		if !v.DeliverAt.IsZero() {
			j.DeliverAt = &v.DeliverAt
		}
		for _, e := range wv.History {
			j.History = append(j.History, walletEntryJSON{Kind: e.Kind, Amount: market.Money{Amount: e.Amount, Currency: v.Currency},
				Merchant: e.Merchant, At: e.At})
		}
		out.Vouchers = append(out.Vouchers, j)
	}
	for _, wt := range w.Tickets {
		t := wt.Ticket
		j := walletTicketJSON{Code: t.Code, Kind: t.Kind, Type: t.TypeName, Price: market.Money{Amount: t.Price, Currency: t.Currency},
			Status: t.Status, Choice: t.Choice, ChoiceOpen: wt.ChoiceOpen(now), URL: s.cfg.BaseURL + "/billet/" + t.Code,
			Event: walletEventJSON{ID: t.EventID, Title: t.EventTitle}}
		if wt.Event != nil {
			j.Event.Venue, j.Event.StartsAt, j.Event.Status = wt.Event.MerchantName, wt.Event.StartsAt, wt.Event.Status
		}
		if !t.CheckedInAt.IsZero() {
			j.CheckedInAt = &t.CheckedInAt
		}
		out.Tickets = append(out.Tickets, j)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// resendVoucher answers POST /api/v1/wallet/vouchers/{code}/resend: the
// voucher's mail again, to the wallet's own address.
func (s *Server) resendVoucher(c *gin.Context) error {
	ws := walletSession(c)
	if err := s.limit(c, "wallet:resend:"+ws.Email, walletLinksPerEmail); err != nil {
		return err
	}
	if err := s.cfg.Wallet.Resend(c.Request.Context(), ws, c.Param("code")); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "Le bon vient de vous être renvoyé par courriel."})
	return nil
}

// rescheduleGift answers PATCH /api/v1/wallet/vouchers/{code}/gift
// {"deliver_at", "email"}: the buyer changes a gift's date or address
// until its mail leaves.
func (s *Server) rescheduleGift(c *gin.Context) error {
	var req struct {
		DeliverAt string `json:"deliver_at"`
		Email     string `json:"email"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	at, err := parseDeliverAt("deliver_at", req.DeliverAt)
	if err != nil {
		return err
	}
	if err := s.cfg.Wallet.Reschedule(c.Request.Context(), walletSession(c), c.Param("code"), at, req.Email); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"message": "C'est noté : le cadeau partira à la nouvelle date."})
	return nil
}

// parseDeliverAt reads an RFC 3339 date ("" is none).
func parseDeliverAt(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, market.Invalid(field, "must be an RFC 3339 date and time, such as 2027-03-14T09:00:00-04:00")
	}
	return t, nil
}
