package market

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// SignIn signs people and devices in: passwords, sessions, device pairing,
// password resets and staff invitations.
type SignIn struct {
	Store   SignInStore
	Mail    AccountMailComposer
	BaseURL string
	Now     func() time.Time
}

// SignInStore is the persistence SignIn needs.
type SignInStore interface {
	AuthStore
	CreateUser(ctx context.Context, u *User) error
	GrantMerchant(ctx context.Context, userID, merchantID string, r Role) error
	RevokeMerchant(ctx context.Context, userID, merchantID string) error
	SetPassword(ctx context.Context, userID, hash string) error
	// CreateOneTimeCode stores a code (hashed) for a purpose, with what it
	// opens; TakeOneTimeCode consumes it once, ENotFound when unknown,
	// used or expired.
	CreateOneTimeCode(ctx context.Context, c *OneTimeCode) error
	TakeOneTimeCode(ctx context.Context, purpose, hash string, now time.Time) (*OneTimeCode, error)
	// PeekOneTimeCode reads a live code without using it.
	PeekOneTimeCode(ctx context.Context, purpose, hash string, now time.Time) (*OneTimeCode, error)
	// RevokeDeviceByToken revokes the device whose token this is.
	RevokeDeviceByToken(ctx context.Context, tokenHash string) error
	CreateDevice(ctx context.Context, d *Device, tokenHash string) error
	QueueMail(ctx context.Context, m *Mail) error
}

// OneTimeCode is a secret that opens one thing once before it expires: a
// password reset, a device pairing, a staff invitation.
type OneTimeCode struct {
	Hash       string
	Purpose    string // "reset", "pair", "invite"
	UserID     string
	MerchantID string
	Email      string
	Role       Role
	Name       string // the device's name, for pairing
	CreatedBy  string
	ExpiresAt  time.Time
}

// One-time code purposes.
const (
	CodeReset  = "reset"
	CodePair   = "pair"
	CodeInvite = "invite"
	CodeSignIn = "signin"
)

// ESignInCodeRequired: the account had too many failed sign-ins lately,
// so signing in also takes the one-time code mailed to its address
// (SendSignInCode); also the answer to a wrong, used or expired code.
const ESignInCodeRequired = "signin_code_required"

// SignInCodeTTL is how long a mailed sign-in code works (once).
const SignInCodeTTL = 15 * time.Minute

// AccountMailComposer writes the account emails (the mail package).
type AccountMailComposer interface {
	PasswordReset(to, link, lang string) (*Mail, error)
	StaffInvitation(to, merchantName, inviter, link, lang string) (*Mail, error)
	// SignInCode carries a one-time sign-in code.
	SignInCode(to, code, lang string) (*Mail, error)
	// ApplicationWithYourAddress tells an account's owner that a business
	// applied to sell with their address; signIn and reset are the links
	// to sign in and to choose a new password.
	ApplicationWithYourAddress(to, business, signIn, reset, lang string) (*Mail, error)
}

func (s *SignIn) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// Login checks an email and password and opens a session: a browser one,
// or a long-lived bearer token for a till when token is true. It returns
// the session's token, shown once. EUnauthorized for a wrong email or
// password, without saying which.
func (s *SignIn) Login(ctx context.Context, email, password string, token bool) (string, *Actor, error) {
	u, err := s.account(ctx, email, password)
	if err != nil {
		return "", nil, err
	}
	return s.open(ctx, u, token)
}

