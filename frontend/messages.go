package frontend

// messages holds every string of the interface: French first, English
// second, in one table so that a translator works in one place and the
// tests can check that no key is missing. Formats take fmt verbs; numbers
// and amounts arrive already formatted for the language (%s).
//
// French follows Québec usage where it differs from France's ("courriel",
// "20 h 30") since most merchants are in Québec; it reads naturally in Lyon.
var messages = map[string][2]string{
	// Site-wide.
	"site.description": {
		"Achetez un bon d'achat ou un billet à un commerce ou une salle de chez vous fermés par la crise : l'argent leur arrive tout de suite, vous en profitez plus tard.",
		"Buy a gift certificate or a ticket from a local shop or venue closed by the crisis: the money reaches them at once, you enjoy it later.",
	},
	"nav.skip":         {"Aller au contenu", "Skip to content"},
	"nav.label":        {"Navigation principale", "Main navigation"},
	"nav.merchants":    {"Commerces", "Merchants"},
	"nav.campaigns":    {"Campagnes", "Campaigns"},
	"lang.switch":      {"English", "Français"},
	"demo.banner":      {"Site de démonstration : les commerces sont fictifs et aucun paiement n'est réel.", "Demo site: the merchants are made up and no payment is real."},
	"footer.promise":   {"l'argent va directement aux commerces et aux salles.", "the money goes straight to the shops and venues."},
	"footer.law":       {"La valeur payée d'un bon d'achat au Québec n'expire jamais et ne comporte aucuns frais.", "In Québec, the paid value of a gift certificate never expires and carries no fees."},
	"error.title":      {"Erreur — Solidaire", "Error — Solidaire"},
	"error.heading":    {"Oups, quelque chose s'est mal passé", "Oops, something went wrong"},
	"error.text":       {"Nous n'avons pas pu afficher cette page. Réessayez dans un instant.", "We could not show this page. Please try again in a moment."},
	"notfound.title":   {"Page introuvable — Solidaire", "Page not found — Solidaire"},
	"notfound.heading": {"Page introuvable", "Page not found"},
	"notfound.text": {
		"On a cherché partout, mais cette page n'existe pas ou plus. Le lien est peut-être incomplet, ou le commerce n'est pas encore en ligne.",
		"We looked everywhere, but this page does not exist or no longer does. The link may be incomplete, or the merchant is not online yet.",
	},
	"notfound.home": {"Retour à l'accueil", "Back to the home page"},

	// Home.
	"home.title":   {"Solidaire — achetez local aujourd'hui, profitez-en plus tard", "Solidaire — buy local today, enjoy it later"},
	"home.heading": {"Gardons nos commerces de quartier ouverts", "Keep our neighbourhood shops open"},
	"home.lead": {
		"Solidaire vous permet d'acheter dès aujourd'hui un bon d'achat ou un billet à un commerce ou une salle de chez vous fermés par la crise : l'argent leur arrive tout de suite, vous en profitez plus tard.",
		"Solidaire lets you buy a gift certificate or a ticket today from a local shop or venue closed by the crisis: the money reaches them at once, you enjoy it later.",
	},
	"home.campaigns":        {"Campagnes en cours", "Running campaigns"},
	"home.merchants":        {"Trouver un commerce", "Find a merchant"},
	"home.results.one":      {"%s commerce", "%s merchant"},
	"home.results.other":    {"%s commerces", "%s merchants"},
	"home.results.more":     {"Les %s premiers commerces", "The first %s merchants"},
	"home.results.none":     {"Aucun commerce trouvé.", "No merchant found."},
	"home.results.empty":    {"Essayez un autre nom, ou une autre ville ou catégorie.", "Try another name, or another city or category."},
	"home.more":             {"Voir plus de commerces", "See more merchants"},
	"filters.label":         {"Rechercher un commerce", "Search merchants"},
	"filters.q":             {"Nom ou mot-clé", "Name or keyword"},
	"filters.q.placeholder": {"boulangerie, théâtre…", "bakery, theatre…"},
	"filters.city":          {"Ville", "City"},
	"filters.city.all":      {"Toutes les villes", "All cities"},
	"filters.category":      {"Catégorie", "Category"},
	"filters.category.all":  {"Toutes les catégories", "All categories"},
	"filters.submit":        {"Rechercher", "Search"},
	"filters.reset":         {"Tout afficher", "Show all"},

	// Cards and counters.
	"card.gift":          {"Offrir un bon", "Give a gift certificate"},
	"card.support":       {"Soutenir", "Support"},
	"counter.heading":    {"Compteur solidaire", "Solidarity counter"},
	"counter.supporters": {"Personnes solidaires", "Supporters"},
	"counter.raised":     {"Amassé", "Raised"},
	"counter.goal":       {"Objectif", "Goal"},
	"counter.of":         {"amassés sur %s", "raised of %s"},
	"counter.alone":      {"amassés", "raised"},
	"counter.progress":   {"%d\u00a0%% de l'objectif de %s atteint", "%d%% of the %s goal reached"},

	// Merchant page.
	"merchant.title":              {"%s, %s — Solidaire", "%s, %s — Solidaire"},
	"merchant.about":              {"Qui sommes-nous", "About us"},
	"merchant.where":              {"Où nous trouver", "Where to find us"},
	"merchant.website":            {"Site Web du commerce", "The merchant's website"},
	"merchant.gift.heading":       {"Offrir un bon d'achat", "Give a gift certificate"},
	"merchant.gift.range":         {"Le montant de votre choix, de %s à %s.", "The amount of your choice, from %s to %s."},
	"merchant.gift.suggested":     {"Montants suggérés", "Suggested amounts"},
	"merchant.gift.never.expires": {"La valeur payée n'expire jamais, sans aucuns frais.", "The paid value never expires, with no fees."},
	"merchant.gift.direct":        {"L'argent va directement au commerce, au moment de l'achat.", "The money goes straight to the merchant, at the time of purchase."},
	"merchant.buy.soon":           {"L'achat en ligne ouvre bientôt.", "Online purchase opens soon."},
	"merchant.events":             {"Événements à venir", "Upcoming events"},
	"merchant.events.none":        {"Aucun événement annoncé pour le moment.", "No event announced yet."},
	"merchant.see.events":         {"Voir les événements", "See the events"},

	// Events.
	"event.title":              {"%s — %s", "%s — %s"},
	"event.title.cancelled":    {"Annulé : %s", "Cancelled: %s"},
	"event.title.postponed":    {"Reporté : %s", "Postponed: %s"},
	"status.cancelled":         {"Annulé", "Cancelled"},
	"status.postponed":         {"Reporté", "Postponed"},
	"event.past":               {"Passé", "Past"},
	"event.about":              {"À propos", "About"},
	"event.where":              {"Où", "Where"},
	"event.tickets":            {"Billets", "Tickets"},
	"event.see.tickets":        {"Voir les billets", "See the tickets"},
	"event.from":               {"À partir de %s", "From %s"},
	"event.soldout":            {"Complet", "Sold out"},
	"seats.one":                {"%s place restante", "%s seat left"},
	"seats.other":              {"%s places restantes", "%s seats left"},
	"event.cancelled.short":    {"Aucun billet en vente.", "No tickets on sale."},
	"event.cancelled.long":     {"Cet événement est annulé : aucun billet n'est vendu. Si vous en aviez un, vous pourrez choisir le remboursement, un crédit ou le don.", "This event is cancelled: no tickets are sold. If you had one, you will be able to choose a refund, a credit or a donation."},
	"event.solidarity.heading": {"Billet solidaire", "Solidarity ticket"},
	"event.solidarity":         {"Pas de place à réserver : un don à la salle, à partir de %s.", "No seat to book: a gift to the venue, from %s."},

	// Campaigns.
	"campaign.events":    {"Événements de la campagne", "Events of the campaign"},
	"campaign.merchants": {"Commerces de la campagne", "Merchants of the campaign"},

	// Sharing.
	"share.button":      {"Partager", "Share"},
	"share.email":       {"Courriel", "Email"},
	"share.link":        {"Lien à partager", "Link to share"},
	"share.copy":        {"Copier le lien", "Copy link"},
	"share.copied":      {"Lien copié !", "Link copied!"},
	"share.copy.failed": {"Copie impossible : sélectionnez le lien et copiez-le.", "Could not copy: select the link and copy it."},
	"share.merchant":    {"Soutenez %s (%s) : offrez un bon d'achat sur Solidaire.", "Support %s (%s): give a gift certificate on Solidaire."},
	"share.event":       {"%s, %s, à %s : réservez ou offrez un billet solidaire.", "%s, %s, at %s: book or give a solidarity ticket."},

	// Share images.
	"og.merchant.alt":    {"%s — %s à %s, sur Solidaire", "%s — %s in %s, on Solidaire"},
	"og.campaign.alt":    {"Campagne %s sur Solidaire, avec son compteur solidaire", "Campaign %s on Solidaire, with its solidarity counter"},
	"og.campaign.raised": {"%s amassés  •  %s", "%s raised  •  %s"},
	"supporters.one":     {"%s personne solidaire", "%s supporter"},
	"supporters.other":   {"%s personnes solidaires", "%s supporters"},
	"og.campaign.goal":   {"Objectif : %s", "Goal: %s"},
}
