package social

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/solidaire-app/solidaire/market"
)

// strict keeps no element at all: what remains of a post's HTML is its
// text (script and style contents dropped with their elements).
var strict = bluemonday.StrictPolicy()

// maxHTMLInput bounds the HTML one post may bring to the sanitiser; what is
// past it could not reach the excerpt anyway.
const maxHTMLInput = 256 << 10

// maxLinks bounds the links kept from one post for attribution.
const maxLinks = 20

// maxNameRunes bounds an author's display name.
const maxNameRunes = 100

// htmlText turns a post's HTML into inert plain text of at most
// market.MaxMentionText runes, and returns the absolute http(s) links of
// its anchors (read before the markup goes). Block elements and line
// breaks become spaces so that paragraphs do not run together.
func htmlText(fragment string) (string, []string) {
	if len(fragment) > maxHTMLInput {
		fragment = fragment[:maxHTMLInput]
	}
	fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	var b strings.Builder
	var links []string
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt == xhtml.StartTagToken || tt == xhtml.SelfClosingTagToken || tt == xhtml.EndTagToken {
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if blockTags[a] {
				b.WriteByte(' ')
			}
			if a == atom.A && tt != xhtml.EndTagToken && hasAttr {
				for {
					key, val, more := z.TagAttr()
					if string(key) == "href" {
						links = addLink(links, string(val))
					}
					if !more {
						break
					}
				}
			}
		}
		b.Write(z.Raw())
	}
	text := html.UnescapeString(strict.Sanitize(b.String()))
	return cleanText(text, market.MaxMentionText), links
}

var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.Blockquote: true, atom.Pre: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.Hr: true, atom.Section: true, atom.Article: true, atom.Figure: true, atom.Figcaption: true,
	atom.Img: true,
}

// addLink appends raw to links when it is an absolute http(s) URL of
// sane length not already there.
func addLink(links []string, raw string) []string {
	raw = strings.TrimSpace(html.UnescapeString(raw))
	if raw == "" || len(raw) > 2048 || len(links) >= maxLinks {
		return links
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return links
	}
	s := u.String()
	for _, l := range links {
		if l == s {
			return links
		}
	}
	return append(links, s)
}

// plainText cleans text that is already plain (a display name, a Bluesky
// post): no markup is interpreted, only control and bidi characters go.
func plainText(s string, max int) string {
	return cleanText(s, max)
}

// cleanText drops bidi controls and other invisible format characters,
// turns control characters and any run of white space into one space, and
// cuts the result to max runes on a rune boundary (the last one an
// ellipsis when cut).
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(min(len(s), max*4+4))
	space := false
	n := 0
	for _, r := range s {
		if stripped(r) {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = n > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
		if n > max { // enough read: the cut below decides
			break
		}
	}
	out := b.String()
	if utf8.RuneCountInString(out) <= max {
		return out
	}
	runes := []rune(out)[:max-1]
	return strings.TrimRight(string(runes), " ") + "…"
}

// stripped reports the invisible characters that can reorder or hide text:
// bidi embeddings, overrides and isolates, directional marks, the byte
// order mark, zero-width space, interlinear annotations and
// non-characters.
func stripped(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
		r == 0x200E, r == 0x200F, r == 0x061C, r == 0xFEFF, r == 0x200B,
		r >= 0xFFF9 && r <= 0xFFFB, r == 0xFFFE, r == 0xFFFF:
		return true
	}
	return false
}

// textTagRe finds hashtags in plain text: '#' at the start or after a
// character that is not part of a word, then letters, digits, marks or '_'.
var textTagRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{M}\p{N}_]+)`)

// textTags returns the hashtags a plain text carries, lower-case, without
// '#', deduplicated.
func textTags(s string) []string {
	var out []string
	for _, m := range textTagRe.FindAllStringSubmatch(s, -1) {
		out = appendTag(out, m[1])
	}
	return out
}

// appendTag adds a tag lower-case without '#' unless it is blank or there.
func appendTag(tags []string, t string) []string {
	t = strings.ToLower(strings.TrimLeft(strings.TrimSpace(t), "#"))
	if t == "" || len(t) > 200 {
		return tags
	}
	for _, x := range tags {
		if x == t {
			return tags
		}
	}
	return append(tags, t)
}
