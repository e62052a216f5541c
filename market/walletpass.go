package market

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Phone wallets a pass can live in.
const (
	WalletApple  = "apple"
	WalletGoogle = "google"
)

// PassRegistration is a pass saved in a phone's wallet: an Apple device
// that registered it (with its push token), or a Google Wallet object made
// by a save link (DeviceID "google"). ChangedAt is the voucher's last
// change of value, newer than what the holder was told of.
type PassRegistration struct {
	Wallet    string
	DeviceID  string
	Serial    string
	PushToken string
	ChangedAt time.Time
}

// PassStore is the persistence of the phone wallet passes.
type PassStore interface {
	Voucher(ctx context.Context, code string) (*Voucher, error)
	// PassVoucher returns the voucher whose id is serial and the time of
	// its last ledger entry; ENotFound when unknown.
	PassVoucher(ctx context.Context, serial string) (*Voucher, time.Time, error)
	// RegisterPass records a registration (told of the voucher as it is
	// now) and reports whether it is new.
	RegisterPass(ctx context.Context, r *PassRegistration) (bool, error)
	UnregisterPass(ctx context.Context, wallet, deviceID, serial string) error
	// DevicePasses lists the serials a device registered that changed after
	// since, and the latest change among them.
	DevicePasses(ctx context.Context, wallet, deviceID string, since time.Time) ([]string, time.Time, error)
	// PassesToPush lists up to n registrations whose voucher changed since
	// the holder was last told; PassPushed records that they were.
	PassesToPush(ctx context.Context, n int) ([]*PassRegistration, error)
	PassPushed(ctx context.Context, r *PassRegistration) error
}

// WalletPasses puts vouchers in Apple Wallet and Google Wallet and keeps
// their balances current after each redemption. Apple and Google are nil
// when the operator has not configured them.
type WalletPasses struct {
	Store   PassStore
	Apple   AppleWallet
	Google  GoogleWallet
	BaseURL string
	Log     *slog.Logger
}

func notConfigured(which string) error {
	return &Error{Code: EWalletNotConfigured, Message: which + " n'est pas configuré sur ce site."}
}

// Card is what a pass shows of v.
func (s *WalletPasses) Card(v *Voucher, changed time.Time) PassCard {
	base := strings.TrimRight(s.BaseURL, "/")
	c := PassCard{Serial: v.ID, Code: v.Code, URL: VoucherURL(base, v.Code), PageURL: base + "/v/" + v.Code,
		MerchantName: v.MerchantName, Programme: v.ProgrammeID != "", Balance: v.Balance, Currency: v.Currency,
		Status: v.Status, RecipientName: v.RecipientName, UpdatedAt: changed}
	if v.Bonus > 0 && !v.BonusExpiresAt.IsZero() {
		c.Bonus, c.BonusExpiresAt = v.Bonus, v.BonusExpiresAt
	}
	if v.RecipientName != "" || v.RecipientEmail != "" {
		c.Giver = v.Giver
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = v.CreatedAt
	}
	return c
}

// ApplePass returns the signed .pkpass of the voucher with that code (the
// code is the bearer). EWalletNotConfigured without a certificate,
// ENotFound for an unknown code.
func (s *WalletPasses) ApplePass(ctx context.Context, code string) ([]byte, error) {
	if s.Apple == nil {
		return nil, notConfigured("Apple Wallet")
	}
	v, err := s.Store.Voucher(ctx, code)
	if err != nil {
		return nil, err
	}
	_, changed, err := s.Store.PassVoucher(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	return s.Apple.Pass(s.Card(v, changed))
}

// appleAuth checks Apple's "ApplePass <token>" header for serial and the
// pass type; EUnauthorized otherwise.
func (s *WalletPasses) appleAuth(passType, serial, header string) error {
	if s.Apple == nil {
		return notConfigured("Apple Wallet")
	}
	token := strings.TrimPrefix(header, "ApplePass ")
	want := s.Apple.AuthToken(serial)
	if passType != s.Apple.PassTypeID() || token == header ||
		subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		return &Error{Code: EUnauthorized, Message: "Pass authentication failed."}
	}
	return nil
}

// LatestApplePass serves a registered device the pass as it is now, and
// when it last changed (for If-Modified-Since). EUnauthorized for a wrong
// token.
func (s *WalletPasses) LatestApplePass(ctx context.Context, passType, serial, auth string) ([]byte, time.Time, error) {
	if err := s.appleAuth(passType, serial, auth); err != nil {
		return nil, time.Time{}, err
	}
	v, changed, err := s.Store.PassVoucher(ctx, serial)
	if err != nil {
		return nil, time.Time{}, err
	}
	card := s.Card(v, changed)
	b, err := s.Apple.Pass(card)
	return b, card.UpdatedAt, err
}

