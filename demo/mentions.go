package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// MentionSeeder is what seeding the demo mentions needs (store.DB); a store
// without it gets none.
type MentionSeeder interface {
	Campaign(ctx context.Context, slug string) (*market.Campaign, error)
	RecordMentions(ctx context.Context, src *market.MentionSource, found []*market.Mention, cursor string, next, now time.Time) (int, error)
}

// seedMentions gives #billetsolidaire public posts as a read would have
// found them, on made-up accounts of reserved .example hosts (no network is
// read in the demo): two on its wall, the others waiting for the
// organiser.
func seedMentions(ctx context.Context, s MentionSeeder, now time.Time) error {
	cam, err := s.Campaign(ctx, "billetsolidaire")
	if err != nil {
		return fmt.Errorf("demo: mentions: %w", err)
	}
	type post struct {
		network            market.Network
		handle, name, text string
		ago                time.Duration
		lang               string
		media              int
		approved           bool
	}
	posts := []post{
		{market.NetworkMastodon, "@marie_lune@mastodon.example", "Marie Lune",
			"Mon spectacle au Faubourg est annulé. Je garde mon billet : l'argent reste à la salle et aux artistes. #billetsolidaire",
			26 * time.Hour, "fr", 0, true},
		{market.NetworkBluesky, "gilles-tremblay.bsky.example", "Gilles Tremblay",
			"Trois billets pour la Nuit de la poésie, trois dons au théâtre. On se reverra quand les frontières rouvriront. #BilletSolidaire #culturequebec",
			20 * time.Hour, "fr", 1, true},
		{market.NetworkMastodon, "@chansonnier_qc@mastodon.example", "Le chansonnier du Vieux-Port",
			"Merci à tous ceux qui ont acheté un billet solidaire pour le Quai des Chansons cette semaine ! #billetsolidaire",
			9 * time.Hour, "fr", 0, false},
		{market.NetworkBluesky, "sam-in-mtl.bsky.example", "Sam",
			"Didn't ask for a refund for my cancelled show: the venue needs it more than I do. #billetsolidaire",
			5 * time.Hour, "en", 0, false},
		{market.NetworkFeed, "Le Journal du Centre-Sud", "Le Journal du Centre-Sud",
			"Le mouvement #billetsolidaire gagne les petites salles du quartier : des spectateurs renoncent au remboursement pour garder leur théâtre ouvert.",
			3 * time.Hour, "fr", 0, false},
		{market.NetworkMastodon, "@isa_lit@mastodon.example", "Isa lit",
			"Offert un billet solidaire à ma mère pour Noël, elle choisira son spectacle plus tard. #billetsolidaire",
			time.Hour, "fr", 2, false},
	}
	found := make([]*market.Mention, len(posts))
	for i, p := range posts {
		user := strings.SplitN(strings.TrimPrefix(p.handle, "@"), "@", 2)[0]
		url := "https://mastodon.example/@" + user + "/" + fmt.Sprint(1000+i)
		switch p.network {
		case market.NetworkBluesky:
			url = "https://bsky.example/profile/" + p.handle + "/post/demo" + fmt.Sprint(i)
		case market.NetworkFeed:
			url = "https://journal-centre-sud.example/2026/billetsolidaire"
		}
		status := market.MentionPending
		if p.approved {
			status = market.MentionApproved
		}
		found[i] = &market.Mention{ID: market.NewID("men"), CampaignID: cam.ID, Status: status,
			Post: market.Post{Network: p.network, ID: url, URL: url, AuthorHandle: p.handle, AuthorName: p.name,
				PostedAt: now.Add(-p.ago), Text: p.text, Lang: p.lang, MediaCount: p.media}}
	}
	_, err = s.RecordMentions(ctx, &market.MentionSource{CampaignID: cam.ID}, found, "", now, now)
	return err
}
