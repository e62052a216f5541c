package frontend

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// demoData is the demo provider's payment page: the order to pay, and
// where the button and the cancel link go.
type demoData struct {
	Order      *market.Order
	Seller     seller
	Recipients []string
	Action     string // the form's address, with the page's next kept
	Cancel     string // back to the merchant (or the programme), as Stripe's cancel URL does
}

// demoCheckout is the payment page of the demo provider, which stands for
// Stripe's when no Stripe key is configured: it says plainly that no money
// is taken, shows the order and pays it with one button. 404 when the
// checkout does not use the demo provider or the session is unknown.
func (p *Pages) demoCheckout(r *http.Request, l *locale) (*page, error) {
	if !p.cfg.DemoPayments || p.cfg.Checkout == nil || p.cfg.Orders == nil {
		return nil, market.NotFound("Paiement")
	}
	session := r.PathValue("session")
	o, err := p.cfg.Orders.OrderBySession(r.Context(), session)
	if err != nil {
		return nil, err
	}
	action := url.URL{Path: "/demo/checkout/" + session}
	if next := r.URL.Query().Get("next"); next != "" {
		action.RawQuery = url.Values{"next": {next}}.Encode()
	}
	d := &demoData{Order: o, Seller: p.sellerOf(r.Context(), l, o), Recipients: recipients(o), Action: action.String()}
	d.Cancel = d.Seller.URL + "?annule=1"
	// The page's address holds the order's token (in next): private.
	return &page{view: "demo", Title: l.must("demo.pay.title"), Description: l.must("demo.pay.notice"),
		Path: action.Path, NoIndex: true, private: true, Data: d}, nil
}

// payDemo is the demo payment page's button: it pays the order through
// the same fulfilment as a Stripe webhook, then sends the buyer on to the
// confirmation page named by next, as Stripe does with its success URL.
// next is followed only when it is this site's confirmation page, so that
// the page cannot send anyone elsewhere; otherwise the buyer lands on the
// order's page, which without its token explains where to find it.
func (p *Pages) payDemo(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	if !p.cfg.DemoPayments || p.cfg.Checkout == nil {
		return nil, market.NotFound("Paiement")
	}
	o, _, err := p.cfg.Checkout.CompleteDemo(r.Context(), r.PathValue("session"))
	if market.ErrorCode(err) == market.EForbidden {
		return nil, market.NotFound("Paiement") // the checkout is not the demo's
	}
	if err != nil {
		return nil, err
	}
	if next := r.URL.Query().Get("next"); p.confirmationURL(r, next) {
		return &page{redirect: next}, nil
	}
	return &page{redirect: "/commande/" + url.PathEscape(o.ID)}, nil
}

// confirmationURL reports whether next is an order's page on this site:
// the only place the demo payment page may send a buyer on to.
func (p *Pages) confirmationURL(r *http.Request, next string) bool {
	prefix := p.baseURL(r) + "/commande/"
	if !strings.HasPrefix(next, prefix) || strings.ContainsAny(next, "\\\r\n\t") {
		return false
	}
	u, err := url.Parse(next)
	base, _ := url.Parse(prefix)
	return err == nil && base != nil && u.Scheme == base.Scheme && u.Host == base.Host && u.User == nil
}

// recipients lists the names of the people an order's items are for.
func recipients(o *market.Order) []string {
	var names []string
	for _, it := range o.Items {
		if it.RecipientName != "" {
			names = append(names, it.RecipientName)
		}
	}
	return names
}
