package market

import "context"

// Claim is an Idempotency-Key being answered for the first time. The
// operation that moves money writes the key, with the answer its result
// calls for, in the transaction that moves the money: a crash, a panic or a
// dropped connection can then never leave money moved without its key (a
// retry would move it again) nor a key without its money (a retry would be
// refused for ever).
type Claim struct {
	Scope string // the operation and the caller ("redeem:usr_…")
	Key   string // the client's Idempotency-Key
	Hash  string // the request's fingerprint (method, path, canonical body)
	// Answer renders the answer to keep for the key from the operation's
	// result (the *Redemption, *Order, *Ticket… the store just wrote), in
	// the transaction. Status 0 keeps an unfinished answer that the caller
	// completes later (a checkout waiting for its payment page).
	Answer func(result any) (status int, body []byte, err error)
	// Refuse, when set, renders the answer to keep for a refusal the money
	// transaction itself decides (a balance too short, a void voucher):
	// ok false for an error that must not be kept (a failure to retry).
	// The store then writes the key with the refusal in that transaction,
	// and no look-up of the key is needed before it (see the API's
	// keyWithMoney).
	Refuse func(err error) (status int, body []byte, ok bool)

	// Set by the store once the key is written with the money.
	Kept   bool
	Status int
	Body   []byte
}

// EIdempotentReplay reports that a concurrent request with the same key
// committed first: this one wrote nothing, and the caller answers with what
// the key holds.
const EIdempotentReplay = "idempotent_replay"

type claimKey struct{}

// WithClaim returns a context that carries the claim to the store: the
// store methods that move money record it in their transaction.
func WithClaim(ctx context.Context, c *Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// ClaimOf returns the claim ctx carries, or nil.
func ClaimOf(ctx context.Context) *Claim {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	return c
}
