package market

import (
	"context"
	"encoding/json"
	"time"
)

// Redemption is a merchant taking (part of) a voucher's value: one ledger
// entry, reversible for a short while by a compensating entry, never by an
// edit.
type Redemption struct {
	ID          string
	VoucherID   string
	VoucherCode string
	MerchantID  string
	Amount      int64 // minor units, positive
	FromBonus   int64 // the part of Amount taken from the live bonus
	// BalanceAfter is what the voucher can still pay once this is done
	// (paid value and live bonus); BonusAfter the bonus part of it.
	BalanceAfter int64
	BonusAfter   int64
	Currency     Currency
	ActorID      string // the user or device that redeemed
	ActorName    string
	CreatedAt    time.Time
	ReversedAt   time.Time
	ReversedBy   string
}

// ReverseWindow is how long a redemption can be undone from the till.
const ReverseWindow = 30 * time.Minute

// Redemption error codes.
const (
	EInsufficientBalance = "insufficient_balance"  // 409: nothing was debited
	EVoucherVoid         = "voucher_void"          // 409: a cancelled voucher
	EVoucherDisputed     = "voucher_disputed"      // 409: frozen while its payment is contested
	EAlreadyReversed     = "already_reversed"      // 409
	EReverseTooLate      = "reverse_window_passed" // 409
)

// RedemptionStore is the persistence of the till.
type RedemptionStore interface {
	MerchantByID(ctx context.Context, id string) (*Merchant, error)
	// VoucherAt returns a voucher the merchant can take: its own, or a
	// card of a programme that accepted it. ENotFound otherwise.
	VoucherAt(ctx context.Context, code, merchantID string) (*Voucher, error)
	// Redeem debits r.Amount from the merchant's voucher r.VoucherCode with
	// one conditional update and appends the ledger entry and the
	// redemption, in one transaction; it fills r. EInsufficientBalance when
	// the balance is short (nothing debited), ENotFound when the voucher is
	// unknown or another merchant's, EVoucherVoid for a cancelled voucher.
	Redeem(ctx context.Context, r *Redemption) error
	// ReverseRedemption gives a redemption's amount back with a
	// compensating entry, once, if it was made after notBefore.
	ReverseRedemption(ctx context.Context, merchantID, redemptionID, actorID string, notBefore, now time.Time) (*Redemption, error)
	Redemptions(ctx context.Context, merchantID string, from, to time.Time, n int) ([]*Redemption, error)
}

// Feed carries live news between instances (cache.Redis pub/sub, or
// in-process).
type Feed interface {
	Publish(ctx context.Context, channel string, msg []byte) error
	Subscribe(ctx context.Context, channel string) (<-chan []byte, func(), error)
}

// MerchantChannel is the feed channel of a merchant's live dashboard.
func MerchantChannel(merchantID string) string { return "merchant:" + merchantID }

// Till is what a merchant does at the counter: look a code up, redeem,
// undo a mistake. Authorisation (the actor's permissions) is checked by
// the caller, which passes the merchant the actor acts for.
type Till struct {
	Store RedemptionStore
	Feed  Feed
	Now   func() time.Time
}

func (t *Till) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Lookup finds the voucher a scanned or typed code names, if the merchant
// can take it (its own, or a card of a programme it belongs to). ENotFound
// when the code is malformed, unknown or another merchant's: the till
// cannot probe other merchants' codes.
func (t *Till) Lookup(ctx context.Context, merchantID, raw string) (*Voucher, error) {
	code := NormalizeCode(raw)
	if code == "" {
		return nil, &Error{Code: ENotFound, Message: "Code illisible ou inconnu."}
	}
	v, err := t.Store.VoucherAt(ctx, code, merchantID)
	if ErrorCode(err) == ENotFound {
		return nil, &Error{Code: ENotFound, Message: "Code inconnu ou bon d'un autre commerce."}
	}
	return v, err
}

// Redeem takes amount from the voucher for the actor and tells the
// merchant's live feed. The idempotency of retries is the caller's (the
// API's Idempotency-Key).
func (t *Till) Redeem(ctx context.Context, a *Actor, merchantID, raw string, amount int64) (*Redemption, error) {
	if err := CheckAmount("amount", amount, 0); err != nil {
		return nil, err
	}
	code := NormalizeCode(raw)
	if code == "" {
		return nil, &Error{Code: ENotFound, Message: "Code illisible ou inconnu."}
	}
	r := &Redemption{ID: NewID("red"), VoucherCode: code, MerchantID: merchantID, Amount: amount,
		ActorID: a.ID(), ActorName: a.Name, CreatedAt: t.now().UTC()}
	if err := t.Store.Redeem(ctx, r); err != nil {
		return nil, err
	}
	t.publish(ctx, "redemption", r)
	return r, nil
}

// Reverse undoes a redemption made less than ReverseWindow ago, once.
// ENotFound when it is not the merchant's; EAlreadyReversed;
// EReverseTooLate.
func (t *Till) Reverse(ctx context.Context, a *Actor, merchantID, redemptionID string) (*Redemption, error) {
	now := t.now().UTC()
	r, err := t.Store.ReverseRedemption(ctx, merchantID, redemptionID, a.ID(), now.Add(-ReverseWindow), now)
	if err != nil {
		return nil, err
	}
	t.publish(ctx, "reversal", r)
	return r, nil
}

// LiveEvent is what the live feed carries.
type LiveEvent struct {
	Type         string    `json:"type"`
	ID           string    `json:"id"`
	Code         string    `json:"code"` // last four characters only
	Amount       Money     `json:"amount"`
	BalanceAfter Money     `json:"balance_after"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
}

// publish tells the merchant's dashboards; a feed failure is not the
// redemption's failure (the dashboard catches up on reload).
func (t *Till) publish(ctx context.Context, typ string, r *Redemption) {
	if t.Feed == nil {
		return
	}
	at := r.CreatedAt
	if typ == "reversal" {
		at = r.ReversedAt
	}
	b, _ := json.Marshal(LiveEvent{Type: typ, ID: r.ID, Code: LastFour(r.VoucherCode),
		Amount: Money{r.Amount, r.Currency}, BalanceAfter: Money{r.BalanceAfter, r.Currency}, By: r.ActorName, At: at})
	t.Feed.Publish(context.WithoutCancel(ctx), MerchantChannel(r.MerchantID), b)
}

// LedgerLine is one movement on one of a merchant's vouchers, as the
// ledger export shows it.
type LedgerLine struct {
	At           time.Time
	Kind         string
	Voucher      string // last four characters of the code
	Code         string // the whole code, for the merchant's own export
	Amount       int64  // signed, minor units
	BalanceAfter int64
	Currency     Currency
	Reference    string
	By           string // who redeemed (a person or a till), for a redemption and its reversal
}
