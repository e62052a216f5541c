package market

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a merchant page's texts, in characters.
const (
	MaxSummary     = 160
	MaxDescription = 4000
	MaxAddress     = 200
	MaxLink        = 300
	MaxDaySpans    = 3
	MaxHideReason  = 300
)

// ProfileChange is what a merchant changes on its page: nil fields stay as
// they are.
type ProfileChange struct {
	Summary       *string
	Description   *string
	DescriptionEN *string
	Address       *string
	Hours         *[]OpeningHours
	Website       *string
	Facebook      *string
	Instagram     *string
	Suggested     *[]int64
	MinAmount     *int64
	MaxAmount     *int64
}

// Apply checks the change and writes it into m, returning the names of
// the fields that changed (as the API names them). Every wrong field is
// reported at once: EInvalid with a French message per field.
func (c *ProfileChange) Apply(m *Merchant) ([]string, error) {
	bad := map[string]string{}
	var changed []string
	text := func(name string, v *string, max int, dst *string) {
		if v == nil {
			return
		}
		s := strings.TrimSpace(*v)
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			bad[name] = "Texte illisible."
			return
		}
		if n := utf8.RuneCountInString(s); n > max {
			bad[name] = fmt.Sprintf("Au plus %d caractères (%d saisis).", max, n)
			return
		}
		if s != *dst {
			*dst = s
			changed = append(changed, name)
		}
	}
	text("summary", c.Summary, MaxSummary, &m.Summary)
	text("description", c.Description, MaxDescription, &m.Description)
	text("description_en", c.DescriptionEN, MaxDescription, &m.DescriptionEN)
	text("address", c.Address, MaxAddress, &m.Address)
	link := func(name string, v *string, dst *string) {
		if v == nil {
			return
		}
		s := strings.TrimSpace(*v)
		if err := CheckLink(s); err != "" {
			bad[name] = err
			return
		}
		if s != *dst {
			*dst = s
			changed = append(changed, name)
		}
	}
	link("links.website", c.Website, &m.Website)
	link("links.facebook", c.Facebook, &m.Facebook)
	link("links.instagram", c.Instagram, &m.Instagram)
	if c.Hours != nil {
		if field, problem := CheckHours(*c.Hours); problem != "" {
			bad[field] = problem
		} else {
			m.Hours = SortHours(*c.Hours)
			changed = append(changed, "hours")
		}
	}
	money := false
	if c.MinAmount != nil && *c.MinAmount != m.MinAmount {
		m.MinAmount, money = *c.MinAmount, true
		changed = append(changed, "min_amount")
	}
	if c.MaxAmount != nil && *c.MaxAmount != m.MaxAmount {
		m.MaxAmount, money = *c.MaxAmount, true
		changed = append(changed, "max_amount")
	}
	if c.Suggested != nil {
		m.Suggested, money = append([]int64{}, *c.Suggested...), true
		changed = append(changed, "suggested_amounts")
	}
	if money {
		switch {
		case m.MinAmount <= 0:
			bad["min_amount"] = "Le minimum doit être positif."
		case m.MaxAmount < m.MinAmount:
			bad["max_amount"] = "Le maximum doit être au moins égal au minimum."
		case m.MaxAmount > MaxAmount:
			bad["max_amount"] = fmt.Sprintf("Au plus %d (en centimes).", MaxAmount)
		}
		if len(m.Suggested) > 6 {
			bad["suggested_amounts"] = "Au plus 6 montants suggérés."
		}
		for _, a := range m.Suggested {
			if a < m.MinAmount || a > m.MaxAmount {
				bad["suggested_amounts"] = "Chaque montant suggéré doit être entre le minimum et le maximum."
			}
		}
	}
	if len(bad) > 0 {
		return nil, &Error{Code: EInvalid, Message: "Certains champs sont à corriger.", Fields: bad}
	}
	return changed, nil
}

