package frontend

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// orderData is the confirmation page of an order.
type orderData struct {
	Order      *market.Order
	Seller     seller
	Recipients []string
	Vouchers   []*voucherView
	Tickets    []*ticketView
	Poll       string // the API address the order island follows while the payment is pending
	// Support is the supporter's share section once paid (support.go);
	// nil before, and for a programme's card.
	Support *supportView
	Script  string // the support island's bundle; "" without a bundle
}

// ticketView is a ticket as the confirmation page shows it.
type ticketView struct {
	*market.Ticket
	QR    string // the QR code's image (the API's qr.png); "" for a solidarity ticket, which has no seat
	URL   string // the holder's page
	Code  string // the code in groups
	Price string
}

// orderTickets reads the tickets of an order (store.DB, which Config.Orders
// is in production): the confirmation shows them when the store can.
type orderTickets interface {
	OrderTickets(ctx context.Context, orderID string) ([]*market.Ticket, error)
}

// voucherView is a voucher as the pages show it.
type voucherView struct {
	*market.Voucher
	QR     string // the QR code's image (the API's qr.png)
	URL    string // the voucher's page
	SentTo string // the address the voucher was also sent to, "" when none
	// Later: the mail to SentTo waits for the day the buyer chose
	// (DeliverAt).
	Later bool
	// Spendable is what it can pay now: the paid balance, and the bonus
	// while it lasts (LiveBonus, 0 once it has expired).
	Spendable int64
	LiveBonus int64
}

// newVoucherView prepares v for a page. Paths are relative: the images
// are the site's own, whatever the host the page was reached by.
func newVoucherView(v *market.Voucher, buyerEmail string) *voucherView {
	vv := &voucherView{Voucher: v, QR: "/api/v1/vouchers/" + v.Code + "/qr.png", URL: "/v/" + v.Code, Spendable: v.Spendable(time.Now())}
	vv.LiveBonus = vv.Spendable - v.Balance
	// The checkout mails a gift to its recipient when they are not the buyer.
	if v.RecipientEmail != "" && !strings.EqualFold(v.RecipientEmail, buyerEmail) {
		vv.SentTo = v.RecipientEmail
		vv.Later = v.DeliverAt.After(time.Now())
	}
	return vv
}

// order is the confirmation page, where the payment page sends the buyer
// back: /commande/{id}?token={access token}. While the payment is being
// confirmed it says so and follows it (the order island, or a refresh
// without JavaScript); once paid it shows each voucher and ticket with its
// QR code.
// A wrong or missing token is the same 404 as an unknown order.
func (p *Pages) order(r *http.Request, l *locale) (*page, error) {
	if p.cfg.Orders == nil {
		return nil, market.NotFound("Commande")
	}
	ctx := r.Context()
	id, token := r.PathValue("id"), r.URL.Query().Get("token")
	o, err := p.cfg.Orders.Order(ctx, id)
	if market.ErrorCode(err) == market.ENotFound || err == nil && !o.CheckAccess(token) {
		return messagePage(http.StatusNotFound, l, "order.notfound"), nil
	}
	if err != nil {
		return nil, err
	}
	d := &orderData{Order: o, Seller: p.sellerOf(ctx, l, o), Recipients: recipients(o)}
	if o.Status == market.OrderPaid {
		vs, err := p.cfg.Orders.OrderVouchers(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			d.Vouchers = append(d.Vouchers, newVoucherView(v, o.BuyerEmail))
		}
		if ot, ok := p.cfg.Orders.(orderTickets); ok {
			ts, err := ot.OrderTickets(ctx, o.ID)
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				tv := &ticketView{Ticket: t, URL: "/billet/" + t.Code, Code: market.GroupCode(t.Code), Price: l.Money(t.Price, t.Currency)}
				if t.Kind == market.KindTicket {
					tv.QR = "/api/v1/tickets/" + t.Code + "/qr.png"
				}
				d.Tickets = append(d.Tickets, tv)
			}
		}
	}
	d.Support = p.supportSection(ctx, r, l, o, d.Seller)
	d.Script = p.assets.url("support.js")
	pending := o.Status == market.OrderPending
	if pending {
		d.Poll = "/api/v1/orders/" + url.PathEscape(o.ID) + "?" + url.Values{"token": {token}}.Encode()
	}
	return &page{view: "order", Title: l.must("order.title", d.Seller.Name), Description: l.must("site.description"),
		Path: "/commande/" + url.PathEscape(o.ID), NoIndex: true, private: true, Refresh: pending, Data: d}, nil
}
