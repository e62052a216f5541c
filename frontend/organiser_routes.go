package frontend

import "net/http"

// organiserRoutes lists the organiser side's routes, one line each: the
// ticket holders' pages (phone first) and the organisers' (laptop first).
func (p *Pages) organiserRoutes(mux *http.ServeMux) {
	// Buying tickets on an event page without JavaScript.
	mux.HandleFunc("POST /e/{id}/billets", p.page(p.buyTickets))
	mux.HandleFunc("GET /e/{id}/billets", p.buyTicketsAgain)

	// The holder's ticket (the QR code holds the upper-case /T/ address),
	// and the holder's choice without JavaScript.
	mux.HandleFunc("GET /billet/{code}", p.page(p.ticket))
	mux.HandleFunc("GET /T/{code}", p.page(p.ticket))
	mux.HandleFunc("POST /billet/{code}", p.page(p.chooseForTicket))

	// Organisers: events, cancellations and postponements, campaigns,
	// their share kit and the printable poster of a share link.
	mux.HandleFunc("GET /organisation", p.page(p.organiserEvents))
	mux.HandleFunc("GET /organisation/evenements/nouveau", p.page(p.organiserNewEvent))
	mux.HandleFunc("GET /organisation/evenements/{id}", p.page(p.organiserEvent))
	mux.HandleFunc("GET /organisation/campagnes", p.page(p.organiserCampaigns))
	mux.HandleFunc("GET /organisation/campagnes/{slug}", p.page(p.organiserCampaign))
	mux.HandleFunc("GET /organisation/affiche/{file}", p.sharePoster)

	// Towns' programmes: their organisers' list and dashboard (figures,
	// members and their requests, settlements).
	mux.HandleFunc("GET /organisation/programmes", p.page(p.organiserProgrammes))
	mux.HandleFunc("GET /organisation/programmes/{slug}", p.page(p.organiserProgramme))
}
