package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Store is what seeding needs; store.DB implements it.
type Store interface {
	market.MerchantService
	market.EventService
	market.CampaignService
	market.UserService
}

// Seed loads the demo data set; now anchors the event and campaign dates. It
// is called on an empty database only: on a seeded one the store's EConflict
// comes back, wrapped with the record that clashed.
func Seed(ctx context.Context, s Store, now time.Time) error {
	// argon2id is slow on purpose: hash once, share the hash.
	hash, err := market.HashPassword(Password)
	if err != nil {
		return fmt.Errorf("demo: hash password: %w", err)
	}

	// The store may assign its own ids; link records by what it kept.
	merchantIDs := map[string]string{}
	for _, m := range merchants(now) {
		if err := s.CreateMerchant(ctx, m); err != nil {
			return fmt.Errorf("demo: merchant %s: %w", m.Slug, err)
		}
		merchantIDs[m.Slug] = m.ID
	}
	if err := seedPosts(ctx, s, merchantIDs, now); err != nil {
		return err
	}

	eventIDs := map[string]string{}
	for _, e := range events(now) {
		id, name := merchantIDs[e.MerchantSlug], e.ID
		if id == "" {
			return fmt.Errorf("demo: event %s: unknown venue %s", name, e.MerchantSlug)
		}
		e.MerchantID = id
		if err := s.CreateEvent(ctx, e); err != nil {
			return fmt.Errorf("demo: event %s: %w", name, err)
		}
		eventIDs[name] = e.ID
	}

	list := accounts(now)
	for _, a := range list {
		a.user.PasswordHash = hash
		if err := s.CreateUser(ctx, a.user); err != nil {
			return fmt.Errorf("demo: user %s: %w", a.user.Email, err)
		}
		for _, g := range a.merchants {
			if err := s.GrantMerchant(ctx, a.user.ID, merchantIDs[g.slug], g.role); err != nil {
				return fmt.Errorf("demo: grant %s on %s: %w", a.user.Email, g.slug, err)
			}
		}
	}

	campaignIDs := map[string]string{}
	for _, f := range campaigns(now) {
		ids := make([]string, len(f.events))
		for i, id := range f.events {
			if ids[i] = eventIDs[id]; ids[i] == "" {
				return fmt.Errorf("demo: campaign %s: unknown event %s", f.campaign.Slug, id)
			}
		}
		if err := s.CreateCampaign(ctx, f.campaign, f.merchants, ids); err != nil {
			return fmt.Errorf("demo: campaign %s: %w", f.campaign.Slug, err)
		}
		campaignIDs[f.campaign.Slug] = f.campaign.ID
	}

	// Campaign grants wait for the campaigns they point at.
	for _, a := range list {
		for _, g := range a.campaigns {
			if err := s.GrantCampaign(ctx, a.user.ID, campaignIDs[g.slug], g.role); err != nil {
				return fmt.Errorf("demo: grant %s on %s: %w", a.user.Email, g.slug, err)
			}
		}
	}
	if ps, ok := s.(ProgrammeSeeder); ok {
		var town string
		for _, a := range list {
			if a.user.Email == VilleEmail {
				town = a.user.ID
			}
		}
		if err := seedProgramme(ctx, ps, merchantIDs, town, now); err != nil {
			return err
		}
	}
	if ms, ok := s.(MentionSeeder); ok {
		return seedMentions(ctx, ms, now)
	}
	return nil
}
