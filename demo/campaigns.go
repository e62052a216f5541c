package demo

import (
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// featuredCampaign is a demo campaign with what it features: merchants by
// slug and events by id, as CreateCampaign takes them.
type featuredCampaign struct {
	campaign  *market.Campaign
	merchants []string
	events    []string
}

// campaigns returns a fresh copy of the demo campaigns: started three weeks
// before now, running four months after.
func campaigns(now time.Time) []featuredCampaign {
	start, end := now.AddDate(0, 0, -21), now.AddDate(0, 4, 0)
	list := []featuredCampaign{
		{
			campaign: &market.Campaign{
				Slug:  BilletSolidaireSlug,
				Title: "#billetsolidaire : gardons nos salles vivantes",
				Description: paras(
					"En mars 2020, des milliers de spectateurs québécois ont renoncé au remboursement de leurs billets pour que les artistes et les salles soient payés malgré les annulations. Le mouvement #billetsolidaire continue.",
					"Achetez un billet pour un spectacle à venir, offrez un billet solidaire sans date, ou laissez en don le billet d'un spectacle annulé. L'argent va directement à la salle, et le compteur ci-dessous montre ce que nous avons amassé ensemble.",
				),
				Hashtags: []string{"billetsolidaire", "culturequebec"},
				Currency: market.CAD,
				Goal:     5_000_000,
			},
			merchants: []string{TheatreSlug, "quai-des-chansons"},
			events: []string{
				"evt_cabaret-des-voisins",
				"evt_les-heritieres",
				"evt_nuit-de-la-poesie",
				"evt_match-impro-faubourg-rosemont",
				"evt_contes-pour-petites-oreilles",
				"evt_soiree-des-chansonniers",
				"evt_veillee-de-contes",
				"evt_decouvertes-du-jeudi",
			},
		},
		{
			campaign: &market.Campaign{
				Slug:  AchatLocalSlug,
				Title: "#achatlocal : j'achète chez nous",
				Description: paras(
					"La boulangerie du coin, la librairie où l'on vous appelle par votre prénom, le casse-croûte de vos vingt ans : ils tiennent nos quartiers debout, et la crise les a frappés de plein fouet.",
					"Un certificat acheté aujourd'hui, c'est de l'argent qui arrive tout de suite chez le commerçant et un achat que vous ferez plus tard. La valeur payée n'expire jamais. Partagez la campagne avec #achatlocal et #jachetelocal.",
				),
				Hashtags: []string{"achatlocal", "jachetelocal"},
				Currency: market.CAD,
				Goal:     10_000_000,
			},
			merchants: []string{
				BoulangerieSlug,
				"chez-ginette-et-fils",
				"epicerie-le-garde-manger",
				"librairie-la-page-tournee",
				"atelier-floral-saint-henri",
				"boulangerie-pain-dantan",
				"librairie-le-signet",
				"epicerie-les-trois-rives",
				"casse-croute-chez-rejeanne",
				"cafe-des-cantons",
				"plein-air-bellevue",
			},
		},
		{
			campaign: &market.Campaign{
				Slug:  LyonCampaignSlug,
				Title: "Soutiens ton commerce lyonnais",
				Description: paras(
					"Librairies, bouchons, ateliers de la Croix-Rousse : les commerces indépendants font l'âme de Lyon, et la fermeture les a mis à genoux.",
					"Achetez un bon d'achat aujourd'hui, dépensez-le plus tard : l'argent arrive tout de suite chez le commerçant. Et pour le Théâtre des Pentes, un billet solidaire aide à payer les artistes de la saison.",
				),
				Hashtags: []string{"soutienstoncommerce", "lyonsolidaire"},
				Currency: market.EUR,
				Goal:     3_000_000,
			},
			merchants: []string{
				LibrairieSlug,
				"theatre-des-pentes",
				"bouchon-les-deux-traboules",
				"pain-de-la-guillotiere",
				"brulerie-des-quais",
				"fleurs-de-monplaisir",
				"atelier-fil-de-soie",
				"au-pion-voyageur",
				"epicerie-le-bocal",
				"atelier-du-souffle",
			},
			events: []string{"evt_le-metier-et-la-revolte", "evt_scene-ouverte-des-pentes"},
		},
	}
	for _, f := range list {
		c := f.campaign
		c.ID = CampaignID(c.Slug)
		c.StartsAt, c.EndsAt = start, end
		c.CreatedAt = start
	}
	return list
}
