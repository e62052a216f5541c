package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Orders reads orders and vouchers (store.DB).
type Orders interface {
	Order(ctx context.Context, id string) (*market.Order, error)
	OrderVouchers(ctx context.Context, orderID string) ([]*market.Voucher, error)
	Voucher(ctx context.Context, code string) (*market.Voucher, error)
}

type orderJSON struct {
	ID       string             `json:"id"`
	Status   market.OrderStatus `json:"status"`
	Total    market.Money       `json:"total"`
	Merchant merchantRef        `json:"merchant"`
	Buyer    struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"buyer"`
	Items     []orderItemJSON `json:"items"`
	CreatedAt time.Time       `json:"created_at"`
	PaidAt    *time.Time      `json:"paid_at"`
	Vouchers  []voucherJSON   `json:"vouchers"`
	Tickets   []ticketJSON    `json:"tickets"`
}

type orderItemJSON struct {
	Kind          market.ItemKind `json:"kind"`
	Event         string          `json:"event,omitempty"`
	Amount        market.Money    `json:"amount"`
	Quantity      int             `json:"quantity"`
	RecipientName string          `json:"recipient_name,omitempty"`
}

type voucherJSON struct {
	Code          string               `json:"code"`
	DisplayCode   string               `json:"display_code"`
	Balance       market.Money         `json:"balance"`
	Initial       market.Money         `json:"initial"`
	Status        market.VoucherStatus `json:"status"`
	Merchant      merchantRef          `json:"merchant"`
	RecipientName string               `json:"recipient_name,omitempty"`
	Message       string               `json:"message,omitempty"`
	QRURL         string               `json:"qr_url"`
	URL           string               `json:"url"`
	// Programme names a programme card (spendable at its merchants), Bonus
	// what is left of its bonus and until when.
	Programme      *programmeRef `json:"programme,omitempty"`
	Bonus          *market.Money `json:"bonus,omitempty"`
	BonusExpiresAt *time.Time    `json:"bonus_expires_at,omitempty"`
}

func (s *Server) newVoucherJSON(v *market.Voucher) voucherJSON {
	out := voucherJSON{Code: v.Code, DisplayCode: market.GroupCode(v.Code),
		Balance: market.Money{Amount: v.Balance, Currency: v.Currency}, Initial: market.Money{Amount: v.Initial, Currency: v.Currency},
		Status: v.Status, Merchant: merchantRef{v.MerchantSlug, v.MerchantName}, RecipientName: v.RecipientName, Message: v.Message,
		QRURL: s.cfg.BaseURL + "/api/v1/vouchers/" + v.Code + "/qr.png", URL: s.cfg.BaseURL + "/v/" + v.Code}
	if v.ProgrammeID != "" {
		out.Programme = &programmeRef{v.ProgrammeSlug, v.MerchantName}
	}
	if v.Bonus > 0 {
		out.Bonus = &market.Money{Amount: v.Bonus, Currency: v.Currency}
		out.BonusExpiresAt = &v.BonusExpiresAt
	}
	return out
}

// getOrder answers GET /api/v1/orders/{id} for the holder of the order's
// access token (Authorization: Bearer, or ?token=). A wrong token is a 404:
// the order's existence is not revealed.
func (s *Server) getOrder(c *gin.Context) error {
	token := c.Query("token")
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if token == "" {
		return &market.Error{Code: market.EUnauthorized, Message: "Jeton d'accès à la commande requis."}
	}
	ctx := c.Request.Context()
	o, err := s.cfg.Orders.Order(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if !o.CheckAccess(token) {
		return market.NotFound("Commande")
	}
	out := orderJSON{ID: o.ID, Status: o.Status, Total: market.Money{Amount: o.Total, Currency: o.Currency},
		Merchant: merchantRef{o.MerchantSlug, o.MerchantName}, CreatedAt: o.CreatedAt,
		Items: []orderItemJSON{}, Vouchers: []voucherJSON{}, Tickets: []ticketJSON{}}
	out.Buyer.Email, out.Buyer.Name = o.BuyerEmail, o.BuyerName
	if !o.PaidAt.IsZero() {
		out.PaidAt = &o.PaidAt
	}
	for _, it := range o.Items {
		out.Items = append(out.Items, orderItemJSON{Kind: it.Kind, Event: it.EventID, Amount: market.Money{Amount: it.Amount, Currency: o.Currency},
			Quantity: it.Quantity, RecipientName: it.RecipientName})
	}
	if o.Status == market.OrderPaid {
		vs, err := s.cfg.Orders.OrderVouchers(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, v := range vs {
			out.Vouchers = append(out.Vouchers, s.newVoucherJSON(v))
		}
		if s.cfg.TicketStore != nil {
			ts, err := s.cfg.TicketStore.OrderTickets(ctx, o.ID)
			if err != nil {
				return err
			}
			for _, t := range ts {
				out.Tickets = append(out.Tickets, s.newTicketJSON(t))
			}
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// voucherByCode reads the code of a voucher route, as typed or scanned.
func (s *Server) voucherByCode(c *gin.Context) (*market.Voucher, error) {
	code, err := s.voucherCode(c)
	if err != nil {
		return nil, err
	}
	return s.cfg.Orders.Voucher(c.Request.Context(), code)
}

// voucherCode reads the voucher code of the path, as typed or scanned, and
// spends one code lookup of the caller's address; ENotFound for what
// cannot be a code.
func (s *Server) voucherCode(c *gin.Context) (string, error) {
	code := market.NormalizeCode(c.Param("code"))
	if code == "" {
		return "", market.NotFound("Bon")
	}
	if err := s.limit(c, "voucher:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return "", err
	}
	return code, nil
}

// getVoucher answers GET /api/v1/vouchers/{code}: the balance check. The
// code is the bearer: whoever holds it may see the voucher.
func (s *Server) getVoucher(c *gin.Context) error {
	v, err := s.voucherByCode(c)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, s.newVoucherJSON(v))
	return nil
}

// voucherQR answers GET /api/v1/vouchers/{code}/qr.png: the QR code of the
// voucher's URL, which never changes (kept in s.qr once the voucher was
// found).
func (s *Server) voucherQR(c *gin.Context) error {
	code, err := s.voucherCode(c)
	if err != nil {
		return err
	}
	return s.serveQR(c, market.VoucherURL(s.cfg.BaseURL, code), func() error {
		_, err := s.cfg.Orders.Voucher(c.Request.Context(), code)
		return err
	})
}

// serveQR answers with the QR image of url, from s.qr, or made after exists
// says the code it names exists (ENotFound otherwise).
func (s *Server) serveQR(c *gin.Context, url string, exists func() error) error {
	png, ok := s.qr.get(url)
	if !ok {
		if err := exists(); err != nil {
			return err
		}
		var err error
		if png, err = s.cfg.QR(url); err != nil {
			return err
		}
		s.qr.put(url, png)
	}
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	c.Data(http.StatusOK, "image/png", png)
	return nil
}
