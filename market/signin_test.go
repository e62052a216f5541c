package market_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// tokenStore keeps sessions and devices by token hash and counts the
// look-ups of each kind.
type tokenStore struct {
	market.SignInStore
	user                          *market.User
	sessions, devices             map[string]string // token hash → user or merchant id
	sessionLookups, deviceLookups int
	deleted, revoked              int
}

func (s *tokenStore) UserByEmail(_ context.Context, email string) (*market.User, error) {
	if s.user != nil && s.user.Email == email {
		return s.user, nil
	}
	return nil, market.NotFound("Utilisateur")
}

func (s *tokenStore) CreateSession(_ context.Context, ses *market.Session) error {
	s.sessions[ses.TokenHash] = ses.UserID
	return nil
}

func (s *tokenStore) CreateDevice(_ context.Context, d *market.Device, hash string) error {
	s.devices[hash] = d.MerchantID
	return nil
}

func (s *tokenStore) TakeOneTimeCode(_ context.Context, purpose, hash string, _ time.Time) (*market.OneTimeCode, error) {
	return &market.OneTimeCode{Purpose: purpose, Hash: hash, MerchantID: "mer_1", Name: "Caisse"}, nil
}

func (s *tokenStore) ActorBySession(_ context.Context, hash string, _ time.Time) (*market.Actor, error) {
	s.sessionLookups++
	if id, ok := s.sessions[hash]; ok {
		return &market.Actor{UserID: id}, nil
	}
	return nil, market.NotFound("Session")
}

func (s *tokenStore) ActorByDevice(_ context.Context, hash string, _ time.Time) (*market.Actor, error) {
	s.deviceLookups++
	if m, ok := s.devices[hash]; ok {
		return &market.Actor{DeviceID: "dev_1", Merchants: map[string]market.Role{m: market.RoleDevice}}, nil
	}
	return nil, market.NotFound("Appareil")
}

func (s *tokenStore) DeleteSession(_ context.Context, hash string) error {
	s.deleted++
	delete(s.sessions, hash)
	return nil
}

func (s *tokenStore) RevokeDeviceByToken(_ context.Context, hash string) error {
	s.revoked++
	delete(s.devices, hash)
	return nil
}

// TestTokenKinds: a new session's token and a new device's token carry
// their kind and are looked up once, as that kind; tokens issued before the
// tags are still found, a session's in one look-up, a device's in two.
func TestTokenKinds(t *testing.T) {
	ctx := context.Background()
	pw, err := market.HashPassword("un mot de passe")
	if err != nil {
		t.Fatal(err)
	}
	st := &tokenStore{user: &market.User{ID: "usr_1", Email: "a@example.org", PasswordHash: pw},
		sessions: map[string]string{}, devices: map[string]string{}}
	s := &market.SignIn{Store: st}
	lookups := func(token string) (int, int, *market.Actor, error) {
		st.sessionLookups, st.deviceLookups = 0, 0
		a, err := s.Authenticate(ctx, token)
		return st.sessionLookups, st.deviceLookups, a, err
	}

	session, _, err := s.Login(ctx, "a@example.org", "un mot de passe", true)
	if err != nil || !strings.HasPrefix(session, market.SessionTokenPrefix) || len(session) != 34 {
		t.Fatalf("session token %q: %v", session, err)
	}
	if ns, nd, a, err := lookups(session); err != nil || a.UserID != "usr_1" || ns != 1 || nd != 0 {
		t.Fatalf("tagged session: %d session and %d device look-ups, %v", ns, nd, err)
	}
	device, _, err := s.Pair(ctx, "code")
	if err != nil || !strings.HasPrefix(device, market.DeviceTokenPrefix) || len(device) != 34 {
		t.Fatalf("device token %q: %v", device, err)
	}
	if ns, nd, a, err := lookups(device); err != nil || a.DeviceID == "" || ns != 0 || nd != 1 {
		t.Fatalf("tagged device: %d session and %d device look-ups, %v", ns, nd, err)
	}

	// Tokens issued before the tags, one of them starting like a tag.
	oldSession, oldSessionHash := market.NewAccessToken()
	st.sessions[oldSessionHash] = "usr_1"
	oldDevice := "d_" + oldSession[2:] // 32 characters: untagged
	st.devices[market.HashToken(oldDevice)] = "mer_1"
	if ns, nd, a, err := lookups(oldSession); err != nil || a.UserID != "usr_1" || ns != 1 || nd != 0 {
		t.Fatalf("untagged session: %d session and %d device look-ups, %v", ns, nd, err)
	}
	if ns, nd, a, err := lookups(oldDevice); err != nil || a.DeviceID == "" || ns != 1 || nd != 1 {
		t.Fatalf("untagged device: %d session and %d device look-ups, %v", ns, nd, err)
	}

	// A tag does not open the other kind: a session's tag on a device's
	// secret finds nothing.
	for _, tok := range []string{market.SessionTokenPrefix + device[2:], market.DeviceTokenPrefix + session[2:], "", "x"} {
		if _, _, _, err := lookups(tok); market.ErrorCode(err) != market.EUnauthorized {
			t.Errorf("%q: %v", tok, err)
		}
	}

	// Logging out ends exactly what the token is.
	for _, c := range []struct {
		token            string
		deleted, revoked int
	}{{session, 1, 0}, {device, 0, 1}, {oldSession, 1, 1}, {oldDevice, 1, 1}} {
		st.deleted, st.revoked = 0, 0
		if err := s.Logout(ctx, c.token); err != nil || st.deleted != c.deleted || st.revoked != c.revoked {
			t.Errorf("logout %q: %d deleted, %d revoked, %v", c.token[:2], st.deleted, st.revoked, err)
		}
		if _, _, _, err := lookups(c.token); market.ErrorCode(err) != market.EUnauthorized {
			t.Errorf("%q after logout: %v", c.token[:2], err)
		}
	}
}
