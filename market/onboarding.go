package market

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Connect is the provider's onboarding of merchants (Stripe Connect
// Express); payments.Stripe implements it.
type Connect interface {
	// CreateAccount creates a connected account for a merchant in country
	// (ISO 3166-1 alpha-2), idempotent per key: two calls with one key make
	// one account (for about a day at Stripe; the caller's conditional
	// write covers the rest). It returns the account id.
	CreateAccount(ctx context.Context, email, country, idempotencyKey string) (string, error)
	// OnboardingLink returns the single-use URL of the provider's
	// onboarding pages for an account.
	OnboardingLink(ctx context.Context, accountID, refreshURL, returnURL string) (string, error)
	// Account asks the provider where an account stands. ENotFound for an
	// unknown account.
	Account(ctx context.Context, id string) (*PaymentAccount, error)
}

// OnboardingStore keeps what the provider says of merchants' accounts.
type OnboardingStore interface {
	MerchantByID(ctx context.Context, id string) (*Merchant, error)
	// SetMerchantAccount gives a merchant its connected account, once: a
	// conditional write that keeps the first account when two requests
	// race. It returns the account the merchant has after the call.
	SetMerchantAccount(ctx context.Context, merchantID, account string) (string, error)
	// SetPaymentAccount records what the provider says of an account
	// (eventID "" when not from a webhook; else recorded once, in the same
	// transaction). An account no merchant has changes nothing.
	SetPaymentAccount(ctx context.Context, eventID string, a *PaymentAccount, at time.Time) error
	// SetMerchantPayments makes a merchant ready without a provider (demo
	// payments).
	SetMerchantPayments(ctx context.Context, merchantID, account string, chargesEnabled bool) error
}

// ERegionNotSupported: the merchant is in a country the platform's payment
// account cannot pay (one Solidaire runs per Stripe platform region).
const ERegionNotSupported = "region_not_supported"

// PaymentsOnboarding connects merchants to the payment provider: one
// connected account per merchant, however many times the owner clicks, and
// the account's state asked of the provider whenever the owner looks, so
// that a merchant becomes sellable without waiting for a webhook.
type PaymentsOnboarding struct {
	Store OnboardingStore
	// Connect is nil with demo payments: merchants are ready at once.
	Connect Connect
	// Countries are the countries (ISO 3166-1 alpha-2) whose merchants the
	// platform's account can pay; empty means every country Solidaire
	// knows (CountryOf).
	Countries []string
	// ReturnURL is where the provider sends the owner back
	// (…/commerce/paiements): "?retour=1" when done, "?refresh=1" when the
	// link expired.
	ReturnURL string
	Now       func() time.Time
}

// PaymentsStatus is where a merchant's payments stand, for its owner.
type PaymentsStatus struct {
	Demo    bool
	Ready   bool // the merchant can be sold
	Account *PaymentAccount
	// URL is the provider's onboarding page, when the account still needs
	// something and a link was asked for.
	URL string
}

// CountryOf is the country of a merchant's payment account, from its
// currency: Solidaire serves Québec (cad) and France (eur).
func CountryOf(m *Merchant) string {
	if m.Currency == EUR {
		return "FR"
	}
	return "CA"
}

// countryNames names the countries in refusals.
var countryNames = map[string]string{"CA": "au Canada", "FR": "en France"}

