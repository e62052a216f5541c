package frontend

import "net/http"

// merchantRoutes lists the merchant side's routes, one line each. The pages
// are shells (titles, labels, help, forms) that the merchant island
// (src/merchant.ts) brings to life with the JSON API, which checks who may
// do what.
func (p *Pages) merchantRoutes(mux *http.ServeMux) {
	// Signing in, and the account links that mails carry (their code is
	// a bearer secret: those pages are never stored).
	mux.HandleFunc("GET /connexion", p.page(p.signIn))
	mux.HandleFunc("GET /connexion/oubli", p.page(p.forgotPassword))
	mux.HandleFunc("GET /connexion/nouveau-mot-de-passe", p.page(p.newPassword))
	mux.HandleFunc("GET /connexion/invitation", p.page(p.acceptInvitation))

	// The till, pairing a till device, and the pairing code's QR image.
	mux.HandleFunc("GET /caisse", p.page(p.till))
	mux.HandleFunc("GET /caisse/jumeler", p.page(p.pairTill))
	mux.HandleFunc("GET /caisse/jumeler/qr.png", p.pairingQR)

	// The owner's dashboard, the return from payments onboarding, and a
	// business applying to sell.
	mux.HandleFunc("GET /commerce", p.page(p.dashboard))
	mux.HandleFunc("GET /commerce/paiements", p.page(p.paymentsReturn))
	mux.HandleFunc("GET /commerce/inscription", p.page(p.applyToSell))

	// The merchant's public page, run from a phone: its page (profile,
	// photos, hours, today's status) and its news.
	mux.HandleFunc("GET /commerce/page", p.page(p.editPage))
	mux.HandleFunc("GET /commerce/nouvelles", p.page(p.editNews))

	// Solidaire's team: pending merchants and the outbox.
	mux.HandleFunc("GET /admin", p.page(p.admin))
}
