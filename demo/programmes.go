package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// ProgrammeSeeder is what seeding the demo programme needs (store.DB); a
// store without it gets no programme.
type ProgrammeSeeder interface {
	CreateProgramme(ctx context.Context, p *market.Programme, organisers []string) error
	RequestMembership(ctx context.Context, programmeID, merchantID string, at time.Time) error
	DecideMembership(ctx context.Context, programmeID, merchantID string, from, to market.MembershipStatus, at time.Time) error
}

// programmeMerchants are the Sherbrooke shops that take the town's card.
var programmeMerchants = []string{"casse-croute-chez-rejeanne", "cafe-des-cantons", "plein-air-bellevue",
	"bouquinerie-du-lac-des-nations", "epicerie-du-vieux-nord"}

// seedProgramme creates "Dollars solidaires Sherbrooke", as Québec towns
// ran them in 2020: $20 → $30, $50 → $100, two cards and $200 per person,
// a fund of $5,000 from the town, the bonus spendable for six months.
func seedProgramme(ctx context.Context, s ProgrammeSeeder, merchantIDs map[string]string, organiser string, now time.Time) error {
	p := &market.Programme{Slug: ProgrammeSlug, Name: "Dollars solidaires Sherbrooke", City: "Sherbrooke", Currency: market.CAD,
		Description: "Achetez une carte, la Ville la bonifie : 20 $ deviennent 30 $, 50 $ deviennent 100 $. " +
			"La carte se dépense dans tous les commerces participants de Sherbrooke.",
		Fund:      market.Fund{Total: 500000},
		Bonus:     market.BonusRule{Tiers: []market.Tier{{From: 2000, Bonus: 1000}, {From: 5000, Bonus: 5000}}},
		MinAmount: 2000, MaxAmount: 10000, Caps: market.Caps{CardsPerBuyer: 2, AmountPerBuyer: 20000},
		BonusExpiresAt: now.AddDate(0, 6, 0), SalesOpenAt: now.AddDate(0, 0, -7), SalesCloseAt: now.AddDate(0, 2, 0),
		Waitlist: true, Status: market.ProgrammeActive, CreatedAt: now.AddDate(0, 0, -14)}
	if err := s.CreateProgramme(ctx, p, []string{organiser}); err != nil {
		return fmt.Errorf("demo: programme: %w", err)
	}
	for _, slug := range programmeMerchants {
		id := merchantIDs[slug]
		if id == "" {
			return fmt.Errorf("demo: programme: unknown merchant %s", slug)
		}
		if err := s.RequestMembership(ctx, p.ID, id, now.AddDate(0, 0, -10)); err != nil {
			return fmt.Errorf("demo: programme member %s: %w", slug, err)
		}
		if err := s.DecideMembership(ctx, p.ID, id, market.MemberRequested, market.MemberAccepted, now.AddDate(0, 0, -9)); err != nil {
			return fmt.Errorf("demo: programme member %s: %w", slug, err)
		}
	}
	return nil
}
