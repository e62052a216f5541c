package market_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/market"
)

func TestSearchText(t *testing.T) {
	got := market.SearchText("Café 100% Olimpico", "L’Île-Perrot", "Boulangerie-pâtisserie", "bien-etre", "Pantoute_")
	want := "cafe 100 olimpico l ile perrot boulangerie patisserie bien etre pantoute"
	if got != want {
		t.Fatalf("SearchText = %q, want %q", got, want)
	}
}

func TestSearchTerms(t *testing.T) {
	tests := []struct {
		name, q string
		want    []string
	}{
		{"Words", "boulangerie montreal", []string{"boulangerie", "montreal"}},
		{"AccentsAndCase", "BOULANGERIE Montréal", []string{"boulangerie", "montreal"}},
		{"LongestFirst", "cafe montreal", []string{"montreal", "cafe"}},
		{"PunctuationSeparates", "bien-être l'atelier", []string{"atelier", "bien", "etre"}},
		{"OneLetterDropped", "cafe a lyon", []string{"cafe", "lyon"}},
		{"StopWordsDropped", "La boulangerie du quartier", []string{"boulangerie", "quartier"}},
		{"OnlyStopWords", "de la", []string{"de", "la"}},
		{"PrefixImplied", "boul boulangerie bou", []string{"boulangerie"}},
		{"Duplicates", "lyon LYON Lyon", []string{"lyon"}},
		{"Digits", "100%", []string{"100"}},
		{"FTSSyntaxIsText", `"boul"* NEAR(a b) OR -x ^y col:z`, []string{"boul", "near", "col", "or"}},
		{"LikeWildcardsAreText", `%_\ c_a%fe`, []string{"fe"}},
		{"OnlyPunctuation", `%% ** "" -- \\`, nil},
		{"OnlyOneLetter", "e l' a", nil},
		{"Empty", "   ", nil},
		{"AtMostEight", "aa bb cc dd ee ff gg hh iii", []string{"iii", "aa", "bb", "cc", "dd", "ee", "ff", "gg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := market.SearchTerms(tt.q); !slices.Equal(got, tt.want) {
				t.Fatalf("SearchTerms(%q) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestCityKey(t *testing.T) {
	for _, name := range []string{"Montréal", "montreal", " MONTREAL ", "Montréal\t"} {
		if got := market.CityKey(name); got != "montreal" {
			t.Errorf("CityKey(%q) = %q", name, got)
		}
	}
	if got := market.CityKey("Saint-Jean   sur Richelieu"); got != "saint-jean sur richelieu" {
		t.Errorf("spaces collapsed: %q", got)
	}
}

func TestNewCity(t *testing.T) {
	c, err := market.NewCity("  Trois-Rivières  ", "ca")
	if err != nil || c.Name != "Trois-Rivières" || c.Country != "CA" || c.Key() != "trois-rivieres" {
		t.Fatalf("NewCity = %+v, %v", c, err)
	}
	for _, tt := range []struct{ name, country, field string }{
		{"", "CA", "name"}, {"   ", "", "name"}, {"12345", "", "name"}, {"Lyon\x00", "", "name"},
		{strings.Repeat("a", 101), "", "name"}, {"Lyon", "FRA", "country"}, {"Lyon", "F1", "country"},
	} {
		_, err := market.NewCity(tt.name, tt.country)
		var e *market.Error
		if !asError(err, &e) || e.Code != market.EInvalid || e.Fields[tt.field] == "" {
			t.Errorf("NewCity(%q, %q) = %v, want invalid %s", tt.name, tt.country, err, tt.field)
		}
	}
}
