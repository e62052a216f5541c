package frontend

import (
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func TestLocaleAuVenue(t *testing.T) {
	for name, want := range map[string]string{
		"Théâtre du Faubourg":      "au Théâtre du Faubourg",
		"Le Quai des Chansons":     "au Quai des Chansons",
		"La Nuit blanche":          "à la Nuit blanche",
		"Les Délices d'Hochelaga":  "aux Délices d'Hochelaga",
		"L'Atelier du coin":        "à l'Atelier du coin",
		"L’Escale":                 "à l’Escale",
		"Librairie des Possibles":  "à la Librairie des Possibles",
		"Épicerie Le Garde-Manger": "à l'Épicerie Le Garde-Manger",
		"Chez Ginette et fils":     "chez Ginette et fils",
		"Ginette et fils":          "chez Ginette et fils",
		"Lebeau fleurs":            "chez Lebeau fleurs", // "Le" only as a word
		"Laurier BBQ":              "chez Laurier BBQ",
		" Le Quai ":                "au Quai",
		"":                         "",
	} {
		if got := auVenue(name); got != want {
			t.Errorf("auVenue(%q) = %q, want %q", name, got, want)
		}
	}
	fr, en := newLocale(langFR), newLocale(langEN)
	if got := fr.AtVenue("La Tulipe"); got != "à la Tulipe" {
		t.Errorf("fr AtVenue = %q", got)
	}
	if got := en.AtVenue("La Tulipe"); got != "at La Tulipe" {
		t.Errorf("en AtVenue = %q", got)
	}
	if got := en.WithVenue("La Tulipe"); got != "with La Tulipe" {
		t.Errorf("en WithVenue = %q", got)
	}
	if got := upfirst("à la Tulipe"); got != "À la Tulipe" {
		t.Errorf("upfirst = %q", got)
	}
}

// TestLocaleWrittenDates checks that public dates are written out, with
// the year when it is not this one, in both languages.
func TestLocaleWrittenDates(t *testing.T) {
	fr, en := newLocale(langFR), newLocale(langEN)
	now := func() time.Time { return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC) }
	fr.now, en.now = now, now
	at := time.Date(2027, 1, 3, 1, 0, 0, 0, time.UTC) // 8 p.m. on Saturday 2 January in Montréal
	for _, tc := range []struct{ got, want string }{
		{fr.Date(at, market.CAD), "samedi 2 janvier 2027 à 20 h"},
		{fr.Day(at, market.CAD), "2 janvier 2027"},
		{fr.Day(at, market.EUR), "3 janvier 2027"},
		{fr.Day(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), market.EUR), "1er mars 2027"},
		{en.Date(at, market.CAD), "Saturday, January 2, 2027, 8:00 PM"},
		{en.Day(at, market.CAD), "January 2, 2027"},
		{fr.must("status.postponed.to", fr.Day(at, market.CAD)), "Reporté au 2 janvier 2027"},
		{en.must("status.postponed.to", en.Day(at, market.CAD)), "Postponed to January 2, 2027"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestEventsPeriod(t *testing.T) {
	zone := zoneOf(market.CAD)
	thursday := time.Date(2026, 12, 3, 15, 0, 0, 0, zone)
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, zone) }
	for _, tc := range []struct {
		when     string
		now      time.Time
		from, to time.Time
	}{
		{"today", thursday, d(12, 3), d(12, 4)},
		{"week", thursday, d(12, 3), d(12, 7)},                                  // to Sunday night
		{"week", time.Date(2026, 12, 6, 9, 0, 0, 0, zone), d(12, 6), d(12, 7)},  // on a Sunday: the day itself
		{"week", time.Date(2026, 12, 7, 9, 0, 0, 0, zone), d(12, 7), d(12, 14)}, // on a Monday: the whole week
		{"month", thursday, d(12, 3), time.Date(2027, 1, 1, 0, 0, 0, 0, zone)},
		{"", thursday, time.Time{}, time.Time{}},
		{"someday", thursday, time.Time{}, time.Time{}},
	} {
		from, to := period(tc.when, tc.now)
		if !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("period(%q, %v) = %v, %v; want %v, %v", tc.when, tc.now, from, to, tc.from, tc.to)
		}
	}
	if _, ok := parseDay("2027-02-30", zone); ok {
		t.Error("parseDay accepted 30 February")
	}
	if got, ok := parseDay("2027-01-02", zone); !ok || !got.Equal(time.Date(2027, 1, 2, 0, 0, 0, 0, zone)) {
		t.Errorf("parseDay = %v, %v", got, ok)
	}
}
