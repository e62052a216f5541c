package frontend

import (
	"net/http"

	"github.com/solidaire-app/solidaire/market"
)

// voucherData is a voucher's page.
type voucherData struct {
	Voucher   *voucherView
	Merchant  *market.Merchant // nil when the merchant is no longer listed
	Status    string           // "active", "spent", "disputed" (frozen while its payment is contested) or "void"
	Spendable int64            // what it can pay now: the paid balance, and the bonus while it lasts
	Bonus     int64            // the promotional bonus still valid, 0 when none
	// Giver is the buyer's name on a gift ("De la part de …"), "" when
	// the voucher is no gift or the buyer gave no name.
	Giver string
	// AppleWallet and GoogleWallet are the addresses that put the voucher
	// in a phone's wallet, "" when the operator configured none.
	AppleWallet  string
	GoogleWallet string
}

// voucher is a voucher's page, /v/{code} (and /V/{code}, the upper-case
// address its QR code holds): the merchant, the balance, the QR code, the
// code to type, the gift's message and the terms. The code is the bearer,
// as typed or scanned; an unknown one is a 404 that says how to type it.
func (p *Pages) voucher(r *http.Request, l *locale) (*page, error) {
	if p.cfg.Orders == nil {
		return nil, market.NotFound("Bon")
	}
	if pg := p.lookupAllowed(r, l); pg != nil {
		return pg, nil
	}
	ctx := r.Context()
	code := market.NormalizeCode(r.PathValue("code"))
	if code == "" {
		return messagePage(http.StatusNotFound, l, "voucher.notfound"), nil
	}
	v, err := p.cfg.Orders.Voucher(ctx, code)
	if market.ErrorCode(err) == market.ENotFound {
		return messagePage(http.StatusNotFound, l, "voucher.notfound"), nil
	}
	if err != nil {
		return nil, err
	}
	now := l.now()
	d := &voucherData{Voucher: newVoucherView(v, ""), Status: "active", Spendable: v.Spendable(now)}
	if v.RecipientName != "" || v.RecipientEmail != "" {
		d.Giver = v.Giver
	}
	if p.cfg.AppleWallet {
		d.AppleWallet = "/api/v1/vouchers/" + v.Code + "/pass.pkpass"
	}
	if p.cfg.GoogleWallet && p.cfg.Passes != nil {
		d.GoogleWallet = "/v/" + v.Code + "/google-wallet"
	}
	// The paid value never expires; a credit's bonus may, so it is shown
	// apart, with its end.
	if d.Spendable > v.Balance {
		d.Bonus = v.Bonus
	}
	switch {
	case v.Status == market.VoucherVoid:
		d.Status = "void"
	case v.Status == market.VoucherDisputed:
		d.Status = "disputed"
	case d.Spendable <= 0:
		d.Status = "spent"
	}
	title, description := l.must("voucher.title", v.MerchantName), l.must("voucher.description", v.MerchantName)
	if v.ProgrammeID != "" {
		// A programme's card: its page lists where it can be spent.
		title, description = l.must("card.title", v.MerchantName), l.must("card.description", v.MerchantName)
	} else {
		m, err := p.cfg.Catalogue.Merchant(ctx, v.MerchantSlug)
		switch {
		case err == nil && m.Status == market.MerchantApproved:
			d.Merchant = m
		case err != nil && market.ErrorCode(err) != market.ENotFound:
			return nil, err
		}
	}
	return &page{view: "voucher", Title: title, Description: description, Path: "/v/" + v.Code,
		NoIndex: true, private: true, Data: d}, nil
}
