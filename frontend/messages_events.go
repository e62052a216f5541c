package frontend

// eventsMessages are the strings of the events page (/evenements: the
// upcoming events of approved venues, filtered by city, date and
// category), of the home page's link to it, of a postponed event's badge
// and of the ready-to-post text of a campaign that sells tickets, French
// first.
var eventsMessages = map[string][2]string{
	"nav.events":           {"Événements", "Events"},
	"home.events":          {"Sorties et spectacles", "Shows and outings"},
	"home.events.lead":     {"Les spectacles, concerts et soirées des salles de votre ville : réservez, ou offrez un billet solidaire.", "The shows, concerts and evenings of your town's venues: book, or give a solidarity ticket."},
	"home.events.link":     {"Tous les événements", "All events"},
	"events.title":         {"Événements à venir — Solidaire", "Upcoming events — Solidaire"},
	"events.description":   {"Les spectacles et soirées à venir des salles et commerces de Solidaire, par ville, date et catégorie.", "The upcoming shows and evenings of Solidaire's venues and merchants, by city, date and category."},
	"events.heading":       {"Événements à venir", "Upcoming events"},
	"events.lead":          {"Réservez une place, ou offrez un billet solidaire à une salle qui traverse la crise.", "Book a seat, or give a solidarity ticket to a venue getting through the crisis."},
	"events.filters":       {"Filtrer les événements", "Filter the events"},
	"events.when":          {"Quand", "When"},
	"events.when.all":      {"Toutes les dates", "Any date"},
	"events.when.today":    {"Aujourd'hui", "Today"},
	"events.when.week":     {"Cette semaine", "This week"},
	"events.when.month":    {"Ce mois-ci", "This month"},
	"events.dates":         {"Ou entre deux dates", "Or between two dates"},
	"events.from":          {"Du", "From"},
	"events.to":            {"Au", "To"},
	"events.dates.hint":    {"Les dates l'emportent sur « Quand ».", "The dates win over “When”."},
	"events.dates.error":   {"Date illisible, ignorée : choisissez-la dans le calendrier.", "Unreadable date, ignored: pick it in the calendar."},
	"events.results.one":   {"%s événement", "%s event"},
	"events.results.other": {"%s événements", "%s events"},
	"events.results.more":  {"Les %s premiers événements", "The first %s events"},
	"events.results.none":  {"Aucun événement à venir trouvé.", "No upcoming event found."},
	"events.results.empty": {"Essayez une autre ville, une autre catégorie ou d'autres dates.", "Try another city, another category or other dates."},
	"events.more":          {"Voir plus d'événements", "See more events"},
	"events.venue":         {"%s, %s", "%s, %s"},
	"events.open":          {"Voir l'événement", "See the event"},

	// A postponed event's badge names its new date ("Reporté au 2 janvier 2027").
	"status.postponed.to": {"Reporté au %s", "Postponed to %s"},

	// The ready-to-post text of a campaign's share link speaks of what the
	// campaign sells: certificates, tickets, or both.
	"share.kit.compose.tickets": {"%s : soutenez nos salles, réservez ou offrez un billet solidaire aujourd'hui. %s %s", "%s: support our venues, book or give a solidarity ticket today. %s %s"},
	"share.kit.compose.both":    {"%s : soutenez nos commerces et nos salles, achetez un bon ou un billet solidaire aujourd'hui. %s %s", "%s: support our shops and venues, buy a solidarity certificate or ticket today. %s %s"},
}

func init() {
	for key, m := range eventsMessages {
		messages[key] = m
	}
}