// RegisterApple records that a device saved a pass and wants pushes; it
// reports whether the registration is new.
func (s *WalletPasses) RegisterApple(ctx context.Context, device, passType, serial, pushToken, auth string) (bool, error) {
	if err := s.appleAuth(passType, serial, auth); err != nil {
		return false, err
	}
	if device == "" || len(device) > 200 || pushToken == "" || len(pushToken) > 200 {
		return false, Invalid("pushToken", "is required")
	}
	return s.Store.RegisterPass(ctx, &PassRegistration{Wallet: WalletApple, DeviceID: device, Serial: serial, PushToken: pushToken})
}

// UnregisterApple forgets a device's registration of a pass.
func (s *WalletPasses) UnregisterApple(ctx context.Context, device, passType, serial, auth string) error {
	if err := s.appleAuth(passType, serial, auth); err != nil {
		return err
	}
	return s.Store.UnregisterPass(ctx, WalletApple, device, serial)
}

// UpdatedApplePasses lists the serials a device holds that changed after
// the tag it last saw (a count of milliseconds, "" for all), and the new
// tag.
func (s *WalletPasses) UpdatedApplePasses(ctx context.Context, device, passType, tag string) ([]string, string, error) {
	if s.Apple == nil {
		return nil, "", notConfigured("Apple Wallet")
	}
	if passType != s.Apple.PassTypeID() {
		return nil, "", NotFound("Pass")
	}
	var since time.Time
	if ms, err := strconv.ParseInt(tag, 10, 64); err == nil && ms > 0 {
		since = time.UnixMilli(ms)
	}
	serials, last, err := s.Store.DevicePasses(ctx, WalletApple, device, since)
	if err != nil || len(serials) == 0 {
		return nil, "", err
	}
	return serials, strconv.FormatInt(last.UnixMilli(), 10), nil
}

// GoogleSaveURL returns the "save to Google Wallet" link of the voucher
// with that code, and records the object so its balance is kept current.
func (s *WalletPasses) GoogleSaveURL(ctx context.Context, code string) (string, error) {
	if s.Google == nil {
		return "", notConfigured("Google Wallet")
	}
	v, err := s.Store.Voucher(ctx, code)
	if err != nil {
		return "", err
	}
	_, changed, err := s.Store.PassVoucher(ctx, v.ID)
	if err != nil {
		return "", err
	}
	u, err := s.Google.SaveURL(s.Card(v, changed))
	if err != nil {
		return "", err
	}
	if _, err := s.Store.RegisterPass(ctx, &PassRegistration{Wallet: WalletGoogle, DeviceID: WalletGoogle, Serial: v.ID}); err != nil {
		return "", err
	}
	return u, nil
}

// PushChanges tells the wallets of every pass whose voucher changed since
// they were last told (a redemption, a reversal, a dispute): an APNs push
// per Apple device, which then fetches the new pass, and a PATCH of the
// Google object. A failure is retried on the next round.
func (s *WalletPasses) PushChanges(ctx context.Context) (int, error) {
	regs, err := s.Store.PassesToPush(ctx, 200)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, r := range regs {
		switch {
		case r.Wallet == WalletApple && s.Apple != nil:
			err = s.Apple.Push(ctx, []string{r.PushToken})
		case r.Wallet == WalletGoogle && s.Google != nil:
			var v *Voucher
			var changed time.Time
			if v, changed, err = s.Store.PassVoucher(ctx, r.Serial); err == nil {
				err = s.Google.Update(ctx, s.Card(v, changed))
			}
		default:
			err = nil // not configured any more: nothing to tell
		}
		var gone interface{ GoneTokens() []string }
		if errors.As(err, &gone) && len(gone.GoneTokens()) > 0 {
			// The device removed the pass or the app: forget it.
			if err := s.Store.UnregisterPass(ctx, r.Wallet, r.DeviceID, r.Serial); err != nil {
				return done, err
			}
			continue
		}
		if err != nil {
			if s.Log != nil {
				s.Log.WarnContext(ctx, "wallet pass update", "wallet", r.Wallet, "serial", r.Serial, "err", err)
			}
			continue
		}
		if err := s.Store.PassPushed(ctx, r); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}
