// Package demo is Solidaire's demo data set: merchants in Montréal, Québec,
// Sherbrooke and Lyon, events at three venues, the #billetsolidaire,
// #achatlocal and Lyon campaigns, and fixed sign-ins. `solidaire seed --demo`
// and `make run` load it into an empty database with Seed.
//
// Every business, person and show in it is invented; the texts are written
// in Québec French for Québec merchants and in France French for Lyon.
package demo

import (
	"strings"
	"time"
)

// Password is the password of every demo sign-in. It is public on purpose:
// the demo data set must never be loaded in production.
const Password = "solidaire-demo"

// The demo sign-ins (see API.md, "Demo data set").
const (
	// AdminEmail signs in as a Solidaire administrator.
	AdminEmail = "admin@demo.solidaire.local"
	// BoulangerieEmail signs in as the owner of BoulangerieSlug.
	BoulangerieEmail = "boulangerie@demo.solidaire.local"
	// LibrairieEmail signs in as the owner of LibrairieSlug.
	LibrairieEmail = "librairie@demo.solidaire.local"
	// OrganisateurEmail signs in as the organiser of the campaign
	// BilletSolidaireSlug and of the venue TheatreSlug.
	OrganisateurEmail = "organisateur@demo.solidaire.local"
	// VilleEmail signs in as the organiser of the town programme
	// ProgrammeSlug (Sherbrooke's economic development office).
	VilleEmail = "ville@demo.solidaire.local"
	// CafeEmail signs in as the owner of a Sherbrooke café that takes the
	// town's card.
	CafeEmail = "cafe@demo.solidaire.local"
)

// ProgrammeSlug is Sherbrooke's solidarity card: one card for the town's
// shops, topped up by the town's fund.
const ProgrammeSlug = "dollars-solidaires-sherbrooke"

// Slugs that documentation, tests and the demo walkthrough rely on.
const (
	// BoulangerieSlug is a Montréal bakery selling gift certificates in cad.
	BoulangerieSlug = "boulangerie-du-quartier"
	// LibrairieSlug is a Lyon bookshop selling gift certificates in eur.
	LibrairieSlug = "librairie-des-possibles"
	// TheatreSlug is a Montréal venue selling tickets and solidarity tickets.
	TheatreSlug = "theatre-du-faubourg"
	// BilletSolidaireSlug is the #billetsolidaire campaign for Québec venues.
	BilletSolidaireSlug = "billetsolidaire"
	// AchatLocalSlug is the #achatlocal campaign for Québec merchants.
	AchatLocalSlug = "achatlocal"
	// LyonCampaignSlug is the campaign for Lyon merchants, in eur.
	LyonCampaignSlug = "soutiens-ton-commerce"
)

// MerchantID returns the fixed id of the demo merchant with the given slug.
func MerchantID(slug string) string { return "mer_" + slug }

// CampaignID returns the fixed id of the demo campaign with the given slug.
func CampaignID(slug string) string { return "cam_" + slug }

// paras joins paragraphs with a blank line, the paragraph separator of
// merchant, event and campaign descriptions.
func paras(p ...string) string { return strings.Join(p, "\n\n") }

// Time zones of the demo cities. Québec's cities share Montréal's zone
// (America/Toronto is its canonical name). Without the tz database, fixed
// standard-time offsets keep the data set loadable, an hour off in summer.
var (
	quebecTime = location("America/Toronto", -5)
	lyonTime   = location("Europe/Paris", +1)
)

func location(name string, hours int) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone(name, hours*3600)
	}
	return loc
}

// at returns hour:minute on the local day that falls days after now's local
// day in loc, so the demo stays upcoming whatever day it is seeded.
func at(now time.Time, loc *time.Location, days, hour, minute int) time.Time {
	d := now.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day()+days, hour, minute, 0, 0, loc)
}

// on returns hour:minute on the first given weekday at least days after
// now's local day in loc, for events whose title promises a day of the week.
func on(now time.Time, loc *time.Location, days int, day time.Weekday, hour, minute int) time.Time {
	t := at(now, loc, days, hour, minute)
	return at(t, loc, (int(day)-int(t.Weekday())+7)%7, hour, minute)
}
