package market

import (
	"context"
	"strings"
	"time"
)

// FollowConfirmTTL is how long a follow confirmation link works.
const FollowConfirmTTL = 7 * 24 * time.Hour

// Consent wording shown next to the follow form, recorded word for word
// with each follower (Québec's Law 25, the GDPR): the form shows the
// French text, and the English one to English readers.
const (
	FollowConsentFR = "J'accepte de recevoir par courriel les nouvelles et les offres de ce commerce, envoyées par Solidaire. Je peux me désabonner à tout moment en un clic ; mon adresse n'est jamais montrée au commerce."
	FollowConsentEN = "I agree to receive this business's news and offers by email, sent by Solidaire. I can unsubscribe at any time in one click; my address is never shown to the business."
)

// FollowConsent returns the consent wording shown in lang.
func FollowConsent(lang string) string {
	if lang == "en" {
		return FollowConsentEN
	}
	return FollowConsentFR
}

// FollowerStore is the persistence of followers.
type FollowerStore interface {
	// AddFollower records a follow request (new, unconfirmed or ended) with
	// its confirmation hash and queues mail in the same transaction; an
	// address that already follows is left as it is, and no mail is queued
	// (false).
	AddFollower(ctx context.Context, f *Follower, confirmHash string, expires time.Time, mail func(*Follower) (*Mail, error)) (bool, error)
	// ConfirmFollower confirms the follower of a live confirmation hash and
	// returns its merchant's id; EInvalid on "token" otherwise.
	ConfirmFollower(ctx context.Context, confirmHash string, now time.Time) (string, error)
	// Unsubscribe ends the follow of an unsubscribe token (again: no
	// change) and returns its merchant's id; EInvalid on "token" for an
	// unknown one.
	Unsubscribe(ctx context.Context, token string, now time.Time) (string, error)
	MerchantByID(ctx context.Context, id string) (*Merchant, error)
}

// FollowerService lets citizens follow a merchant's news by email, with
// double opt-in and one-click unsubscription.
type FollowerService struct {
	Store   FollowerStore
	Mail    FollowerMailComposer
	BaseURL string
	Now     func() time.Time
}

func (s *FollowerService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Follow asks email to confirm that it follows m (an approved merchant):
// the caller answers the same whether or not the address already follows,
// so nobody learns who does. EInvalid for an address that is not one.
func (s *FollowerService) Follow(ctx context.Context, m *Merchant, email, lang string) error {
	email, err := CheckEmail("email", email, true)
	if err != nil {
		return err
	}
	if lang != "en" {
		lang = "fr"
	}
	now := s.now()
	token, hash := newSecret()
	unsub, _ := newSecret()
	f := &Follower{ID: NewID("fol"), MerchantID: m.ID, Email: email, Lang: lang, ConsentText: FollowConsent(lang),
		ConsentAt: now, CreatedAt: now, UnsubscribeToken: unsub}
	link := strings.TrimRight(s.BaseURL, "/") + "/suivre/confirmer?token=" + token
	if lang == "en" {
		link += "&lang=en"
	}
	_, err = s.Store.AddFollower(ctx, f, hash, now.Add(FollowConfirmTTL), func(f *Follower) (*Mail, error) {
		return s.Mail.FollowConfirmation(f, m, link)
	})
	return err
}

// ConfirmFollower confirms a follow with the mailed token and returns the
// merchant followed; EInvalid on "token" for an unknown, used or expired
// one.
func (s *FollowerService) ConfirmFollower(ctx context.Context, token string) (*Merchant, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 100 {
		return nil, followTokenInvalid()
	}
	id, err := s.Store.ConfirmFollower(ctx, HashToken(token), s.now())
	if err != nil {
		return nil, err
	}
	return s.Store.MerchantByID(ctx, id)
}

// Unsubscribe ends a follow with the token of the follower's mails (again
// is fine) and returns the merchant; EInvalid on "token" for an unknown
// one.
func (s *FollowerService) Unsubscribe(ctx context.Context, token string) (*Merchant, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 100 {
		return nil, followTokenInvalid()
	}
	id, err := s.Store.Unsubscribe(ctx, token, s.now())
	if err != nil {
		return nil, err
	}
	return s.Store.MerchantByID(ctx, id)
}

func followTokenInvalid() error {
	return &Error{Code: EInvalid, Message: "Ce lien n'est plus valable : suivez le commerce à nouveau depuis sa page.",
		Fields: map[string]string{"token": "Lien inconnu ou expiré."}}
}

// FollowTokenInvalid is the error of an unknown, used or expired follow
// link, for the store.
func FollowTokenInvalid() error { return followTokenInvalid() }
