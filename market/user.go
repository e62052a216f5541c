package market

import (
	"context"
	"time"
)

// Role is what a user may do for a merchant or a campaign.
type Role string

// Roles. Admin is global; the others hold for one merchant or campaign.
const (
	RoleAdmin     Role = "admin"
	RoleOwner     Role = "owner"
	RoleStaff     Role = "staff"
	RoleOrganiser Role = "organiser"
	// RoleCommunity is a merchant's community manager: it runs the public
	// page (profile, photos, status, news, campaigns) and may not redeem,
	// read the ledger or touch payments.
	RoleCommunity Role = "community"
)

// User is a person who signs in: a merchant's owner or staff, an organiser,
// an admin. Citizens buy without an account.
type User struct {
	ID           string
	Email        string // folded to lower case
	Name         string
	PasswordHash string // argon2id, PHC string format
	Admin        bool
	CreatedAt    time.Time
}

// UserService stores users and what they may act on. User returns ENotFound
// for an unknown email; CreateUser returns EConflict when the email is taken.
type UserService interface {
	CreateUser(ctx context.Context, u *User) error
	UserByEmail(ctx context.Context, email string) (*User, error)
	GrantMerchant(ctx context.Context, userID, merchantID string, r Role) error
	GrantCampaign(ctx context.Context, userID, campaignID string, r Role) error
}
