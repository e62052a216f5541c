package market

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
)

// Voucher is a solidarity gift certificate: value paid to a merchant now,
// spent there later. Its balance is the sum of its ledger entries; the
// stored balance is kept equal to that sum by every write, and every debit
// is a conditional update that cannot make it negative.
type Voucher struct {
	ID             string
	Code           string // 20 characters of Crockford base32 (100 bits), upper case
	MerchantID     string
	MerchantSlug   string // read-only
	MerchantName   string // read-only
	OrderID        string
	Initial        int64 // minor units paid
	Balance        int64 // minor units left of the paid value (never expires)
	Bonus          int64 // minor units left of a promotional bonus (a credit's matching funds)
	BonusExpiresAt time.Time
	Currency       Currency
	RecipientName  string
	RecipientEmail string
	Message        string
	Status         VoucherStatus
	CreatedAt      time.Time
	// ProgrammeID is set on a programme's card, spendable at every
	// merchant the programme accepted (MerchantName is then the
	// programme's name); ProgrammeSlug is read-only.
	ProgrammeID   string
	ProgrammeSlug string
	// DeliverAt is when a gift's mail leaves for its recipient (zero: at
	// once); GiftMailID is that mail, whose date and address the buyer may
	// change until it leaves. Giver is the buyer's name (read-only).
	DeliverAt  time.Time
	GiftMailID string
	Giver      string
}

// VoucherStatus is whether a voucher can be spent.
type VoucherStatus string

// Voucher statuses. A voucher is active, frozen while its payment is
// disputed (nothing can be spent, the value is kept), and void once
// cancelled (a refunded order, a lost dispute): its balance is then zero.
const (
	VoucherActive   VoucherStatus = "active"
	VoucherDisputed VoucherStatus = "disputed"
	VoucherVoid     VoucherStatus = "void"
)

// Ledger entry kinds.
const (
	EntryIssue   = "issue"   // the paid value, when the order is paid
	EntryRedeem  = "redeem"  // spent at the merchant (negative)
	EntryReverse = "reverse" // a redemption undone (positive)
	EntryVoid    = "void"    // cancelled: a refund, a lost dispute (negative)
	EntryBonus   = "bonus"   // a promotional bonus, on the bonus part
	// A dispute freezes and unfreezes a voucher without moving value: the
	// entries (amount 0) keep the ledger the whole story.
	EntryFreeze   = "freeze"
	EntryUnfreeze = "unfreeze"
)

// Spendable is what the voucher can pay now: the paid balance and the
// bonus while it lasts.
func (v *Voucher) Spendable(now time.Time) int64 {
	if v.Bonus > 0 && now.Before(v.BonusExpiresAt) {
		return v.Balance + v.Bonus
	}
	return v.Balance
}

// LedgerEntry is one append-only movement on a voucher.
type LedgerEntry struct {
	ID           string
	VoucherID    string
	Kind         string
	Amount       int64 // signed, minor units
	BalanceAfter int64
	Reference    string // redemption id, order id…
	CreatedAt    time.Time
}

// crockford is Crockford's base32 alphabet: no I, L, O, U, so codes read
// aloud or typed are not ambiguous, and every character is in QR
// alphanumeric mode.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeLength is the number of characters of a voucher or ticket code.
const CodeLength = 20

// NewCode returns a fresh random code of CodeLength characters (100 bits
// from a cryptographic source).
func NewCode() string {
	b := make([]byte, CodeLength)
	if _, err := rand.Read(b); err != nil {
		panic("market: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return string(b)
}

// NormalizeCode reads a code as a person typed it or a scanner read it:
// case-insensitive, spaces and hyphens ignored, I and L read as 1, O as 0;
// a full voucher URL (what the QR code holds) is accepted too. It returns
// "" when what remains is not a well-formed code.
func NormalizeCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'O':
			r = '0'
		}
		if !strings.ContainsRune(crockford, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLength {
		return ""
	}
	return b.String()
}

// GroupCode shows a code in groups of four for people: "K3F9-QX2M-…".
func GroupCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += 4 {
		parts = append(parts, code[i:min(i+4, len(code))])
	}
	return strings.Join(parts, "-")
}

// LastFour is what is shown of a code once it has been issued, in lists
// and logs: only its last four characters.
func LastFour(code string) string {
	if len(code) <= 4 {
		return code
	}
	return "…" + code[len(code)-4:]
}

// VoucherURL is the URL a voucher's QR code holds: upper case, so the QR
// uses alphanumeric mode and stays small; the server routes /V/ like /v/.
func VoucherURL(baseURL, code string) string {
	return strings.ToUpper(strings.TrimRight(baseURL, "/")) + "/V/" + code
}

// VoucherService reads vouchers. Voucher returns ENotFound for an unknown
// code.
type VoucherService interface {
	Voucher(ctx context.Context, code string) (*Voucher, error)
	VoucherLedger(ctx context.Context, code string) ([]*LedgerEntry, error)
}
