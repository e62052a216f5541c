package social

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// assertInert checks that s is plain text fit for the wall: valid UTF-8,
// at most max runes, no control or bidi characters, and no '<' or '>' (the
// inputs it is used on carry none as text).
func assertInert(t *testing.T, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("invalid UTF-8: %q", s)
	}
	if n := utf8.RuneCountInString(s); n > max {
		t.Errorf("%d runes, want at most %d", n, max)
	}
	if strings.ContainsAny(s, "<>") {
		t.Errorf("markup left: %q", s)
	}
	for _, r := range s {
		if stripped(r) || (unicode.IsControl(r)) || r == '\n' {
			t.Errorf("control or bidi character %U left in %q", r, s)
		}
	}
}

func TestHTMLText(t *testing.T) {
	for _, tc := range []struct {
		in, text string
		links    []string
	}{
		{`<p>Un</p><p>deux<br>trois<br/>quatre</p>`, "Un deux trois quatre", nil},
		{`<p>#<span>tag</span> <a href="https://a.example/x">lien</a> <a href="/relatif">r</a> <a href="mailto:x@y">m</a></p>`,
			"#tag lien r m", []string{"https://a.example/x"}},
		{`Tom &amp; Jerry &lt;3 &#x1F600; &eacute;`, "Tom & Jerry <3 😀 é", nil},
		{`<script>document.write("x")</script><noscript>ns</noscript>vu`, "vu", nil},
		{"a\u202Eb\u2067c\u200Fd\uFEFFe\u200Bf", "abcdef", nil},
		{"  plein   \t\n d'espaces \u00a0 ", "plein d'espaces", nil},
		{"mal\xffformé", "mal\uFFFDformé", nil},
		{`<a href="https://a.example/x">1</a><a href="https://a.example/x">2</a>`, "12", []string{"https://a.example/x"}},
		{`<img src=x onerror=alert(1)//`, "", nil},
		// what is left are characters that were text in the source: the page escapes them
		{`<<script>script>alert(1)<</script>/script>`, "</script>", nil},
	} {
		text, links := htmlText(tc.in)
		if text != tc.text || !reflect.DeepEqual(links, tc.links) {
			t.Errorf("htmlText(%q) = %q %v, want %q %v", tc.in, text, links, tc.text, tc.links)
		}
	}
}

func TestCleanTextCutsOnRuneBoundary(t *testing.T) {
	long := strings.Repeat("é", 600)
	got := cleanText(long, 500)
	if utf8.RuneCountInString(got) != 500 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("cut = %d runes, %q…", utf8.RuneCountInString(got), got[:10])
	}
	if got := cleanText(strings.Repeat("a", 500), 500); got != strings.Repeat("a", 500) {
		t.Error("a text of exactly max runes is kept whole")
	}
	emoji := strings.Repeat("👩‍👩‍👧", 200) // multi-rune sequences
	if got := cleanText(emoji, 500); utf8.RuneCountInString(got) != 500 || !utf8.ValidString(got) {
		t.Errorf("emoji cut = %d runes", utf8.RuneCountInString(got))
	}
}

func TestTextTags(t *testing.T) {
	got := textTags("Vive #BilletSolidaire, #café_2 et #billetsolidaire! mail#pas https://x.example/#ancre &#38; #")
	want := []string{"billetsolidaire", "café_2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("textTags = %v, want %v", got, want)
	}
}

func TestNormaliseTags(t *testing.T) {
	got := normaliseTags([]string{" #BilletSolidaire", "billetsolidaire", "", "#", "Repas"})
	if !reflect.DeepEqual(got, []string{"billetsolidaire", "repas"}) {
		t.Errorf("normaliseTags = %v", got)
	}
}
