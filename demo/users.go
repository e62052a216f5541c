package demo

import (
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// grant is a role a demo user holds on a merchant or a campaign, by slug.
type grant struct {
	slug string
	role market.Role
}

// account is a demo sign-in and what it may act on.
type account struct {
	user      *market.User
	merchants []grant
	campaigns []grant
}

// accounts returns a fresh copy of the demo sign-ins, without password hash.
func accounts(now time.Time) []account {
	created := now.AddDate(0, 0, -90)
	return []account{
		{
			user: &market.User{ID: "usr_admin", Email: AdminEmail, Name: "Équipe Solidaire", Admin: true, CreatedAt: created},
		},
		{
			user:      &market.User{ID: "usr_boulangerie", Email: BoulangerieEmail, Name: "Mireille Gagnon", CreatedAt: created},
			merchants: []grant{{BoulangerieSlug, market.RoleOwner}},
		},
		{
			user:      &market.User{ID: "usr_librairie", Email: LibrairieEmail, Name: "Claire Dumas", CreatedAt: created},
			merchants: []grant{{LibrairieSlug, market.RoleOwner}},
		},
		{
			user:      &market.User{ID: "usr_organisateur", Email: OrganisateurEmail, Name: "Isabelle Lachance", CreatedAt: created},
			merchants: []grant{{TheatreSlug, market.RoleOrganiser}},
			campaigns: []grant{{BilletSolidaireSlug, market.RoleOrganiser}},
		},
		{
			user:      &market.User{ID: "usr_cafe", Email: CafeEmail, Name: "Louis Thibodeau", CreatedAt: created},
			merchants: []grant{{"cafe-des-cantons", market.RoleOwner}},
		},
		{
			user: &market.User{ID: "usr_ville", Email: VilleEmail, Name: "Développement économique, Ville de Sherbrooke", CreatedAt: created},
		},
	}
}
