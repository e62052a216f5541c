package frontend

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Venue names are written in sentences with the preposition French asks
// for: "au Théâtre du Faubourg", "à la Librairie des Possibles", "aux
// Délices", "à l'Atelier", and "chez Ginette et fils" when nothing in the
// name says which article it takes. English always says "at".

// venueNouns are the common nouns a business name often starts with,
// without an article ("Théâtre du Faubourg"), and the contraction of "à"
// with the article each takes.
var venueNouns = map[string]string{
	"théâtre": "au", "café": "au", "restaurant": "au", "bistro": "au", "bistrot": "au",
	"marché": "au", "comptoir": "au", "cinéma": "au", "salon": "au", "quai": "au",
	"cabaret": "au", "studio": "au", "musée": "au", "centre": "au", "club": "au",
	"librairie": "à la", "boulangerie": "à la", "pâtisserie": "à la", "boutique": "à la",
	"salle": "à la", "fromagerie": "à la", "brasserie": "à la", "maison": "à la",
	"galerie": "à la", "taverne": "à la", "cave": "à la", "buvette": "à la",
	"boucherie": "à la", "crémerie": "à la", "microbrasserie": "à la", "chocolaterie": "à la",
	"épicerie": "à l'", "atelier": "à l'", "auberge": "à l'", "espace": "à l'",
	"amphithéâtre": "à l'", "opéra": "à l'", "institut": "à l'",
}

// auVenue returns "à" and the venue's name as a French sentence says it:
// "Le Quai des Chansons" gives "au Quai des Chansons", "La Nuit" "à la
// Nuit", "Les Délices" "aux Délices", "L'Atelier" "à l'Atelier",
// "Théâtre du Faubourg" "au Théâtre du Faubourg", "Chez Ginette"
// "chez Ginette", and any other name "chez" and the name: a person's
// business reads right that way, and a wrong article would read worse.
func auVenue(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	for prefix, prep := range map[string]string{"Le ": "au ", "Les ": "aux ", "La ": "à la ", "L'": "à l'", "L’": "à l’"} {
		if len(name) > len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
			return prep + name[len(prefix):]
		}
	}
	first, _, _ := strings.Cut(name, " ")
	first = strings.ToLower(first)
	if first == "chez" {
		return "chez" + name[len(first):]
	}
	if prep, ok := venueNouns[first]; ok {
		if strings.HasSuffix(prep, "'") {
			return prep + name
		}
		return prep + " " + name
	}
	return "chez " + name
}

// AtVenue is the venue's name after the preposition that places something
// there: "au Théâtre du Faubourg" in French, "at Théâtre du Faubourg" in
// English.
func (l *locale) AtVenue(name string) string {
	if l.lang == langEN {
		return "at " + strings.TrimSpace(name)
	}
	return auVenue(name)
}

// upfirst capitalises the first letter of s, for a phrase that starts a
// line: "Au Théâtre du Faubourg".
func upfirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
	}
	return s
}

// WithVenue is the venue's name after the preposition that leaves money
// with it: "au Théâtre du Faubourg" in French, "with Théâtre du Faubourg"
// in English.
func (l *locale) WithVenue(name string) string {
	if l.lang == langEN {
		return "with " + strings.TrimSpace(name)
	}
	return auVenue(name)
}
