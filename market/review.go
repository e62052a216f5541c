package market

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Codes for a merchant that may not yet (or no longer) sell or speak in
// public, each answered 403: its application waits for an admin, was
// refused, or the merchant was closed.
const (
	EMerchantPending = "merchant_pending"
	EMerchantRefused = "merchant_refused"
	EMerchantClosed  = "merchant_closed"
	// EOrganiserNotApproved: the actor is not an approved organiser
	// (ApprovedOrganiser), so it may not publish a campaign.
	EOrganiserNotApproved = "organiser_not_approved"
)

// MaxRefusalReason is the longest reason an admin may give when refusing
// an application, in characters.
const MaxRefusalReason = 500

// MayTrade is the one rule for what a merchant puts in front of the public:
// only an approved merchant (or a programme's operator, which sells its
// cards) sells, publishes events, connects payments, runs or features in
// campaigns. A merchant not approved may still prepare its page and its
// drafts. EMerchantPending, EMerchantRefused (with the reason) or
// EMerchantClosed otherwise.
func (m *Merchant) MayTrade() error {
	switch m.Status {
	case MerchantApproved, MerchantProgramme:
		return nil
	case MerchantRefused:
		msg := "L'équipe Solidaire a refusé l'inscription de votre commerce : il ne peut ni vendre ni publier."
		if m.RefusedReason != "" {
			msg += " Motif : " + m.RefusedReason
		}
		return &Error{Code: EMerchantRefused, Message: msg}
	case MerchantClosed:
		return &Error{Code: EMerchantClosed, Message: "Ce commerce est fermé sur Solidaire : il ne vend plus et ne publie plus. " +
			"Les bons déjà vendus restent utilisables à sa caisse."}
	default:
		return &Error{Code: EMerchantPending, Message: "Votre commerce attend encore l'approbation de l'équipe Solidaire : " +
			"vous pouvez préparer votre page, mais pas encore vendre ni publier."}
	}
}

// MayFeature is MayTrade said to someone else than the merchant (an
// organiser featuring it in a campaign): the same code, a sentence naming
// the merchant.
func (m *Merchant) MayFeature() error {
	err := m.MayTrade()
	if err == nil {
		return nil
	}
	e := err.(*Error)
	return &Error{Code: e.Code, Message: "« " + m.Name + " » n'est pas un commerce approuvé par l'équipe Solidaire : " +
		"il ne peut pas figurer dans une campagne.", Fields: map[string]string{"merchants": m.Slug}}
}

// MayPublish checks that an event may be seen and sold: a draft may be
// prepared by any venue, a published event only by a venue that may trade
// (MayTrade's codes).
func (e *Event) MayPublish(venue *Merchant) error {
	if e.Draft {
		return nil
	}
	return venue.MayTrade()
}

// ApprovedOrganiser is the rule for who publishes a campaign under
// Solidaire's name: an admin; someone an admin made organiser of a
// campaign or a programme; or the owner or organiser of an approved
// merchant (own lists the merchants the actor holds a role at). MayTrade's
// code when the actor's only claim is a merchant not approved;
// EOrganiserNotApproved otherwise.
func ApprovedOrganiser(a *Actor, own []*Merchant) error {
	if a != nil && a.DeviceID == "" {
		if a.Admin {
			return nil
		}
		for _, r := range a.Campaigns {
			if r == RoleOrganiser {
				return nil
			}
		}
		for _, r := range a.Programmes {
			if r == RoleOrganiser {
				return nil
			}
		}
		var refusal error
		for _, m := range own {
			if r := a.Merchants[m.ID]; r == RoleOwner || r == RoleOrganiser {
				if err := m.MayTrade(); err != nil {
					refusal = err
					continue
				}
				return nil
			}
		}
		if refusal != nil {
			// The actor's only claim is a merchant not approved: say why.
			return refusal
		}
	}
	return &Error{Code: EOrganiserNotApproved, Message: "Seuls les organisateurs approuvés par l'équipe Solidaire publient des campagnes : " +
		"un commerce approuvé, ou un organisateur désigné par l'équipe."}
}

