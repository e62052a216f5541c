package market

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips its accents, so that "Montréal", "montreal"
// and "MONTREAL" compare equal in searches and filters.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

// Slugify turns a name into a URL slug: folded, with runs of anything but
// letters and digits replaced by one hyphen.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(s) {
		if unicode.IsLetter(r) && r < unicode.MaxASCII || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// SearchText is what the directory's search looks in, made of parts (a
// merchant's name, summary, city, category names): folded, every run of
// anything but letters and digits turned into one space. Each of its words
// is what a query's term (SearchTerms) must begin.
func SearchText(parts ...string) string {
	var words []string
	for _, p := range parts {
		words = append(words, searchWords(p)...)
	}
	return strings.Join(words, " ")
}

// searchWords splits s, folded, into its runs of letters and digits:
// SQLite's unicode61 tokenizer and PostgreSQL's text search read the same
// words in SearchText.
func searchWords(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// MaxSearchTerms is how many terms of a query the search uses; the others
// are ignored.
const MaxSearchTerms = 8

// stopWords are the articles and little words a query may hold ("la
// boulangerie du coin"): ignored when the query has other terms, since
// nearly every merchant has them and they narrow nothing.
var stopWords = map[string]bool{
	"au": true, "aux": true, "de": true, "des": true, "du": true, "en": true, "et": true, "la": true,
	"le": true, "les": true, "un": true, "une": true, "sur": true, "and": true, "of": true, "the": true,
}

// SearchTerms returns the terms of a directory query: its words, folded
// (accents and case ignored), split at anything but letters and digits, so
// that quotes, wildcards and operators are only separators and no query
// syntax of any engine can be written. A merchant matches when each term
// begins a word of its SearchText ("boul montreal" finds the Boulangerie du
// Quartier in Montréal). One-letter terms and little words are dropped when
// the query has longer ones, a term that begins another one is dropped
// (the longer one implies it), and at most MaxSearchTerms are kept, the
// longest. It returns nil when the query has no term of two letters or
// more: such a query matches nothing.
func SearchTerms(q string) []string {
	var terms []string
	seen := map[string]bool{}
	for _, w := range searchWords(q) {
		if utf8.RuneCountInString(w) < 2 || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
	}
	if slices.ContainsFunc(terms, func(w string) bool { return !stopWords[w] }) {
		terms = slices.DeleteFunc(terms, func(w string) bool { return stopWords[w] })
	}
	// The longest first: they narrow most, and imply their prefixes.
	slices.SortStableFunc(terms, func(a, b string) int { return len(b) - len(a) })
	var kept []string
	for _, w := range terms {
		if !slices.ContainsFunc(kept, func(k string) bool { return strings.HasPrefix(k, w) }) {
			kept = append(kept, w)
		}
	}
	if len(kept) > MaxSearchTerms {
		kept = kept[:MaxSearchTerms]
	}
	return kept
}
