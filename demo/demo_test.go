package demo

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

// fakeStore is an in-memory Store that keeps what the real one promises:
// validation, unique slugs, ids and emails, known references, and only
// approved merchants listed publicly.
type fakeStore struct {
	merchants     map[string]*market.Merchant // by slug
	merchantByID  map[string]*market.Merchant
	events        map[string]*market.Event
	users         map[string]*market.User // by email
	userByID      map[string]*market.User
	campaigns     map[string]*market.Campaign // by slug
	campaignByID  map[string]*market.Campaign
	merchantRoles map[[2]string]market.Role // {user id, merchant id}
	campaignRoles map[[2]string]market.Role // {user id, campaign id}
}

var _ Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{
		merchants:     map[string]*market.Merchant{},
		merchantByID:  map[string]*market.Merchant{},
		events:        map[string]*market.Event{},
		users:         map[string]*market.User{},
		userByID:      map[string]*market.User{},
		campaigns:     map[string]*market.Campaign{},
		campaignByID:  map[string]*market.Campaign{},
		merchantRoles: map[[2]string]market.Role{},
		campaignRoles: map[[2]string]market.Role{},
	}
}

func (s *fakeStore) ListMerchants(_ context.Context, f market.MerchantFilter) ([]*market.Merchant, string, error) {
	var out []*market.Merchant
	for _, m := range s.merchants {
		if m.Status != market.MerchantApproved ||
			f.Category != "" && m.Category != f.Category ||
			f.City != "" && market.Fold(m.City) != market.Fold(f.City) {
			continue
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, "", nil
}

func (s *fakeStore) Merchant(_ context.Context, slug string) (*market.Merchant, error) {
	m, ok := s.merchants[slug]
	if !ok || m.Status != market.MerchantApproved {
		return nil, market.NotFound("Commerce")
	}
	return m, nil
}

func (s *fakeStore) CreateMerchant(_ context.Context, m *market.Merchant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = market.NewID("mer")
	}
	if s.merchants[m.Slug] != nil || s.merchantByID[m.ID] != nil {
		return market.Errorf(market.EConflict, "slug or id taken: %s", m.Slug)
	}
	s.merchants[m.Slug], s.merchantByID[m.ID] = m, m
	return nil
}

func (s *fakeStore) Cities(context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, m := range s.merchants {
		if m.Status == market.MerchantApproved && !seen[m.City] {
			seen[m.City] = true
			out = append(out, m.City)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *fakeStore) ListEvents(_ context.Context, f market.EventFilter) ([]*market.Event, string, error) {
	var out []*market.Event
	for _, e := range s.events {
		if f.Status != "" && e.Status != f.Status || f.Merchant != "" && e.MerchantSlug != f.Merchant {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartsAt.Before(out[j].StartsAt) })
	return out, "", nil
}

func (s *fakeStore) Event(_ context.Context, id string) (*market.Event, error) {
	e, ok := s.events[id]
	if !ok {
		return nil, market.NotFound("Événement")
	}
	return e, nil
}

func (s *fakeStore) CreateEvent(_ context.Context, e *market.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	m := s.merchantByID[e.MerchantID]
	if m == nil {
		return market.Invalid("merchant", "unknown merchant")
	}
	if e.ID == "" {
		e.ID = market.NewID("evt")
	}
	if s.events[e.ID] != nil {
		return market.Errorf(market.EConflict, "event id taken: %s", e.ID)
	}
	e.MerchantSlug, e.MerchantName = m.Slug, m.Name
	s.events[e.ID] = e
	return nil
}

func (s *fakeStore) Campaign(_ context.Context, slug string) (*market.Campaign, error) {
	c, ok := s.campaigns[slug]
	if !ok {
		return nil, market.NotFound("Campagne")
	}
	return c, nil
}

func (s *fakeStore) ListCampaigns(context.Context) ([]*market.Campaign, error) {
	var out []*market.Campaign
	for _, c := range s.campaigns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

func (s *fakeStore) CreateCampaign(_ context.Context, c *market.Campaign, merchantSlugs, eventIDs []string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = market.NewID("cam")
	}
	if s.campaigns[c.Slug] != nil || s.campaignByID[c.ID] != nil {
		return market.Errorf(market.EConflict, "slug or id taken: %s", c.Slug)
	}
	c.Merchants, c.Events = nil, nil
	for _, slug := range merchantSlugs {
		m := s.merchants[slug]
		if m == nil {
			return market.Invalid("merchants", "unknown merchant "+slug)
		}
		c.Merchants = append(c.Merchants, m)
	}
	for _, id := range eventIDs {
		e := s.events[id]
		if e == nil {
			return market.Invalid("events", "unknown event "+id)
		}
		c.Events = append(c.Events, e)
	}
	s.campaigns[c.Slug], s.campaignByID[c.ID] = c, c
	return nil
}

func (s *fakeStore) CreateUser(_ context.Context, u *market.User) error {
	u.Email = strings.ToLower(u.Email)
	if u.ID == "" {
		u.ID = market.NewID("usr")
	}
	if s.users[u.Email] != nil || s.userByID[u.ID] != nil {
		return market.Errorf(market.EConflict, "email or id taken: %s", u.Email)
	}
	s.users[u.Email], s.userByID[u.ID] = u, u
	return nil
}

func (s *fakeStore) UserByEmail(_ context.Context, email string) (*market.User, error) {
	u, ok := s.users[strings.ToLower(email)]
	if !ok {
		return nil, market.NotFound("Utilisateur")
	}
	return u, nil
}

func (s *fakeStore) GrantMerchant(_ context.Context, userID, merchantID string, r market.Role) error {
	if s.userByID[userID] == nil || s.merchantByID[merchantID] == nil {
		return market.Invalid("grant", "unknown user or merchant")
	}
	s.merchantRoles[[2]string{userID, merchantID}] = r
	return nil
}

func (s *fakeStore) GrantCampaign(_ context.Context, userID, campaignID string, r market.Role) error {
	if s.userByID[userID] == nil || s.campaignByID[campaignID] == nil {
		return market.Invalid("grant", "unknown user or campaign")
	}
	s.campaignRoles[[2]string{userID, campaignID}] = r
	return nil
}

// seeded returns a fake store loaded with the demo data set at now.
func seeded(t *testing.T, now time.Time) *fakeStore {
	t.Helper()
	s := newFakeStore()
	if err := Seed(context.Background(), s, now); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return s
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, time.March, 14, 15, 30, 0, 0, time.UTC)
	s := seeded(t, now)

	t.Run("Counts", func(t *testing.T) {
		listed, _, _ := s.ListMerchants(ctx, market.MerchantFilter{})
		if len(listed) < 30 {
			t.Errorf("approved merchants = %d, want at least 30", len(listed))
		}
		if pending := len(s.merchants) - len(listed); pending < 1 || pending > 2 {
			t.Errorf("merchants not listed = %d, want 1 or 2 pending", pending)
		}
		cities, _ := s.Cities(ctx)
		if len(cities) < 3 {
			t.Errorf("cities = %v, want at least 3", cities)
		}
		categories := map[market.Category]bool{}
		for _, m := range listed {
			categories[m.Category] = true
		}
		for _, c := range market.Categories {
			if !categories[c.Slug] {
				t.Errorf("no approved merchant in category %s", c.Slug)
			}
		}
		lyon, _, _ := s.ListMerchants(ctx, market.MerchantFilter{City: "lyon"})
		if len(lyon) < 8 {
			t.Errorf("Lyon merchants = %d, want at least 8", len(lyon))
		}

		all, _, _ := s.ListEvents(ctx, market.EventFilter{})
		if len(all) < 8 {
			t.Errorf("events = %d, want at least 8", len(all))
		}
		for status, want := range map[market.EventStatus]int{market.EventCancelled: 1, market.EventPostponed: 1} {
			if got, _, _ := s.ListEvents(ctx, market.EventFilter{Status: status}); len(got) != want {
				t.Errorf("%s events = %d, want %d", status, len(got), want)
			}
		}
		if got, _, _ := s.ListEvents(ctx, market.EventFilter{Merchant: TheatreSlug}); len(got) < 4 {
			t.Errorf("events at %s = %d, want at least 4", TheatreSlug, len(got))
		}
		venues := map[string]bool{}
		for _, e := range all {
			venues[e.MerchantSlug] = true
		}
		if len(venues) < 3 {
			t.Errorf("venues with events = %v, want at least 3", venues)
		}
	})

	t.Run("Merchants", func(t *testing.T) {
		for _, m := range s.merchants {
			if err := m.Validate(); err != nil {
				t.Errorf("%s: %v", m.Slug, err)
			}
			if m.ID != MerchantID(m.Slug) {
				t.Errorf("%s: id %q, want %q", m.Slug, m.ID, MerchantID(m.Slug))
			}
			if n := utf8.RuneCountInString(m.Summary); n == 0 || n > 140 {
				t.Errorf("%s: summary has %d characters, want 1 to 140", m.Slug, n)
			}
			if n := len(strings.Split(m.Description, "\n\n")); n < 2 || n > 3 {
				t.Errorf("%s: description has %d paragraphs, want 2 or 3", m.Slug, n)
			}
			if m.Address == "" {
				t.Errorf("%s: no address", m.Slug)
			}
			if m.Website != "" && !strings.HasSuffix(strings.SplitN(strings.TrimPrefix(m.Website, "https://"), "/", 2)[0], ".example.org") {
				t.Errorf("%s: website %q is not an example.org address", m.Slug, m.Website)
			}
			if want := market.CAD; m.City == "Lyon" {
				if m.Currency != market.EUR {
					t.Errorf("%s: currency %s in Lyon, want eur", m.Slug, m.Currency)
				}
			} else if m.Currency != want {
				t.Errorf("%s: currency %s in %s, want cad", m.Slug, m.Currency, m.City)
			}
			if !m.Accepting(market.KindGiftCertificate) || len(m.Suggested) == 0 {
				t.Errorf("%s: sells no gift certificate or suggests no amount", m.Slug)
			}
			venue := m.Category == "spectacle"
			if venue != m.Accepting(market.KindTicket) || venue != m.Accepting(market.KindSolidarityTicket) {
				t.Errorf("%s: accepts %v; venues and only venues sell tickets", m.Slug, m.Accepts)
			}
		}
		// Slugs are unique in the data set, not only in the store.
		seen := map[string]bool{}
		for _, m := range merchants(now) {
			if seen[m.Slug] {
				t.Errorf("slug %s used twice", m.Slug)
			}
			seen[m.Slug] = true
		}
		for _, want := range []struct {
			slug     string
			city     string
			currency market.Currency
			category market.Category
		}{
			{BoulangerieSlug, "Montréal", market.CAD, "boulangerie"},
			{LibrairieSlug, "Lyon", market.EUR, "librairie"},
			{TheatreSlug, "Montréal", market.CAD, "spectacle"},
		} {
			m, err := s.Merchant(ctx, want.slug)
			if err != nil {
				t.Errorf("%s: %v", want.slug, err)
				continue
			}
			if m.City != want.city || m.Currency != want.currency || m.Category != want.category {
				t.Errorf("%s: %s, %s, %s; want %s, %s, %s", want.slug, m.City, m.Currency, m.Category, want.city, want.currency, want.category)
			}
		}
	})

	t.Run("Events", func(t *testing.T) {
		types := map[string]bool{}
		for _, e := range s.events {
			if err := e.Validate(); err != nil {
				t.Errorf("%s: %v", e.ID, err)
			}
			v := s.merchantByID[e.MerchantID]
			if v == nil || !v.Accepting(market.KindTicket) || v.Status != market.MerchantApproved {
				t.Errorf("%s: venue %s is not an approved venue", e.ID, e.MerchantID)
				continue
			}
			if e.Currency != v.Currency || e.City != v.City {
				t.Errorf("%s: %s in %s, venue %s in %s", e.ID, e.Currency, e.City, v.Currency, v.City)
			}
			if !strings.HasPrefix(e.ID, "evt_") || e.Summary == "" || e.Description == "" {
				t.Errorf("%s: want an evt_ id, a summary and a description", e.ID)
			}
			if n := utf8.RuneCountInString(e.Summary); n > 140 {
				t.Errorf("%s: summary has %d characters, want at most 140", e.ID, n)
			}
			if !e.StartsAt.After(now) {
				t.Errorf("%s: starts %v, not after %v", e.ID, e.StartsAt, now)
			}
			if (e.Status == market.EventScheduled) != (e.StatusNote == "") {
				t.Errorf("%s: %s with note %q; only cancelled or postponed events explain why", e.ID, e.Status, e.StatusNote)
			}
			if len(e.TicketTypes) == 0 {
				t.Errorf("%s: no ticket types", e.ID)
			}
			for _, tt := range e.TicketTypes {
				if types[tt.ID] {
					t.Errorf("%s: ticket type id %s used twice", e.ID, tt.ID)
				}
				types[tt.ID] = true
				if tt.EventID != e.ID || tt.Price <= 0 || tt.Capacity <= 0 || tt.SeatsLeft != tt.Capacity {
					t.Errorf("%s: ticket type %+v", e.ID, *tt)
				}
			}
		}
	})

	t.Run("Campaigns", func(t *testing.T) {
		for _, slug := range []string{BilletSolidaireSlug, AchatLocalSlug, LyonCampaignSlug} {
			c, err := s.Campaign(ctx, slug)
			if err != nil {
				t.Errorf("%s: %v", slug, err)
				continue
			}
			if err := c.Validate(); err != nil {
				t.Errorf("%s: %v", slug, err)
			}
			if c.ID != CampaignID(slug) || c.Goal <= 0 || c.StartsAt.After(now) || !c.EndsAt.After(now) {
				t.Errorf("%s: id %s, goal %d, from %v to %v", slug, c.ID, c.Goal, c.StartsAt, c.EndsAt)
			}
			if len(c.Merchants) == 0 {
				t.Errorf("%s: features no merchant", slug)
			}
			for _, m := range c.Merchants {
				if m.Status != market.MerchantApproved || m.Currency != c.Currency {
					t.Errorf("%s: features %s (%s, %s)", slug, m.Slug, m.Status, m.Currency)
				}
			}
			for _, e := range c.Events {
				if e.Currency != c.Currency {
					t.Errorf("%s: features %s in %s", slug, e.ID, e.Currency)
				}
			}
		}
		b := s.campaigns[BilletSolidaireSlug]
		if b == nil || strings.Join(b.Hashtags, " ") != "billetsolidaire culturequebec" || b.Currency != market.CAD || len(b.Events) < 6 {
			t.Errorf("billetsolidaire: %+v", b)
		}
		a := s.campaigns[AchatLocalSlug]
		if a == nil || strings.Join(a.Hashtags, " ") != "achatlocal jachetelocal" || a.Currency != market.CAD || len(a.Merchants) < 8 {
			t.Errorf("achatlocal: %+v", a)
		}
	})

	t.Run("Users", func(t *testing.T) {
		var hash string
		for _, email := range []string{AdminEmail, BoulangerieEmail, LibrairieEmail, OrganisateurEmail} {
			u, err := s.UserByEmail(ctx, email)
			if err != nil {
				t.Errorf("%s: %v", email, err)
				continue
			}
			if hash == "" {
				hash = u.PasswordHash
				if !market.CheckPassword(hash, Password) {
					t.Errorf("%s: the demo password does not match the stored hash", email)
				}
				if market.CheckPassword(hash, "solidaire-demo!") {
					t.Errorf("%s: a wrong password matches the stored hash", email)
				}
			} else if u.PasswordHash != hash {
				t.Errorf("%s: the password was hashed again, want one shared hash", email)
			}
			if u.Admin != (email == AdminEmail) {
				t.Errorf("%s: admin = %v", email, u.Admin)
			}
		}
		role := func(email, merchantSlug string) market.Role {
			return s.merchantRoles[[2]string{s.users[email].ID, MerchantID(merchantSlug)}]
		}
		for _, want := range []struct {
			email, slug string
			role        market.Role
		}{
			{BoulangerieEmail, BoulangerieSlug, market.RoleOwner},
			{LibrairieEmail, LibrairieSlug, market.RoleOwner},
			{OrganisateurEmail, TheatreSlug, market.RoleOrganiser},
			{CafeEmail, "cafe-des-cantons", market.RoleOwner},
		} {
			if got := role(want.email, want.slug); got != want.role {
				t.Errorf("%s on %s: role %q, want %q", want.email, want.slug, got, want.role)
			}
		}
		if got := s.campaignRoles[[2]string{s.users[OrganisateurEmail].ID, CampaignID(BilletSolidaireSlug)}]; got != market.RoleOrganiser {
			t.Errorf("organiser on billetsolidaire: role %q", got)
		}
		if n := len(s.merchantRoles) + len(s.campaignRoles); n != 5 {
			t.Errorf("grants = %d, want 5", n)
		}
	})

	t.Run("SeedTwice", func(t *testing.T) {
		if err := Seed(ctx, s, now); market.ErrorCode(err) != market.EConflict {
			t.Errorf("second Seed: %v, want %s", err, market.EConflict)
		}
	})
}

// TestEventsUpcoming checks that the events stay in the future whatever day
// the demo is seeded, across daylight saving changes and year ends.
func TestEventsUpcoming(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, time.March, 7, 23, 59, 0, 0, time.UTC), // the night before DST in Québec
		time.Date(2026, time.October, 24, 22, 0, 0, 0, time.UTC),
		time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC),
		time.Date(2027, time.February, 28, 4, 0, 0, 0, time.UTC),
	} {
		for _, e := range events(now) {
			if !e.StartsAt.After(now.Add(24 * time.Hour)) {
				t.Errorf("now %v: %s starts %v, want at least a day later", now, e.ID, e.StartsAt)
			}
			if h := e.StartsAt.Hour(); h < 10 || h > 21 {
				t.Errorf("now %v: %s starts at %d h local time", now, e.ID, h)
			}
			if w := e.StartsAt.Weekday(); strings.Contains(e.Title, "jeudi") && w != time.Thursday ||
				strings.Contains(e.Summary, "dimanche") && w != time.Sunday {
				t.Errorf("now %v: %s falls on a %v", now, e.ID, w)
			}
		}
		for _, f := range campaigns(now) {
			if err := f.campaign.Validate(); err != nil {
				t.Errorf("now %v: %s: %v", now, f.campaign.Slug, err)
			}
		}
	}
}
