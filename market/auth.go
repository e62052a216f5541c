package market

import (
	"context"
	"time"
)

// Actor is who makes a request: a signed-in user, or a paired till device.
// Anonymous requests have no actor.
type Actor struct {
	UserID   string
	DeviceID string // set for a till device: it acts for one merchant
	Name     string // for traces: the user's name or email, the device's name
	Email    string
	Admin    bool
	// Merchants maps merchant id to the actor's role there. A device has
	// one entry, RoleDevice.
	Merchants map[string]Role
	// Campaigns maps campaign id to the actor's role there.
	Campaigns map[string]Role
	// Programmes maps programme id to the actor's role there (organiser).
	Programmes map[string]Role
	SessionID  string
}

// Organises reports whether the actor runs the programme: one of its
// organisers, or an admin (not through a till).
func (a *Actor) Organises(programmeID string) bool {
	if a == nil {
		return false
	}
	if a.Admin && a.DeviceID == "" {
		return true
	}
	return a.Programmes[programmeID] == RoleOrganiser
}

// ID identifies the actor in traces and idempotency scopes.
func (a *Actor) ID() string {
	if a == nil {
		return ""
	}
	if a.DeviceID != "" {
		return a.DeviceID
	}
	return a.UserID
}

// RoleDevice is a paired till: it may scan, redeem and check in, nothing
// else.
const RoleDevice Role = "device"

// Permission is something an actor may do for a merchant.
type Permission string

// Permissions, granted to roles by the one table below.
const (
	PermScan      Permission = "scan"      // look a voucher or ticket up, check a ticket in at the door
	PermRedeem    Permission = "redeem"    // spend a voucher, undo a redemption
	PermDashboard Permission = "dashboard" // today's redemptions, the live feed
	PermLedger    Permission = "ledger"    // the ledger, its CSV, the liability
	PermManage    Permission = "manage"    // staff, devices, payments onboarding
	PermEvents    Permission = "events"    // create, edit, cancel events
	// PermPage is running the public page: profile, photos, today's
	// status, news posts and the merchant's campaigns.
	PermPage Permission = "page"
)

// grants is the one place that says which role may do what.
var grants = map[Role][]Permission{
	RoleOwner:     {PermScan, PermRedeem, PermDashboard, PermLedger, PermManage, PermEvents, PermPage},
	RoleCommunity: {PermPage},
	RoleStaff:     {PermScan, PermRedeem, PermDashboard},
	RoleOrganiser: {PermScan, PermDashboard, PermEvents},
	RoleDevice:    {PermScan, PermRedeem},
}

// Can reports whether the actor may do p for the merchant. Admins may do
// everything but act as a till.
func (a *Actor) Can(merchantID string, p Permission) bool {
	if a == nil {
		return false
	}
	if a.Admin && a.DeviceID == "" {
		return true
	}
	for _, g := range grants[a.Merchants[merchantID]] {
		if g == p {
			return true
		}
	}
	return false
}

// Session is a signed-in browser or a till's bearer token. Only the token's
// hash is stored.
type Session struct {
	ID        string
	TokenHash string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Session lifetimes.
const (
	BrowserSessionTTL = 30 * 24 * time.Hour
	TokenSessionTTL   = 365 * 24 * time.Hour
	PasswordResetTTL  = time.Hour
	PairingCodeTTL    = 10 * time.Minute
)

// Device is a till paired with a merchant: it authenticates with its own
// token, which the owner can revoke.
type Device struct {
	ID         string
	MerchantID string
	Name       string
	CreatedBy  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  time.Time
}

// AuthStore keeps sessions, devices and one-time codes. Tokens are passed
// hashed (HashToken). Lookups of unknown or expired tokens are ENotFound.
type AuthStore interface {
	UserByEmail(ctx context.Context, email string) (*User, error)
	CreateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// ActorBySession returns the user of a live session with their roles.
	ActorBySession(ctx context.Context, tokenHash string, now time.Time) (*Actor, error)
	// ActorByDevice returns a device that is not revoked, as an actor.
	ActorByDevice(ctx context.Context, tokenHash string, now time.Time) (*Actor, error)
}

// Member is a person with a role at a merchant.
type Member struct {
	UserID string
	Email  string
	Name   string
	Role   Role
}
