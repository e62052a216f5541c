package market

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// PassCard is what a phone wallet pass shows of a voucher.
type PassCard struct {
	Serial         string    // the voucher's id: the pass's serial number (never the code)
	Code           string    // the voucher code
	URL            string    // what the QR holds: "HTTPS://HOST/V/CODE"
	PageURL        string    // the voucher's web page
	MerchantName   string    // the merchant's or the programme's name
	Programme      bool      // a town programme card, spendable at several shops
	Balance        int64     // paid value left (never expires)
	Bonus          int64     // promotional bonus left
	BonusExpiresAt time.Time // zero when there is no bonus
	Currency       Currency
	Status         VoucherStatus
	RecipientName  string
	Giver          string    // the buyer's name when they gave one
	UpdatedAt      time.Time // the last change of value (last ledger entry)
}

// AppleWallet builds signed Apple Wallet passes and tells the devices
// that registered a pass that it changed; the passes package implements it.
type AppleWallet interface {
	PassTypeID() string
	Pass(card PassCard) ([]byte, error)
	AuthToken(serial string) string
	Push(ctx context.Context, pushTokens []string) error
}

// GoogleWallet builds "save to Google Wallet" links and keeps the saved
// objects' balances current; the passes package implements it.
type GoogleWallet interface {
	SaveURL(card PassCard) (string, error)
	Update(ctx context.Context, card PassCard) error
}

// Wallet durations and limits.
const (
	// WalletLinkTTL is how long an emailed wallet link opens the wallet.
	WalletLinkTTL = 30 * time.Minute
	// WalletSessionTTL is how long a device stays in its wallet.
	WalletSessionTTL = 30 * 24 * time.Hour
	// GiftHorizon is how far ahead a gift may be sent on a date.
	GiftHorizon = 366 * 24 * time.Hour
)

// Wallet error codes.
const (
	// EWalletLinkInvalid: the wallet link is unknown, used or expired.
	EWalletLinkInvalid = "wallet_link_invalid"
	// EGiftSent: the gift's mail has left, its date and address are fixed.
	EGiftSent = "gift_already_sent"
	// EWalletNotConfigured: no phone wallet credentials are configured.
	EWalletNotConfigured = "wallet_not_configured"
)

