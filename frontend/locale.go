package frontend

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // event times are shown in the venue's zone even where the system has no tz database

	"golang.org/x/text/language"

	"github.com/solidaire-app/solidaire/market"
)

// The languages of the interface. French comes first: it is the default
// (Québec's Charter of the French language, France's Loi Toubon).
const (
	langFR = "fr"
	langEN = "en"
)

// langs lists the languages in order of preference.
var langs = []string{langFR, langEN}

// langCookie remembers a visitor's choice made with ?lang=.
const langCookie = "lang"

// matcher picks a supported language from Accept-Language; its first tag is
// the fallback for visitors who accept neither.
var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// negotiate returns the language of the response to r and whether r asked
// for it explicitly with ?lang=, which the caller remembers in a cookie. The
// query wins, then the cookie, then Accept-Language, then French.
func negotiate(r *http.Request) (lang string, explicit bool) {
	if q := r.URL.Query().Get("lang"); validLang(q) {
		return q, true
	}
	if c, err := r.Cookie(langCookie); err == nil && validLang(c.Value) {
		return c.Value, false
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return langs[i], false
			}
		}
	}
	return langFR, false
}

func validLang(s string) bool { return s == langFR || s == langEN }

// locale formats text, money and dates for one language. Templates get its
// methods as functions, so no string of the interface lives in a template.
type locale struct {
	lang string
	now  func() time.Time
}

func newLocale(lang string) *locale {
	l := &locale{lang: langFR, now: time.Now}
	if lang == langEN {
		l.lang = langEN
	}
	return l
}

// T returns the message for key. An unknown key is an error, so that a
// template using it fails to render in tests instead of showing the key.
func (l *locale) T(key string) (string, error) {
	m, ok := messages[key]
	if !ok {
		return "", fmt.Errorf("no message %q", key)
	}
	if l.lang == langFR {
		return typo(m[0]), nil
	}
	return m[1], nil
}

// frenchSpaces puts no-break spaces where French typography wants them
// (before : ; ! ? », after «), so that a colon never starts a line on a
// phone. English text has no space there and is left as it is.
var frenchSpaces = strings.NewReplacer(" :", "\u00a0:", " ;", "\u202f;", " !", "\u202f!", " ?", "\u202f?", " »", "\u00a0»", "« ", "«\u00a0")

// typo applies frenchSpaces to text from the catalogue or the messages.
func typo(s string) string { return frenchSpaces.Replace(s) }

// Tf formats the message for key with args, like fmt.Sprintf.
func (l *locale) Tf(key string, args ...any) (string, error) {
	f, err := l.T(key)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(f, args...), nil
}

// Plural formats key.one or key.other with n, an int or an int64 (the
// catalogue counts seats in int, money in int64). French uses the singular
// for 0 and 1 ("0 place restante"), English for 1 only.
func (l *locale) Plural(key string, count any) (string, error) {
	var n int64
	switch c := count.(type) {
	case int:
		n = int64(c)
	case int64:
		n = c
	default:
		return "", fmt.Errorf("plural %q: %T is not a count", key, count)
	}
	one := n == 1
	if l.lang == langFR {
		one = n == 0 || n == 1
	}
	if one {
		return l.Tf(key+".one", l.Number(n))
	}
	return l.Tf(key+".other", l.Number(n))
}

// must returns the message for key, for Go code whose keys are constants
// checked by the tests.
func (l *locale) must(key string, args ...any) string {
	s, err := l.Tf(key, args...)
	if err != nil {
		panic(err)
	}
	return s
}

// Number formats an integer with the locale's digit grouping: "12 345"
// (narrow no-break space) in French, "12,345" in English.
func (l *locale) Number(n int64) string {
	sep := ","
	if l.lang == langFR {
		sep = "\u202f"
	}
	return group(n, sep)
}

func group(n int64, sep string) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// currencySymbols are the symbols shown next to amounts. Solidaire's buyers
// pay in their own city's currency, so "$" is unambiguous on the page.
var currencySymbols = map[market.Currency]string{market.CAD: "$", market.EUR: "€"}

// Money formats minor units: "1 250,00 $" and "25,00 €" in French (as CLDR
// does: narrow no-break space between thousands, no-break space before the
// symbol), "$1,250.00" and "€25.00" in English.
func (l *locale) Money(amount int64, c market.Currency) string {
	sym, ok := currencySymbols[c]
	if !ok {
		sym = strings.ToUpper(string(c))
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	units, cents := amount/100, amount%100
	if l.lang == langFR {
		return fmt.Sprintf("%s%s,%02d\u00a0%s", sign, group(units, "\u202f"), cents, sym)
	}
	return fmt.Sprintf("%s%s%s.%02d", sign, sym, group(units, ","), cents)
}

// zoneOf returns the time zone in which to show the dates of a seller that
// sells in currency c. Solidaire's cities are in Québec (cad) and in France
// (eur), each with one zone; a seller elsewhere would need its own field.
func zoneOf(c market.Currency) *time.Location {
	name := "America/Toronto" // Québec's canonical zone
	if c == market.EUR {
		name = "Europe/Paris"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC // cannot happen: time/tzdata is embedded
	}
	return loc
}

var (
	weekdaysFR = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	monthsFR   = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// Date formats t in the zone of currency c, the year shown only when it is
// not the current one: "samedi 5 décembre à 20 h 30" (Québec's way of
// writing hours, also understood in France), "Saturday, December 5, 8:30 PM".
func (l *locale) Date(t time.Time, c market.Currency) string {
	zone := zoneOf(c)
	t = t.In(zone)
	year := ""
	if t.Year() != l.now().In(zone).Year() {
		year = " " + strconv.Itoa(t.Year())
	}
	if l.lang == langFR {
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		hour := fmt.Sprintf("%d h", t.Hour())
		if t.Minute() != 0 {
			hour = fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
		}
		return fmt.Sprintf("%s %s %s%s à %s", weekdaysFR[t.Weekday()], day, monthsFR[t.Month()-1], year, hour)
	}
	if year != "" {
		year = "," + year
	}
	return fmt.Sprintf("%s, %s %d%s, %s", t.Weekday(), t.Month(), t.Day(), year, t.Format("3:04 PM"))
}

// Day formats the day of t in the zone of currency c, with its year, for
// the dates a buyer must be able to rely on (a bonus's end, a sale's
// window): "1er juin 2026", "June 1, 2026".
func (l *locale) Day(t time.Time, c market.Currency) string {
	t = t.In(zoneOf(c))
	if l.lang == langFR {
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %d", day, monthsFR[t.Month()-1], t.Year())
	}
	return t.Format("January 2, 2006")
}

// Category returns the name of a category in the locale's language.
func (l *locale) Category(c market.Category) string {
	info, ok := market.CategoryByslug(c)
	if !ok {
		return string(c)
	}
	if l.lang == langEN {
		return info.EN
	}
	return info.FR
}

// ogLocale is the Open Graph locale of the language: the site is Québec's
// first, so Canadian variants.
func (l *locale) ogLocale() string {
	if l.lang == langEN {
		return "en_CA"
	}
	return "fr_CA"
}

// Percent formats basis points (hundredths of a percent) as a percentage
// without useless zeros: "2,5 %" in French (no-break space), "2.5%" in
// English.
func (l *locale) Percent(bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	if l.lang == langFR {
		return strings.Replace(s, ".", ",", 1) + "\u00a0%"
	}
	return s + "%"
}
