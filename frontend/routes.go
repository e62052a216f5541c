package frontend

import "net/http"

// routes lists every route of the web app, one line each. GET patterns also
// answer HEAD. The last line catches the rest with the 404 page. Routes to
// come (the till) go here too.
func (p *Pages) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// Pages people share and land on.
	mux.HandleFunc("GET /{$}", p.page(p.home))
	mux.HandleFunc("GET /m/{slug}", p.page(p.merchant))
	mux.HandleFunc("GET /e/{id}", p.page(p.event))
	mux.HandleFunc("GET /evenements", p.page(p.events))
	mux.HandleFunc("GET /c/{slug}", p.page(p.campaign))
	mux.HandleFunc("GET /p/{slug}", p.page(p.programme))
	// A campaign's wall: "Signaler" a post without JavaScript.
	mux.HandleFunc("POST /c/{slug}/mur/{id}/signaler", p.page(p.reportPost))

	// A merchant's news (see news.go): a post's page, the merchant's and
	// a city's Atom feeds.
	mux.HandleFunc("GET /m/{slug}/nouvelles/{id}", p.page(p.newsPost))
	mux.HandleFunc("GET /m/{slug}/nouvelles.atom", p.merchantFeed)
	mux.HandleFunc("GET /villes/{city}/nouvelles.atom", p.cityFeed)

	// Following a merchant (see merchant_page.go): the form without
	// JavaScript, and the mails' links, whose GET only shows a button (mail
	// scanners fetch links) and whose POST confirms or unsubscribes.
	mux.HandleFunc("POST /m/{slug}/suivre", p.page(p.follow))
	mux.HandleFunc("GET /m/{slug}/suivre", p.followAgain)
	mux.HandleFunc("GET /suivre/confirmer", p.page(p.followerLink(true)))
	mux.HandleFunc("POST /suivre/confirmer", p.page(p.followerLink(true)))
	mux.HandleFunc("GET /suivre/desabonner", p.page(p.followerLink(false)))
	mux.HandleFunc("POST /suivre/desabonner", p.page(p.followerLink(false)))

	// Buying a gift certificate or a programme's card: the forms without
	// JavaScript (and a programme's waiting list), the demo provider's
	// payment page, the confirmation, and the voucher (whose QR code holds
	// the upper-case /V/ address).
	mux.HandleFunc("POST /m/{slug}/offrir", p.page(p.buy))
	mux.HandleFunc("GET /m/{slug}/offrir", p.buyAgain)
	mux.HandleFunc("POST /p/{slug}/acheter", p.page(p.buyCard))
	mux.HandleFunc("GET /p/{slug}/acheter", p.buyCardAgain)
	mux.HandleFunc("POST /p/{slug}/attente", p.page(p.joinWaitlist))
	mux.HandleFunc("GET /demo/checkout/{session}", p.page(p.demoCheckout))
	mux.HandleFunc("POST /demo/checkout/{session}", p.page(p.payDemo))
	mux.HandleFunc("GET /commande/{id}", p.page(p.order))
	mux.HandleFunc("GET /v/{code}", p.page(p.voucher))
	mux.HandleFunc("GET /V/{code}", p.page(p.voucher))
	mux.HandleFunc("GET /v/{code}/google-wallet", p.page(p.googleWallet))

	// A citizen's vouchers, cards and tickets ("Mes bons"), opened by a
	// link mailed to their address (see wallet.go): asking for the link,
	// the link's button (a POST: mail scanners follow links), resending a
	// voucher, changing a dated gift, leaving; a GET of a form's address
	// goes back to the wallet.
	mux.HandleFunc("GET /mes-bons", p.page(p.wallet))
	mux.HandleFunc("POST /mes-bons/lien", p.page(p.walletLink))
	mux.HandleFunc("POST /mes-bons/ouvrir", p.page(p.openWallet))
	mux.HandleFunc("POST /mes-bons/renvoyer", p.page(p.resendVoucher))
	mux.HandleFunc("POST /mes-bons/cadeau", p.page(p.rescheduleGift))
	mux.HandleFunc("POST /mes-bons/deconnexion", p.page(p.leaveWallet))
	mux.HandleFunc("GET /mes-bons/{form}", p.walletAgain)

	// Share images (Open Graph, Twitter cards): /og/m/{slug}.png, /og/c/{slug}.png,
	// a news post's /og/n/{id}.png.
	mux.HandleFunc("GET /og/m/{file}", p.merchantImage)
	mux.HandleFunc("GET /og/n/{file}", p.postImage)
	mux.HandleFunc("GET /og/c/{file}", p.campaignImage)

	// A supporter's share card and profile frame (support.go), the
	// sitemap (sitemap.go).
	mux.HandleFunc("GET /soutien/{file}", p.supportCard)
	mux.HandleFunc("GET /soutien/{slug}/carre.png", p.supportCard)
	mux.HandleFunc("GET /soutien/{slug}/cadre.png", p.supportFrame)
	mux.HandleFunc("GET /sitemap.xml", p.sitemap)

	// Assets and what makes the site installable.
	mux.HandleFunc("GET /static/{path...}", p.static)
	mux.HandleFunc("GET /manifest.webmanifest", p.manifest)
	mux.HandleFunc("GET /sw.js", p.serviceWorker)
	mux.HandleFunc("GET /robots.txt", p.robots)

	// The merchant side (sign-in, till, dashboard, onboarding, admin) and
	// the organiser side (events, cancellations, holders' choices,
	// campaigns) list their routes, one line each, in merchant_routes.go and
	// organiser_routes.go.
	p.merchantRoutes(mux)
	p.organiserRoutes(mux)

	// Anything else.
	mux.HandleFunc("/", p.page(p.notFound))
	return mux
}