func (o *PaymentsOnboarding) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Start connects the merchant: it creates the merchant's connected account
// if it has none (idempotent per merchant, and kept by a conditional write
// when two clicks race), asks the provider where the account stands,
// records it, and, while the account cannot be charged, returns a fresh
// onboarding link. email is the owner's, for the provider. With demo
// payments the merchant is made ready. MayTrade's codes for a merchant not
// approved; ERegionNotSupported for a merchant
// outside the platform's countries; the provider's errors otherwise.
func (o *PaymentsOnboarding) Start(ctx context.Context, m *Merchant, email string) (*PaymentsStatus, error) {
	// Payments are the first step of selling: only an approved merchant
	// takes it.
	if err := m.MayTrade(); err != nil {
		return nil, err
	}
	if o.Connect == nil {
		if err := o.Store.SetMerchantPayments(ctx, m.ID, "", true); err != nil {
			return nil, err
		}
		return &PaymentsStatus{Demo: true, Ready: true}, nil
	}
	country := CountryOf(m)
	if len(o.Countries) > 0 && !slices.Contains(o.Countries, country) {
		where := countryNames[country]
		if where == "" {
			where = "dans ce pays"
		}
		return nil, &Error{Code: ERegionNotSupported,
			Message: "Ce commerce est " + where + " : les paiements de cette plateforme Solidaire ne couvrent pas ce pays. " +
				"Un commerce s'inscrit sur la plateforme Solidaire de sa région.",
			Fields: map[string]string{"country": country}}
	}
	account := m.StripeAccount
	if account == "" {
		created, err := o.Connect.CreateAccount(ctx, email, country, "account-"+m.ID)
		if err != nil {
			return nil, err
		}
		if account, err = o.Store.SetMerchantAccount(ctx, m.ID, created); err != nil {
			return nil, err
		}
	}
	st, err := o.refresh(ctx, account)
	if err != nil {
		return nil, err
	}
	if !st.Ready {
		base := o.ReturnURL
		if st.URL, err = o.Connect.OnboardingLink(ctx, account, base+"?refresh=1", base+"?retour=1"); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// Status asks the provider where the merchant's account stands and records
// it (the owner's return from the provider's pages, the payments page).
// A merchant without an account gets a status that is not ready.
func (o *PaymentsOnboarding) Status(ctx context.Context, m *Merchant) (*PaymentsStatus, error) {
	if o.Connect == nil {
		// Demo payments sell every approved merchant.
		return &PaymentsStatus{Demo: true, Ready: true}, nil
	}
	if m.StripeAccount == "" {
		return &PaymentsStatus{}, nil
	}
	return o.refresh(ctx, m.StripeAccount)
}

func (o *PaymentsOnboarding) refresh(ctx context.Context, account string) (*PaymentsStatus, error) {
	a, err := o.Connect.Account(ctx, account)
	if err != nil {
		return nil, err
	}
	if err := o.Store.SetPaymentAccount(ctx, "", a, o.now().UTC()); err != nil {
		return nil, err
	}
	return &PaymentsStatus{Ready: a.ChargesEnabled, Account: a}, nil
}

// requirementTexts says in plain French what the provider's requirement
// keys ask for; the longest matching prefix wins.
var requirementTexts = map[string]string{
	"external_account":                       "le compte bancaire où recevoir les virements",
	"business_profile.url":                   "le site web ou la page du commerce",
	"business_profile.mcc":                   "le type d'activité du commerce",
	"business_profile.product_description":   "une description de ce que vend le commerce",
	"business_profile.support_phone":         "le téléphone où les clients joignent le commerce",
	"business_profile.support_email":         "le courriel où les clients joignent le commerce",
	"business_profile.name":                  "le nom du commerce tel que les clients le connaissent",
	"company.registration_number":            "le numéro d'immatriculation de l'entreprise",
	"business_type":                          "la forme juridique du commerce",
	"company.name":                           "le nom légal de l'entreprise",
	"company.tax_id":                         "le numéro d'entreprise (NEQ, SIREN…)",
	"company.address":                        "l'adresse de l'entreprise",
	"company.phone":                          "le téléphone de l'entreprise",
	"company.owners_provided":                "la liste des propriétaires de l'entreprise",
	"company.directors_provided":             "la liste des dirigeants de l'entreprise",
	"company.executives_provided":            "la liste des cadres de l'entreprise",
	"company.verification.document":          "un document officiel de l'entreprise",
	"representative":                         "l'identité du représentant de l'entreprise",
	"individual.verification.document":       "une pièce d'identité",
	"individual.id_number":                   "le numéro d'identification personnel",
	"individual.ssn_last_4":                  "les derniers chiffres du numéro d'assurance sociale",
	"individual.dob":                         "la date de naissance du titulaire",
	"individual.address":                     "l'adresse personnelle du titulaire",
	"individual.first_name":                  "le prénom du titulaire",
	"individual.last_name":                   "le nom du titulaire",
	"individual.email":                       "l'adresse courriel du titulaire",
	"individual.phone":                       "le téléphone du titulaire",
	"individual":                             "l'identité du titulaire du compte",
	"person":                                 "l'identité d'une personne liée à l'entreprise",
	"owners":                                 "l'identité des propriétaires",
	"directors":                              "l'identité des dirigeants",
	"tos_acceptance":                         "l'acceptation des conditions de Stripe",
	"settings.payments.statement_descriptor": "le libellé des relevés bancaires",
}

// RequirementText says in plain French what a provider requirement key
// asks for ("individual.verification.document" is "une pièce d'identité").
// Requirements of a person are keyed by the person's id
// ("person_1AbC.verification.document").
func RequirementText(key string) string {
	if strings.HasPrefix(key, "person_") {
		key = "person"
	}
	best, text := -1, ""
	for prefix, t := range requirementTexts {
		if (key == prefix || strings.HasPrefix(key, prefix+".")) && len(prefix) > best {
			best, text = len(prefix), t
		}
	}
	if text == "" {
		return "un renseignement demandé par Stripe (" + key + ")"
	}
	return text
}

// DisabledReasonText says in plain French why an account cannot take
// payments ("" when it can).
func DisabledReasonText(reason string) string {
	switch {
	case reason == "":
		return ""
	case strings.HasPrefix(reason, "requirements."):
		return "Stripe attend encore des renseignements avant d'autoriser les paiements."
	case reason == "under_review":
		return "Stripe vérifie le compte ; cela prend en général un à deux jours ouvrables."
	case strings.HasPrefix(reason, "rejected."):
		return "Stripe a refusé ce compte. Contactez l'équipe Solidaire."
	case reason == "listed":
		return "Stripe vérifie le compte (contrôle réglementaire)."
	case reason == "platform_paused":
		return "Les paiements de la plateforme sont suspendus. Contactez l'équipe Solidaire."
	}
	return "Stripe n'autorise pas encore les paiements (" + reason + ")."
}
