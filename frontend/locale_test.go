package frontend

import (
	"io/fs"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func TestMoney(t *testing.T) {
	fr, en := newLocale(langFR), newLocale(langEN)
	for _, tc := range []struct {
		l      *locale
		amount int64
		cur    market.Currency
		want   string
	}{
		{fr, 2500, market.CAD, "25,00\u00a0$"},
		{fr, 2500, market.EUR, "25,00\u00a0€"},
		{fr, 123456789, market.CAD, "1\u202f234\u202f567,89\u00a0$"},
		{fr, 5, market.EUR, "0,05\u00a0€"},
		{fr, -1250, market.CAD, "-12,50\u00a0$"},
		{en, 2500, market.CAD, "$25.00"},
		{en, 2500, market.EUR, "€25.00"},
		{en, 123456789, market.CAD, "$1,234,567.89"},
		{en, 100000, market.EUR, "€1,000.00"},
		{en, -1250, market.CAD, "-$12.50"},
	} {
		if got := tc.l.Money(tc.amount, tc.cur); got != tc.want {
			t.Errorf("%s Money(%d, %s) = %q, want %q", tc.l.lang, tc.amount, tc.cur, got, tc.want)
		}
	}
}

func TestDate(t *testing.T) {
	// 1 a.m. UTC on 5 Dec 2026 is 8 p.m. on the 4th in Montréal and 2 a.m.
	// on the 5th in Lyon: each event shows its venue's local time.
	at := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
	fr, en := newLocale(langFR), newLocale(langEN)
	now := func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }
	fr.now, en.now = now, now
	for _, tc := range []struct {
		l    *locale
		t    time.Time
		cur  market.Currency
		want string
	}{
		{fr, at, market.CAD, "vendredi 4 décembre à 20 h"},
		{fr, at, market.EUR, "samedi 5 décembre à 2 h"},
		{fr, at.Add(30 * time.Minute), market.CAD, "vendredi 4 décembre à 20 h 30"},
		{fr, time.Date(2027, 3, 1, 23, 0, 0, 0, time.UTC), market.CAD, "lundi 1er mars 2027 à 18 h"},
		{en, at, market.CAD, "Friday, December 4, 8:00 PM"},
		{en, time.Date(2027, 3, 1, 23, 0, 0, 0, time.UTC), market.EUR, "Tuesday, March 2, 2027, 12:00 AM"},
	} {
		if got := tc.l.Date(tc.t, tc.cur); got != tc.want {
			t.Errorf("%s Date(%v, %s) = %q, want %q", tc.l.lang, tc.t, tc.cur, got, tc.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		name, query, cookie, accept string
		want                        string
		explicit                    bool
	}{
		{name: "default", want: "fr"},
		{name: "accept english", accept: "en-US,en;q=0.9", want: "en"},
		{name: "accept québec", accept: "fr-CA,fr;q=0.9,en;q=0.8", want: "fr"},
		{name: "accept english first", accept: "en-GB,fr;q=0.5", want: "en"},
		{name: "accept neither", accept: "de-DE,es;q=0.8", want: "fr"},
		{name: "cookie beats accept", cookie: "fr", accept: "en-US", want: "fr"},
		{name: "query beats cookie", query: "en", cookie: "fr", want: "en", explicit: true},
		{name: "bad query ignored", query: "de", cookie: "en", want: "en"},
		{name: "bad cookie ignored", cookie: "xx", accept: "en", want: "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/?lang="+tc.query, nil)
			if tc.cookie != "" {
				r.Header.Set("Cookie", "lang="+tc.cookie)
			}
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			got, explicit := negotiate(r)
			if got != tc.want || explicit != tc.explicit {
				t.Errorf("negotiate = %s, %v; want %s, %v", got, explicit, tc.want, tc.explicit)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	fr, en := newLocale(langFR), newLocale(langEN)
	for _, tc := range []struct {
		l    *locale
		n    int64
		want string
	}{
		{fr, 0, "0 place restante"},
		{fr, 1, "1 place restante"},
		{fr, 2, "2 places restantes"},
		{fr, 1500, "1\u202f500 places restantes"},
		{en, 0, "0 seats left"},
		{en, 1, "1 seat left"},
		{en, 1500, "1,500 seats left"},
	} {
		if got, err := tc.l.Plural("seats", tc.n); err != nil || got != tc.want {
			t.Errorf("%s Plural(seats, %d) = %q, %v; want %q", tc.l.lang, tc.n, got, err, tc.want)
		}
	}
}

// TestMessages checks the translations table: every message exists in both
// languages with the same verbs, and every key a template or the Go code
// names is in the table.
func TestMessages(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0]*[0-9]*[a-z%]`)
	for key, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("message %q is empty in a language: %q", key, m)
		}
		if fr, en := verbs.FindAllString(m[0], -1), verbs.FindAllString(m[1], -1); strings.Join(fr, "") != strings.Join(en, "") {
			t.Errorf("message %q: verbs %v in French, %v in English", key, fr, en)
		}
	}

	used := map[string]bool{}
	inTemplates := regexp.MustCompile(`\b(?:t|tf|plural) "([a-z0-9.]+)"`)
	err := fs.WalkDir(templateFS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS(), name)
		for _, m := range inTemplates.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
			if strings.Contains(m[0], "plural") {
				used[m[1]] = false
				used[m[1]+".one"], used[m[1]+".other"] = true, true
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"site.description", "lang.switch", "home.title", "home.results.none", "home.results.more",
		"home.results.one", "home.results.other", "filters.category.all", "error.title", "notfound.title",
		"merchant.title", "share.merchant", "og.merchant.alt", "event.title", "event.title.cancelled",
		"event.title.postponed", "share.event", "og.campaign.alt", "og.campaign.raised", "og.campaign.goal",
		"supporters.one", "supporters.other", "card.gift", "card.support"} {
		used[key] = true
	}
	for key, want := range used {
		if _, ok := messages[key]; want && !ok {
			t.Errorf("message %q is used but not in the table", key)
		}
	}
	if len(used) < 40 {
		t.Errorf("found only %d keys in the templates: is the pattern still right?", len(used))
	}
}

// TestParseAmount checks how typed amounts are read, in either language's
// format. src/amount.ts reads them the same way (e2e/buy.test.mjs checks a
// few through the page).
func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{
		"25": 2500, "25,50": 2550, "25.50": 2550, "25,5": 2550, "25.5": 2550, "25,": 2500, ",5": 50,
		" 25 ": 2500, "25 $": 2500, "$25.00": 2500, "25 €": 2500, "€25": 2500,
		"1 000": 100000, "1\u202f000,00": 100000, "1\u00a0000,00\u00a0$": 100000, "1,000": 100000, "1.000": 100000,
		"1,000.50": 100050, "1.000,50": 100050, "1'000.50": 100050, "12,345,678": 1234567800, "0": 0,
		"25,505": 2550500, // a comma before three digits groups thousands: out of range, and said so

	} {
		if got, ok := parseAmount(in); !ok || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " ", "abc", "25abc", "-5", "+5", "1,00,000", "1000,000", "25,,50",
		"25.5.5", ",", ".", "1e3", "0x10", "1234567890", "٢٥"} {
		if got, ok := parseAmount(in); ok {
			t.Errorf("parseAmount(%q) = %d, want an error", in, got)
		}
	}
}

func TestPercent(t *testing.T) {
	fr, en := newLocale(langFR), newLocale(langEN)
	for bp, want := range map[int64][2]string{250: {"2,5\u00a0%", "2.5%"}, 300: {"3\u00a0%", "3%"}, 125: {"1,25\u00a0%", "1.25%"}, 5: {"0,05\u00a0%", "0.05%"}} {
		if got := fr.Percent(bp); got != want[0] {
			t.Errorf("fr %d: %q, want %q", bp, got, want[0])
		}
		if got := en.Percent(bp); got != want[1] {
			t.Errorf("en %d: %q, want %q", bp, got, want[1])
		}
	}
}