// WalletSession is a device's open wallet: the vouchers and tickets of one
// email address, opened by a link sent to it.
type WalletSession struct {
	ID        string
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Wallet is everything bought by or given to one email address.
type Wallet struct {
	Email    string
	Vouchers []*WalletVoucher
	Tickets  []*WalletTicket
}

// WalletVoucher is a voucher (or a programme card) in a wallet, with its
// story.
type WalletVoucher struct {
	Voucher *Voucher
	// Received: given to the wallet's address by someone else; Giver is
	// the buyer's name when they gave one.
	Received bool
	Giver    string
	Lang     string // the order's language, for the mails
	// GiftPending: a gift sent on a date whose mail has not left; the
	// buyer may still change the date or the address.
	GiftPending bool
	History     []WalletEntry
}

// WalletEntry is one line of a voucher's story as its holder reads it:
// redemptions and their reversals at one merchant are one line each, the
// paid and bonus parts of one movement added up.
type WalletEntry struct {
	Kind     string // EntryIssue, EntryRedeem, EntryReverse, EntryVoid, EntryBonus, EntryFreeze, EntryUnfreeze
	Amount   int64  // signed
	Merchant string // where it was spent, for redemptions and their reversals
	At       time.Time
}

// State is how a holder reads a voucher's status: active, spent,
// disputed or void.
func (w *WalletVoucher) State(now time.Time) string {
	v := w.Voucher
	switch {
	case v.Status == VoucherDisputed:
		return "disputed"
	case v.Status == VoucherVoid:
		return "void"
	case v.Spendable(now) == 0:
		return "spent"
	}
	return "active"
}

// WalletTicket is a ticket in a wallet, with its event.
type WalletTicket struct {
	Ticket *Ticket
	Event  *Event
}

// ChoiceOpen reports whether the holder may still choose between refund,
// credit and donation (a cancelled event, before the deadline).
func (t *WalletTicket) ChoiceOpen(now time.Time) bool {
	e := t.Event
	return e != nil && e.Choices != nil && t.Ticket.Choice == "" && t.Ticket.Status == TicketValid &&
		(e.Choices.Deadline.IsZero() || now.Before(e.Choices.Deadline))
}

// WalletStore is the persistence the wallet needs.
type WalletStore interface {
	// WalletHolds reports whether anything was bought by or given to email.
	WalletHolds(ctx context.Context, email string, now time.Time) (bool, error)
	// CreateWalletLink stores a link (its hash) and queues its mail, in one
	// transaction.
	CreateWalletLink(ctx context.Context, hash, email string, now, expires time.Time, m *Mail) error
	// OpenWalletLink uses the link once and opens s for its address, in one
	// transaction; EWalletLinkInvalid when it is unknown, used or expired.
	OpenWalletLink(ctx context.Context, linkHash, sessionHash string, s *WalletSession) error
	// WalletSession returns the live session with that token hash;
	// EUnauthorized otherwise.
	WalletSession(ctx context.Context, hash string, now time.Time) (*WalletSession, error)
	EndWalletSession(ctx context.Context, id string, now time.Time) error
	// Wallet lists what email bought or received (gifts once their day
	// has come), newest first.
	Wallet(ctx context.Context, email string, now time.Time) (*Wallet, error)
	// RescheduleGift changes a pending gift's date and address, its mail's
	// too, if the mail has not left; ENotFound unless email bought it,
	// EGiftSent once the mail left.
	RescheduleGift(ctx context.Context, email, code string, deliverAt time.Time, to string, now time.Time) error
	QueueMail(ctx context.Context, m *Mail) error
}

// WalletMailComposer writes the wallet's mails (the mail package).
type WalletMailComposer interface {
	WalletLink(to, link, lang string) (*Mail, error)
	VoucherIssued(v *Voucher, to, buyerName, lang string) (*Mail, error)
}

// WalletService opens citizens' wallets by email, without passwords.
type WalletService struct {
	Store   WalletStore
	Mail    WalletMailComposer
	BaseURL string
	Now     func() time.Time
}

func (s *WalletService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// RequestLink mails a wallet link to email when something was bought by or
// given to it; the caller answers the same either way. EInvalid for an
// address that is not one.
func (s *WalletService) RequestLink(ctx context.Context, email, lang string) error {
	email, err := CheckEmail("email", email, true)
	if err != nil {
		return err
	}
	now := s.now()
	holds, err := s.Store.WalletHolds(ctx, email, now)
	if err != nil || !holds {
		return err
	}
	token, hash := newSecret()
	link := strings.TrimRight(s.BaseURL, "/") + "/mes-bons?jeton=" + token
	if lang == "en" {
		link += "&lang=en"
	}
	m, err := s.Mail.WalletLink(email, link, lang)
	if err != nil {
		return err
	}
	return s.Store.CreateWalletLink(ctx, hash, email, now, now.Add(WalletLinkTTL), m)
}

// Open uses a wallet link and returns the new session's token (shown
// once) and the session; EWalletLinkInvalid when the link is unknown, used
// or expired.
func (s *WalletService) Open(ctx context.Context, linkToken string) (string, *WalletSession, error) {
	if linkToken == "" || len(linkToken) > 100 {
		return "", nil, walletLinkInvalid()
	}
	token, hash := newSecret()
	now := s.now()
	ws := &WalletSession{ID: NewID("wal"), CreatedAt: now, ExpiresAt: now.Add(WalletSessionTTL)}
	if err := s.Store.OpenWalletLink(ctx, HashToken(linkToken), hash, ws); err != nil {
		return "", nil, err
	}
	return token, ws, nil
}

func walletLinkInvalid() error {
	return &Error{Code: EWalletLinkInvalid, Message: "Ce lien n'ouvre plus vos bons (il sert une fois, 30 minutes) : demandez-en un nouveau."}
}

// Session returns the live wallet session of a token; EUnauthorized
// otherwise.
func (s *WalletService) Session(ctx context.Context, token string) (*WalletSession, error) {
	if token == "" || len(token) > 100 {
		return nil, &Error{Code: EUnauthorized, Message: "Ouvrez vos bons avec le lien reçu par courriel."}
	}
	return s.Store.WalletSession(ctx, HashToken(token), s.now())
}

// End closes a wallet session on its device.
func (s *WalletService) End(ctx context.Context, ws *WalletSession) error {
	return s.Store.EndWalletSession(ctx, ws.ID, s.now())
}

// Wallet lists what the session's address bought or received.
func (s *WalletService) Wallet(ctx context.Context, ws *WalletSession) (*Wallet, error) {
	return s.Store.Wallet(ctx, ws.Email, s.now())
}

// Resend queues the voucher's mail again, to the wallet's own address (the
// holder asking for it). ENotFound unless the voucher is in the wallet.
func (s *WalletService) Resend(ctx context.Context, ws *WalletSession, code string) error {
	wv, err := s.find(ctx, ws, code)
	if err != nil {
		return err
	}
	m, err := s.Mail.VoucherIssued(wv.Voucher, ws.Email, wv.Giver, wv.Lang)
	if err != nil {
		return err
	}
	return s.Store.QueueMail(ctx, m)
}

// Reschedule changes the date (and, when to is not empty, the address) of
// a gift the wallet's address bought and that has not left yet. EInvalid
// for a date in the past or over a year ahead, ENotFound for a voucher
// that is not the wallet's purchase, EGiftSent once the mail left.
func (s *WalletService) Reschedule(ctx context.Context, ws *WalletSession, code string, deliverAt time.Time, to string) error {
	now := s.now()
	if err := CheckDeliverAt("deliver_at", deliverAt, now); err != nil {
		return err
	}
	if deliverAt.IsZero() {
		deliverAt = now
	}
	if to != "" {
		var err error
		if to, err = CheckEmail("email", to, true); err != nil {
			return err
		}
	}
	wv, err := s.find(ctx, ws, code)
	if err != nil {
		return err
	}
	if wv.Received {
		return NotFound("Bon")
	}
	if !wv.GiftPending {
		return &Error{Code: EGiftSent, Message: "Ce cadeau est déjà parti : sa date et son adresse ne changent plus."}
	}
	return s.Store.RescheduleGift(ctx, ws.Email, wv.Voucher.Code, deliverAt, to, now)
}

func (s *WalletService) find(ctx context.Context, ws *WalletSession, code string) (*WalletVoucher, error) {
	code = NormalizeCode(code)
	w, err := s.Store.Wallet(ctx, ws.Email, s.now())
	if err != nil {
		return nil, err
	}
	for _, wv := range w.Vouchers {
		if wv.Voucher.Code == code {
			return wv, nil
		}
	}
	return nil, NotFound("Bon")
}

// CheckDeliverAt validates the date a gift is to be sent on: zero (at
// once), or in the future and at most GiftHorizon ahead.
func CheckDeliverAt(field string, at, now time.Time) error {
	switch {
	case at.IsZero():
		return nil
	case !at.After(now):
		return Invalid(field, "must be in the future")
	case at.After(now.Add(GiftHorizon)):
		return Invalid(field, "must be within a year")
	}
	return nil
}

// newSecret returns a fresh random token (256 bits) and its hash, the only
// part stored.
func newSecret() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("market: no randomness: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}
