package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// pageDetails gives a few demo merchants what they say of themselves on
// their own page (#13): today's status, opening hours, links, an English
// description. None has photos: the demo carries no image files.
func pageDetails(m *market.Merchant, now time.Time) {
	weekdays := func(opens, closes string, days ...int) []market.OpeningHours {
		var h []market.OpeningHours
		for _, d := range days {
			h = append(h, market.OpeningHours{Day: d, Opens: opens, Closes: closes})
		}
		return h
	}
	switch m.Slug {
	case "chez-ginette-et-fils":
		m.OpenStatus, m.StatusNote = market.StatusTakeout, "Commandez au comptoir ou par téléphone, on vous attend à la porte."
		m.Hours = weekdays("11:00", "20:00", 2, 3, 4, 5, 6)
		m.Facebook = "https://www.facebook.com/chezginetteetfils.example"
		m.DescriptionEN = "A family diner since 1972: hot chicken, pudding chômeur and coffee refills, now for takeout."
	case "epicerie-le-garde-manger":
		m.OpenStatus, m.StatusNote = market.StatusDelivery, "Livraison à vélo sur le Plateau, commandes avant 14 h."
		m.Hours = append(weekdays("09:00", "19:00", 1, 2, 3, 4, 5), weekdays("10:00", "17:00", 6)...)
		m.Instagram = "https://www.instagram.com/legardemanger.example"
		m.DescriptionEN = "A neighbourhood grocery of local produce, delivering by bike while the doors stay half shut."
	case "atelier-floral-saint-henri":
		m.OpenStatus, m.StatusNote = market.StatusClosed, "Fermé pour deux semaines : les certificats restent valables."
		m.StatusUntil = now.Add(14 * 24 * time.Hour).Truncate(time.Hour)
	case "restaurant-mai-lan":
		m.OpenStatus = market.StatusOnline
		m.Hours = append(weekdays("11:30", "14:00", 2, 3, 4, 5, 6), weekdays("17:00", "21:00", 2, 3, 4, 5, 6)...)
		m.DescriptionEN = "Family Vietnamese cooking in Côte-des-Neiges: phở on Sundays, banh mi every day."
	case "bouchon-les-deux-traboules":
		m.OpenStatus, m.StatusNote = market.StatusTakeout, "Plats du jour à emporter, du mardi au samedi."
		m.Hours = weekdays("11:30", "14:30", 2, 3, 4, 5, 6)
		m.Facebook = "https://www.facebook.com/lesdeuxtraboules.example"
	case "cafe-le-perron":
		m.OpenStatus = market.StatusOpen
		m.Hours = weekdays("07:00", "17:00", 1, 2, 3, 4, 5, 6, 7)
	}
	if m.OpenStatus != "" && m.StatusNote == "" && m.OpenStatus == market.StatusOpen {
		m.StatusNote = "Ouvert aux heures habituelles."
	}
}

// demoPosts are a few news posts of demo merchants, newest last.
var demoPosts = []struct{ slug, body string }{
	{"chez-ginette-et-fils", "Le pouding chômeur est de retour, pour emporter seulement. Merci de nous garder dans vos habitudes !"},
	{"epicerie-le-garde-manger", "Nouvelles fraises de l'Île d'Orléans cette semaine. Livraison à vélo gratuite dès 40 $."},
	{"bouchon-les-deux-traboules", "Cette semaine : quenelles sauce Nantua et tarte aux pralines, à emporter du mardi au samedi."},
}

// postStore is what seeding news posts needs; a store without it gets
// none.
type postStore interface {
	CreatePost(ctx context.Context, p *market.NewsPost, compose func(*market.Follower) (*market.Mail, error)) error
}

// seedPosts writes the demo news posts, when the store keeps posts.
func seedPosts(ctx context.Context, s Store, merchantIDs map[string]string, now time.Time) error {
	ps, ok := s.(postStore)
	if !ok {
		return nil
	}
	for i, p := range demoPosts {
		id := merchantIDs[p.slug]
		if id == "" {
			return fmt.Errorf("demo: post: unknown merchant %s", p.slug)
		}
		post := &market.NewsPost{ID: "post_demo_" + p.slug, MerchantID: id, Body: p.body,
			CreatedAt: now.Add(-time.Duration(len(demoPosts)-i) * 26 * time.Hour)}
		if err := ps.CreatePost(ctx, post, nil); err != nil {
			return fmt.Errorf("demo: post %s: %w", post.ID, err)
		}
	}
	return nil
}