// CheckLink returns what is wrong with a page link in French, "" when it
// is fine: empty (no link), or an http(s) address of at most MaxLink
// characters.
func CheckLink(s string) string {
	if s == "" {
		return ""
	}
	if utf8.RuneCountInString(s) > MaxLink {
		return fmt.Sprintf("Au plus %d caractères.", MaxLink)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\r\n\"<>") {
		return "Doit être une adresse web complète (https://…)."
	}
	return ""
}

// CheckHours returns the field and the French problem of opening hours,
// "" when they are fine: days 1 (Monday) to 7, times HH:MM, each span
// opening before it closes, at most MaxDaySpans spans a day that do not
// overlap.
func CheckHours(hours []OpeningHours) (string, string) {
	perDay := map[int][]OpeningHours{}
	for i, h := range hours {
		field := fmt.Sprintf("hours[%d]", i)
		if h.Day < 1 || h.Day > 7 {
			return field + ".day", "Jour de 1 (lundi) à 7 (dimanche)."
		}
		o, ok1 := clock(h.Opens)
		c, ok2 := clock(h.Closes)
		if !ok1 {
			return field + ".opens", "Heure au format HH:MM (08:00)."
		}
		if !ok2 {
			return field + ".closes", "Heure au format HH:MM (18:00)."
		}
		if o >= c {
			return field + ".closes", "La fermeture doit suivre l'ouverture."
		}
		for _, other := range perDay[h.Day] {
			oo, _ := clock(other.Opens)
			oc, _ := clock(other.Closes)
			if o < oc && oo < c {
				return field, "Deux plages du même jour se chevauchent."
			}
		}
		perDay[h.Day] = append(perDay[h.Day], h)
		if len(perDay[h.Day]) > MaxDaySpans {
			return field, fmt.Sprintf("Au plus %d plages par jour.", MaxDaySpans)
		}
	}
	return "", ""
}

// SortHours orders opening hours by day, then opening time.
func SortHours(hours []OpeningHours) []OpeningHours {
	out := append([]OpeningHours{}, hours...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (out[j].Day < out[j-1].Day || out[j].Day == out[j-1].Day && out[j].Opens < out[j-1].Opens); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// clock reads "HH:MM" (00:00 to 24:00) as minutes.
func clock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	var h, m int
	for _, r := range s[:2] + s[3:] {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 24 || m > 59 || h == 24 && m != 0 {
		return 0, false
	}
	return h*60 + m, true
}

// CheckStatus validates today's status as a merchant sets it: "" clears
// it; otherwise one of OpenStatuses, a note of at most MaxStatusNote
// characters, and an until date that is zero or in the future.
func CheckStatus(s OpenStatus, note string, until, now time.Time) error {
	bad := map[string]string{}
	if s != "" && !s.Valid() {
		bad["status"] = "Statut inconnu (open, takeout, delivery, online ou closed)."
	}
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxStatusNote {
		bad["note"] = fmt.Sprintf("Au plus %d caractères.", MaxStatusNote)
	}
	if !until.IsZero() && !until.After(now) {
		bad["until"] = "La date de fin doit être dans le futur."
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "Statut à corriger.", Fields: bad}
	}
	return nil
}

// CheckPostBody trims a news post and checks its length: 1 to MaxNewsPost
// characters.
func CheckPostBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	n := utf8.RuneCountInString(body)
	switch {
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		return "", Invalid("body", "Texte illisible.")
	case n == 0:
		return "", Invalid("body", "Écrivez quelques mots.")
	case n > MaxNewsPost:
		return "", Invalid("body", fmt.Sprintf("Au plus %d caractères (%d saisis).", MaxNewsPost, n))
	}
	return body, nil
}

// CheckHideReason trims an admin's reason for hiding a photo or a post:
// required, at most MaxHideReason characters.
func CheckHideReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	n := utf8.RuneCountInString(reason)
	if n == 0 || n > MaxHideReason || !utf8.ValidString(reason) {
		return "", Invalid("reason", fmt.Sprintf("Une raison de 1 à %d caractères, que le commerce lira.", MaxHideReason))
	}
	return reason, nil
}