// account returns the account of email when password is its password.
// EUnauthorized otherwise, without saying which was wrong, and in the same
// time whether the address has an account or not.
func (s *SignIn) account(ctx context.Context, email, password string) (*User, error) {
	wrong := &Error{Code: EUnauthorized, Message: "Adresse ou mot de passe incorrect."}
	if len(password) > 256 || len(email) > 254 {
		return nil, wrong
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if ErrorCode(err) == ENotFound {
		// Spend the same time as for a known address, so timing does not
		// reveal which addresses have accounts.
		dummyOnce.Do(func() { dummyHash, _ = HashPassword("not a password at all") })
		CheckPassword(dummyHash, password)
		return nil, wrong
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return nil, wrong
	}
	return u, nil
}

// SendSignInCode mails a new one-time sign-in code (six digits, working
// once for SignInCodeTTL) to the account of email, when password is its
// password: an account under attack asks for it (ESignInCodeRequired at
// the HTTP edge), and only its owner, who knows the password and reads
// the mail, gets in. EUnauthorized for a wrong email or password, and then
// nothing is sent, so guessing cannot flood the owner's mailbox.
func (s *SignIn) SendSignInCode(ctx context.Context, email, password, lang string) error {
	u, err := s.account(ctx, email, password)
	if err != nil {
		return err
	}
	var code string
	for try := 0; ; try++ {
		code = newSignInCode()
		err = s.Store.CreateOneTimeCode(ctx, &OneTimeCode{Hash: signInCodeHash(u.ID, code), Purpose: CodeSignIn,
			UserID: u.ID, Email: u.Email, ExpiresAt: s.now().Add(SignInCodeTTL)})
		// Two live codes of one account may be the same six digits, once
		// in a million: draw again.
		if ErrorCode(err) != EConflict || try == 2 {
			break
		}
	}
	if err != nil {
		return err
	}
	m, err := s.Mail.SignInCode(u.Email, code, lang)
	if err != nil {
		return err
	}
	return s.Store.QueueMail(ctx, m)
}

// LoginWithCode is Login for an account that asks for its mailed code:
// the password and a live code from SendSignInCode, which it uses up.
// EUnauthorized for a wrong email or password (the code is then left
// alone); ESignInCodeRequired for a wrong, used or expired code.
func (s *SignIn) LoginWithCode(ctx context.Context, email, password, code string, token bool) (string, *Actor, error) {
	u, err := s.account(ctx, email, password)
	if err != nil {
		return "", nil, err
	}
	code = strings.Join(strings.Fields(code), "")
	wrong := &Error{Code: ESignInCodeRequired, Message: "Code incorrect, expiré ou déjà utilisé : connectez-vous sans code pour en recevoir un autre."}
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return "", nil, wrong
	}
	if _, err := s.Store.TakeOneTimeCode(ctx, CodeSignIn, signInCodeHash(u.ID, code), s.now()); ErrorCode(err) == ENotFound {
		return "", nil, wrong
	} else if err != nil {
		return "", nil, err
	}
	return s.open(ctx, u, token)
}

// newSignInCode draws six random digits.
func newSignInCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("market: no randomness: " + err.Error())
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// signInCodeHash is the stored form of a sign-in code: hashed with its
// account's id, so that two accounts' codes never collide and a code is
// worth nothing for another account.
func signInCodeHash(userID, code string) string {
	return HashToken(CodeSignIn + ":" + userID + ":" + code)
}