// Feature checks what a campaign features and who agreed to it: every
// featured merchant, and the venue of every featured event, must be
// approved (MayFeature's codes). A merchant the actor runs (owner or
// organiser) agrees by being featured; the others wait for their owner to
// accept (Awaiting), and until then the public page leaves them out.
func (c *Campaign) Feature(a *Actor, merchants []*Merchant, venues []*Merchant) error {
	c.Awaiting = map[string]bool{}
	for _, m := range append(append([]*Merchant{}, merchants...), venues...) {
		if err := m.MayFeature(); err != nil {
			return err
		}
		if r := a.Merchants[m.ID]; a.DeviceID != "" || (r != RoleOwner && r != RoleOrganiser) {
			c.Awaiting[m.Slug] = true
		}
	}
	return nil
}

// MerchantReviewStore is the persistence an admin's review needs.
type MerchantReviewStore interface {
	Merchant(ctx context.Context, slug string) (*Merchant, error)
	// RefuseMerchant sets a merchant refused with its reason and queues
	// the mail to the applicant, in one transaction.
	RefuseMerchant(ctx context.Context, merchantID, reason string, m *Mail) error
	SetMerchantStatus(ctx context.Context, merchantID string, status MerchantStatus) error
}

// ReviewMailComposer writes the mail telling an applicant its application
// was refused (the mail package).
type ReviewMailComposer interface {
	ApplicationRefused(to, business, reason, lang string) (*Mail, error)
}

// MerchantReview is an admin's decision on a merchant: refuse an
// application, close a merchant.
type MerchantReview struct {
	Store MerchantReviewStore
	Mail  ReviewMailComposer
	Now   func() time.Time
}

// Refuse turns down a merchant's application with a reason (required, at
// most MaxRefusalReason characters), mailed to the applicant's contact
// address. Only a pending (or already refused) application can be refused:
// EConflict for an approved or closed merchant (close it instead);
// ENotFound for an unknown slug; EInvalid for the reason.
func (r *MerchantReview) Refuse(ctx context.Context, slug, reason string) (*Merchant, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, Invalid("reason", "is required")
	}
	if utf8.RuneCountInString(reason) > MaxRefusalReason {
		return nil, Invalid("reason", "at most 500 characters")
	}
	m, err := r.Store.Merchant(ctx, slug)
	if err != nil {
		return nil, err
	}
	if m.Status != MerchantPending && m.Status != MerchantRefused {
		return nil, &Error{Code: EConflict, Message: "Seule une inscription en attente se refuse ; un commerce approuvé se ferme."}
	}
	mail, err := r.Mail.ApplicationRefused(m.ContactEmail, m.Name, reason, "fr")
	if err != nil {
		return nil, err
	}
	if err := r.Store.RefuseMerchant(ctx, m.ID, reason, mail); err != nil {
		return nil, err
	}
	m.Status, m.RefusedReason = MerchantRefused, reason
	return m, nil
}

// Close closes a merchant: it leaves the directory and sells no more (no
// certificate, ticket, event or campaign), but the vouchers and tickets it
// sold stay valid and its till still takes them, so that a closing merchant
// never strands its holders. ENotFound for an unknown slug; EConflict for a
// programme's operator.
func (r *MerchantReview) Close(ctx context.Context, slug string) (*Merchant, error) {
	m, err := r.Store.Merchant(ctx, slug)
	if err != nil {
		return nil, err
	}
	if m.Status == MerchantProgramme {
		return nil, &Error{Code: EConflict, Message: "Un programme ne se ferme pas comme un commerce."}
	}
	if err := r.Store.SetMerchantStatus(ctx, m.ID, MerchantClosed); err != nil {
		return nil, err
	}
	m.Status = MerchantClosed
	return m, nil
}
