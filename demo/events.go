package demo

import (
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// events returns a fresh copy of the demo events, dated relative to now in
// the venue's time zone. The table names the venue by slug and each ticket
// type by a short key; events fills in the venue's id, name, city and
// currency, the ticket type ids and full inventories.
func events(now time.Time) []*market.Event {
	list := []*market.Event{
		// Théâtre du Faubourg, Montréal
		{
			ID:           "evt_cabaret-des-voisins",
			MerchantSlug: TheatreSlug,
			Title:        "Le Cabaret des voisins",
			Summary:      "Chansons, numéros et monologues par les artistes du Centre-Sud, animés par Lucie Bérubé.",
			Description: paras(
				"Une fois par saison, le Faubourg ouvre sa scène aux talents du quartier : une chanteuse de la rue Parthenais, un jongleur de la Maison de la culture, deux monologuistes qui se connaissent depuis le primaire. Lucie Bérubé anime la soirée, le bar est ouvert.",
				"Les recettes de la soirée sont partagées à parts égales entre les artistes.",
			),
			StartsAt:      at(now, quebecTime, 9, 20, 0),
			Status:        market.EventScheduled,
			SolidarityMin: 1000,
			TicketTypes: []*market.TicketType{
				seats("general", "Admission générale", 2800, 150),
				seats("reduit", "Étudiant·e ou aîné·e", 1800, 50),
			},
		},
		{
			ID:           "evt_les-heritieres",
			MerchantSlug: TheatreSlug,
			Title:        "Les Héritières",
			Summary:      "Trois sœurs vident la maison familiale de Sorel et règlent de vieux comptes. Une création du Théâtre de la Grève.",
			Description: paras(
				"Le notaire a été clair : la maison doit être vidée avant la fin du mois. Entre les boîtes de photos, les pots de confitures de 1998 et un piano que personne ne veut, Hélène, Diane et Josée n'ont plus le choix de se parler.",
				"Texte de Nathalie Desrosiers, mise en scène de Pierre-Luc Gaudreault. Durée : 1 h 45 sans entracte.",
			),
			StartsAt:      at(now, quebecTime, 16, 19, 30),
			Status:        market.EventScheduled,
			SolidarityMin: 1000,
			TicketTypes: []*market.TicketType{
				seats("regulier", "Régulier", 3900, 160),
				seats("30-ans", "30 ans et moins", 2600, 60),
			},
		},
		{
			ID:           "evt_nuit-de-la-poesie",
			MerchantSlug: TheatreSlug,
			Title:        "La Nuit de la poésie du Faubourg",
			Summary:      "Douze poètes du Québec, de France et de Belgique lisent jusqu'à minuit, accompagnés au violoncelle.",
			Description: paras(
				"Une longue soirée de lectures, de slam et de musique, avec des poètes d'ici et d'ailleurs, dans une salle éclairée à la chandelle.",
				"Les billets de cette soirée peuvent être remboursés, convertis en crédit pour un autre spectacle du Faubourg, ou donnés au théâtre.",
			),
			StartsAt:      at(now, quebecTime, 12, 19, 0),
			Status:        market.EventCancelled,
			StatusNote:    "Annulée : la fermeture des frontières empêche la venue des poètes invités de France et de Belgique. Vous pouvez choisir le remboursement, un crédit ou le don de votre billet au théâtre.",
			SolidarityMin: 1000,
			TicketTypes: []*market.TicketType{
				seats("general", "Admission générale", 2200, 180),
			},
		},
		{
			ID:           "evt_match-impro-faubourg-rosemont",
			MerchantSlug: TheatreSlug,
			Title:        "Match d'impro : Faubourg contre Rosemont",
			Summary:      "La ligue d'improvisation du Faubourg reçoit l'équipe de Rosemont pour le match de la revanche.",
			Description: paras(
				"Arbitre, chandails, pantoufles lancées sur la patinoire : toute la tradition du match d'improvisation, avec huit joueurs et joueuses du quartier et de Rosemont.",
				"Le public vote à chaque impro. Les billets se vendent vite : l'an dernier, la revanche s'est jouée à guichets fermés.",
			),
			StartsAt:      at(now, quebecTime, 23, 20, 0),
			Status:        market.EventScheduled,
			SolidarityMin: 500,
			TicketTypes: []*market.TicketType{
				seats("general", "Admission générale", 1500, 200),
			},
		},
		{
			ID:           "evt_contes-pour-petites-oreilles",
			MerchantSlug: TheatreSlug,
			Title:        "Contes pour petites oreilles",
			Summary:      "Une matinée de contes et de chansons pour les 3 à 8 ans et leurs parents.",
			Description: paras(
				"La conteuse Marie-Ève Lapointe emmène les enfants dans la forêt de la Mauricie, à la rencontre d'un ours qui ne voulait pas hiberner. Une heure de contes, de chansons et de bruitages à faire en chœur.",
				"Coussins fournis pour les enfants assis devant la scène.",
			),
			StartsAt: at(now, quebecTime, 30, 10, 30),
			Status:   market.EventScheduled,
			TicketTypes: []*market.TicketType{
				seats("enfant", "Enfant", 800, 100),
				seats("adulte", "Adulte", 1200, 80),
			},
		},

		// Le Quai des Chansons, Québec
		{
			ID:           "evt_soiree-des-chansonniers",
			MerchantSlug: "quai-des-chansons",
			Title:        "Soirée des chansonniers du Vieux-Port",
			Summary:      "Quatre chansonniers, une guitare qui passe de main en main et les refrains que toute la salle connaît.",
			Description: paras(
				"Comme dans les boîtes à chansons des années soixante, quatre chansonniers de la région se passent la guitare et la parole : chansons à répondre, reprises de Félix et de Vigneault, et quelques compositions toutes neuves.",
				"Places assises aux tables rondes ou debout au bar. Le service aux tables se poursuit pendant le spectacle.",
			),
			StartsAt:      at(now, quebecTime, 11, 20, 30),
			Status:        market.EventScheduled,
			SolidarityMin: 1000,
			TicketTypes: []*market.TicketType{
				seats("table", "Place assise aux tables", 3200, 100),
				seats("bar", "Debout au bar", 2200, 40),
			},
		},
		{
			ID:           "evt_veillee-de-contes",
			MerchantSlug: "quai-des-chansons",
			Title:        "Veillée de contes et légendes de la Côte-de-Beaupré",
			Summary:      "Gilles Paradis raconte les chasse-galeries, les feux follets et les loups-garous de la Côte-de-Beaupré.",
			Description: paras(
				"Conteur depuis quarante ans, Gilles Paradis a recueilli auprès des anciens de Château-Richer et de Saint-Joachim des histoires qu'on ne trouve dans aucun livre. Il les raconte comme on les lui a racontées, au coin du poêle.",
				"Accompagnement au violon et à l'accordéon par le duo Les Vents d'Anse.",
			),
			StartsAt:      at(now, quebecTime, 68, 20, 0),
			Status:        market.EventPostponed,
			StatusNote:    "Reportée : Gilles Paradis se remet d'une opération. Vos billets restent valides pour la nouvelle date; le remboursement reste possible sur demande.",
			SolidarityMin: 1000,
			TicketTypes: []*market.TicketType{
				seats("regulier", "Régulier", 2500, 120),
			},
		},
		{
			ID:           "evt_decouvertes-du-jeudi",
			MerchantSlug: "quai-des-chansons",
			Title:        "Les Découvertes du jeudi : la relève de la chanson",
			Summary:      "Trois jeunes auteurs-compositeurs de Québec présentent leurs premières chansons sur la scène du Quai.",
			Description: paras(
				"Chaque mois, le Quai des Chansons ouvre sa scène à trois artistes de la relève, choisis parmi les candidatures reçues. Vingt minutes chacun, une salle attentive, et souvent le début d'une belle histoire.",
				"Les billets solidaires de cette soirée financent la résidence d'écriture offerte à l'un des trois artistes.",
			),
			StartsAt:      on(now, quebecTime, 25, time.Thursday, 20, 0),
			Status:        market.EventScheduled,
			SolidarityMin: 1000,
			TicketTypes: []*market.TicketType{
				seats("entree", "Entrée", 1500, 140),
			},
		},

		// Théâtre des Pentes, Lyon
		{
			ID:           "evt_le-metier-et-la-revolte",
			MerchantSlug: "theatre-des-pentes",
			Title:        "Le Métier et la Révolte",
			Summary:      "1831, sur les pentes de la Croix-Rousse : une famille de canuts face à la révolte. Création de la compagnie du Gros Caillou.",
			Description: paras(
				"Novembre 1831. Dans un atelier de la rue des Tables-Claudiennes, la famille Berthet tisse jour et nuit pour un salaire qui ne suffit plus. Quand les canuts descendent dans la rue, chacun doit choisir son camp.",
				"Quatre comédiens, un métier à tisser sur scène et des chants de l'époque. Durée : 1 h 20. À partir de 12 ans.",
			),
			StartsAt:      at(now, lyonTime, 14, 20, 0),
			Status:        market.EventScheduled,
			SolidarityMin: 500,
			TicketTypes: []*market.TicketType{
				seats("plein", "Plein tarif", 1800, 70),
				seats("reduit", "Tarif réduit (étudiants, demandeurs d'emploi)", 1200, 20),
			},
		},
		{
			ID:           "evt_scene-ouverte-des-pentes",
			MerchantSlug: "theatre-des-pentes",
			Title:        "Scène ouverte des Pentes",
			Summary:      "Chanson, poésie, danse ou théâtre : dix minutes sur scène pour qui veut, un dimanche après-midi.",
			Description: paras(
				"Un dimanche par mois, le Théâtre des Pentes laisse sa scène à qui veut la prendre : amateurs, artistes en herbe, habitués du quartier. Inscription sur place à partir de 16 h.",
				"Le tarif d'entrée est symbolique ; les billets solidaires aident à maintenir la scène ouverte gratuite pour les artistes.",
			),
			StartsAt:      on(now, lyonTime, 20, time.Sunday, 17, 0),
			Status:        market.EventScheduled,
			SolidarityMin: 500,
			TicketTypes: []*market.TicketType{
				seats("entree", "Entrée", 500, 90),
			},
		},
	}

	venues := map[string]*market.Merchant{}
	for _, m := range merchants(now) {
		venues[m.Slug] = m
	}
	for i, e := range list {
		v := venues[e.MerchantSlug]
		e.MerchantID, e.MerchantName = v.ID, v.Name
		e.City, e.Currency = v.City, v.Currency
		e.CreatedAt = now.AddDate(0, 0, -(45 - i))
		name := strings.TrimPrefix(e.ID, "evt_")
		for _, t := range e.TicketTypes {
			t.ID = "tty_" + name + "-" + t.ID
			t.EventID = e.ID
		}
	}
	return list
}

// seats returns a ticket type with all its seats left; key becomes the end of
// its id.
func seats(key, name string, price int64, capacity int) *market.TicketType {
	return &market.TicketType{ID: key, Name: name, Price: price, Capacity: capacity, SeatsLeft: capacity}
}