// open opens a session for u: a browser one, or a till's token.
func (s *SignIn) open(ctx context.Context, u *User, token bool) (string, *Actor, error) {
	secret, hash := newTaggedToken(SessionTokenPrefix)
	ttl := BrowserSessionTTL
	if token {
		ttl = TokenSessionTTL
	}
	now := s.now().UTC()
	if err := s.Store.CreateSession(ctx, &Session{ID: NewID("ses"), TokenHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return "", nil, err
	}
	a, err := s.Store.ActorBySession(ctx, hash, now)
	return secret, a, err
}

// The kind tags of sign-in tokens: a session's token starts with
// SessionTokenPrefix, a paired device's with DeviceTokenPrefix, so that
// each is looked up once, where it lives. Tokens issued before the tags
// (32 characters, never 34) are looked up as a session, then as a device.
const (
	SessionTokenPrefix = "s_"
	DeviceTokenPrefix  = "d_"
)

// untaggedTokenLen is the length of a token from NewAccessToken: a tagged
// token is two characters longer, so an old token that happens to begin
// with "s_" is never mistaken for a tagged one.
const untaggedTokenLen = 32

// newTaggedToken returns a fresh token tagged with prefix, and its hash
// (of the whole token, prefix included).
func newTaggedToken(prefix string) (token, hash string) {
	secret, _ := NewAccessToken()
	token = prefix + secret
	return token, HashToken(token)
}

// tokenKind returns the tag of a sign-in token, "" for an untagged one.
func tokenKind(token string) string {
	if len(token) != untaggedTokenLen+2 {
		return ""
	}
	switch p := token[:2]; p {
	case SessionTokenPrefix, DeviceTokenPrefix:
		return p
	}
	return ""
}

// Authenticate returns the actor of a session or device token;
// EUnauthorized when it is unknown, expired or revoked. A tagged token is
// looked up once, as its kind; an untagged one (issued before the tags) as
// a session, then as a device.
func (s *SignIn) Authenticate(ctx context.Context, token string) (*Actor, error) {
	if token == "" || len(token) > 200 {
		return nil, &Error{Code: EUnauthorized, Message: "Connexion requise."}
	}
	hash, now := HashToken(token), s.now()
	var a *Actor
	var err error
	switch tokenKind(token) {
	case SessionTokenPrefix:
		a, err = s.Store.ActorBySession(ctx, hash, now)
	case DeviceTokenPrefix:
		a, err = s.Store.ActorByDevice(ctx, hash, now)
	default:
		a, err = s.Store.ActorBySession(ctx, hash, now)
		if ErrorCode(err) == ENotFound {
			a, err = s.Store.ActorByDevice(ctx, hash, now)
		}
	}
	if ErrorCode(err) == ENotFound {
		return nil, &Error{Code: EUnauthorized, Message: "Session expirée ou appareil révoqué : reconnectez-vous."}
	}
	return a, err
}

// Logout ends the session of token; for a paired till's token, it revokes
// the device (a till can unpair itself).
func (s *SignIn) Logout(ctx context.Context, token string) error {
	hash, kind := HashToken(token), tokenKind(token)
	if kind != DeviceTokenPrefix {
		if err := s.Store.DeleteSession(ctx, hash); err != nil {
			return err
		}
	}
	if kind == SessionTokenPrefix {
		return nil
	}
	return s.Store.RevokeDeviceByToken(ctx, hash)
}

// RequestPasswordReset mails a reset link to the address if it has an
// account; it answers the same way whether it does or not.
func (s *SignIn) RequestPasswordReset(ctx context.Context, email, lang string) error {
	u, err := s.Store.UserByEmail(ctx, email)
	if ErrorCode(err) == ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	secret, hash := NewAccessToken()
	if err := s.Store.CreateOneTimeCode(ctx, &OneTimeCode{Hash: hash, Purpose: CodeReset, UserID: u.ID,
		ExpiresAt: s.now().Add(PasswordResetTTL)}); err != nil {
		return err
	}
	m, err := s.Mail.PasswordReset(u.Email, s.BaseURL+"/connexion/nouveau-mot-de-passe?code="+secret, lang)
	if err != nil {
		return err
	}
	return s.Store.QueueMail(ctx, m)
}

// ExistingAccountApplied answers a business application made with the
// address of an existing account: nothing is created, and the account's
// owner is mailed instead (sign in, or choose a new password, if it was
// them), so that the application's answer does not tell a stranger that
// the address has an account. ENotFound when no account has the address.
func (s *SignIn) ExistingAccountApplied(ctx context.Context, email, business, lang string) error {
	u, err := s.Store.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	m, err := s.Mail.ApplicationWithYourAddress(u.Email, business, s.BaseURL+"/connexion", s.BaseURL+"/connexion/oubli", lang)
	if err != nil {
		return err
	}
	return s.Store.QueueMail(ctx, m)
}

// ResetPassword sets a new password with a reset code, once. ENotFound for
// an unknown, used or expired code; EInvalid for a weak password.
func (s *SignIn) ResetPassword(ctx context.Context, code, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	c, err := s.Store.TakeOneTimeCode(ctx, CodeReset, HashToken(code), s.now())
	if err != nil {
		return err
	}
	return s.Store.SetPassword(ctx, c.UserID, hash)
}

// InviteStaff mails an invitation to join a merchant's team with a role:
// RoleStaff (the counter; the default when role is "") or RoleCommunity
// (the page, its news and campaigns). The caller has checked that the
// inviter may manage the merchant. EInvalid for another role.
func (s *SignIn) InviteStaff(ctx context.Context, inviter *Actor, m *Merchant, email, lang string, role Role) error {
	email, err := CheckEmail("email", email, true)
	if err != nil {
		return err
	}
	switch role {
	case "":
		role = RoleStaff
	case RoleStaff, RoleCommunity:
	default:
		return Invalid("role", "Rôle « staff » (comptoir) ou « community » (page et nouvelles).")
	}
	secret, hash := NewAccessToken()
	if err := s.Store.CreateOneTimeCode(ctx, &OneTimeCode{Hash: hash, Purpose: CodeInvite, MerchantID: m.ID, Email: email,
		Role: role, CreatedBy: inviter.ID(), ExpiresAt: s.now().Add(7 * 24 * time.Hour)}); err != nil {
		return err
	}
	mail, err := s.Mail.StaffInvitation(email, m.Name, inviter.Name, s.BaseURL+"/connexion/invitation?code="+secret, lang)
	if err != nil {
		return err
	}
	return s.Store.QueueMail(ctx, mail)
}

// AcceptInvitation creates the invited person's account (or uses the
// existing one, whose password must then be given) and grants the role.
// ENotFound for an unknown, used or expired code.
func (s *SignIn) AcceptInvitation(ctx context.Context, code, name, password string) (string, *Actor, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return "", nil, err
	}
	// The password of an existing account is checked before the
	// invitation is used, so that a typo does not waste it.
	peek, err := s.Store.PeekOneTimeCode(ctx, CodeInvite, HashToken(code), s.now())
	if err != nil {
		return "", nil, err
	}
	if u, err := s.Store.UserByEmail(ctx, peek.Email); err == nil && !CheckPassword(u.PasswordHash, password) {
		return "", nil, &Error{Code: EUnauthorized, Message: "Ce compte existe déjà : saisissez son mot de passe."}
	}
	c, err := s.Store.TakeOneTimeCode(ctx, CodeInvite, HashToken(code), s.now())
	if err != nil {
		return "", nil, err
	}
	u, err := s.Store.UserByEmail(ctx, c.Email)
	switch {
	case ErrorCode(err) == ENotFound:
		u = &User{Email: c.Email, Name: strings.TrimSpace(name), PasswordHash: hash}
		if err := s.Store.CreateUser(ctx, u); err != nil {
			return "", nil, err
		}
	case err != nil:
		return "", nil, err
	case !CheckPassword(u.PasswordHash, password):
		return "", nil, &Error{Code: EUnauthorized, Message: "Ce compte existe déjà : saisissez son mot de passe."}
	}
	if err := s.Store.GrantMerchant(ctx, u.ID, c.MerchantID, c.Role); err != nil {
		return "", nil, err
	}
	return s.Login(ctx, c.Email, password, false)
}

