package store_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// TestActorBySession checks the one-statement session look-up against the
// role tables read one by one: every demo user's roles exactly, expired and
// unknown sessions refused.
func TestActorBySession(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		raw, _ := db.RawDB()
		roles := func(q, userID string) map[string]market.Role {
			rows, err := raw.QueryContext(ctx, q, userID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			m := map[string]market.Role{}
			for rows.Next() {
				var id, r string
				if err := rows.Scan(&id, &r); err != nil {
					t.Fatal(err)
				}
				m[id] = market.Role(r)
			}
			return m
		}
		rows, err := raw.QueryContext(ctx, `SELECT id, email, name, admin FROM users ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		type user struct {
			id, email, name string
			admin           int
		}
		var users []user
		for rows.Next() {
			var u user
			if err := rows.Scan(&u.id, &u.email, &u.name, &u.admin); err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		rows.Close()
		// One user with no role at all.
		bare := &market.User{Email: "sans-role@example.org", PasswordHash: "-"}
		if err := db.CreateUser(ctx, bare); err != nil {
			t.Fatal(err)
		}
		users = append(users, user{id: bare.ID, email: bare.Email})
		withCampaign, withProgramme := 0, 0
		for _, u := range users {
			_, hash := market.NewAccessToken()
			sid := market.NewID("ses")
			if err := db.CreateSession(ctx, &market.Session{ID: sid, TokenHash: hash, UserID: u.id, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			a, err := db.ActorBySession(ctx, hash, now)
			if err != nil {
				t.Fatalf("%s: %v", u.email, err)
			}
			name := u.name
			if name == "" {
				name = u.email
			}
			if a.SessionID != sid || a.UserID != u.id || a.Email != u.email || a.Name != name || a.Admin != (u.admin == 1) || a.DeviceID != "" {
				t.Errorf("%s: actor %+v", u.email, a)
			}
			for _, c := range []struct {
				what string
				got  map[string]market.Role
				q    string
			}{
				{"merchants", a.Merchants, `SELECT merchant_id, role FROM user_merchants WHERE user_id = $1`},
				{"campaigns", a.Campaigns, `SELECT campaign_id, role FROM user_campaigns WHERE user_id = $1`},
				{"programmes", a.Programmes, `SELECT programme_id, role FROM user_programmes WHERE user_id = $1`},
			} {
				if want := roles(c.q, u.id); c.got == nil || !maps.Equal(c.got, want) {
					t.Errorf("%s: %s %v, want %v", u.email, c.what, c.got, want)
				}
			}
			withCampaign += len(a.Campaigns)
			withProgramme += len(a.Programmes)
			// Expired at its expiry instant, and after.
			if _, err := db.ActorBySession(ctx, hash, now.Add(time.Hour)); market.ErrorCode(err) != market.ENotFound {
				t.Errorf("%s: expired session: %v", u.email, err)
			}
		}
		if withCampaign == 0 || withProgramme == 0 {
			t.Fatalf("the demo data must hold campaign and programme roles (%d, %d)", withCampaign, withProgramme)
		}
		if _, err := db.ActorBySession(ctx, "unknown", now); market.ErrorCode(err) != market.ENotFound {
			t.Errorf("unknown session: %v", err)
		}
	})
}