// StartPairing makes a pairing code for a new till of the merchant: the
// owner's dashboard shows it as a QR code, the device exchanges it for its
// own token within ten minutes.
func (s *SignIn) StartPairing(ctx context.Context, owner *Actor, merchantID, deviceName string) (string, time.Time, error) {
	deviceName = strings.TrimSpace(deviceName)
	if deviceName == "" {
		deviceName = "Caisse"
	}
	if err := checkText("name", deviceName, 60); err != nil {
		return "", time.Time{}, err
	}
	secret, hash := NewAccessToken()
	expires := s.now().Add(PairingCodeTTL)
	err := s.Store.CreateOneTimeCode(ctx, &OneTimeCode{Hash: hash, Purpose: CodePair, MerchantID: merchantID, Name: deviceName,
		CreatedBy: owner.ID(), ExpiresAt: expires})
	return secret, expires, err
}

// Pair exchanges a pairing code for a device and its token, once.
// ENotFound for an unknown, used or expired code.
func (s *SignIn) Pair(ctx context.Context, code string) (string, *Device, error) {
	c, err := s.Store.TakeOneTimeCode(ctx, CodePair, HashToken(code), s.now())
	if err != nil {
		return "", nil, err
	}
	secret, hash := newTaggedToken(DeviceTokenPrefix)
	d := &Device{ID: NewID("dev"), MerchantID: c.MerchantID, Name: c.Name, CreatedBy: c.CreatedBy, CreatedAt: s.now().UTC()}
	if err := s.Store.CreateDevice(ctx, d, hash); err != nil {
		return "", nil, err
	}
	return secret, d, nil
}
