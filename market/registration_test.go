package market_test

import (
	"testing"

	"github.com/solidaire-app/solidaire/market"
)

func TestCheckRegistration(t *testing.T) {
	tests := []struct {
		name     string
		currency market.Currency
		number   string
		want     string // the number kept; "" when refused
		message  string // the field's message when refused
	}{
		{"NEQ", market.CAD, "1171234567", "1171234567", ""},
		{"NEQWithSpaces", market.CAD, " 117 123 4567 ", "1171234567", ""},
		{"ErrNEQShort", market.CAD, "117123456", "", "Le NEQ compte 10 chiffres."},
		{"ErrNEQLong", market.CAD, "11712345678", "", "Le NEQ compte 10 chiffres."},
		{"ErrNEQLetters", market.CAD, "117123456A", "", "Le NEQ compte 10 chiffres."},
		{"ErrNEQHyphen", market.CAD, "1171-234-567", "", "Le NEQ compte 10 chiffres."},
		{"ErrNEQIsSIRET", market.CAD, "73282932000074", "", "Le NEQ compte 10 chiffres."},
		{"ErrMissing", market.CAD, "   ", "", "Indiquez le numéro d'entreprise (NEQ ou SIRET)."},
		{"SIRET", market.EUR, "73282932000074", "73282932000074", ""},
		{"SIRETWithSpaces", market.EUR, "732 829 320 00074", "73282932000074", ""},
		{"SIRETNonBreakingSpaces", market.EUR, "732\u00a0829\u00a0320\u00a000074", "73282932000074", ""},
		{"ErrSIRETKey", market.EUR, "73282932000075", "", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."},
		{"ErrSIRETShort", market.EUR, "7328293200007", "", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."},
		{"ErrSIRETIsNEQ", market.EUR, "1171234567", "", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."},
		{"ErrSIRETLetters", market.EUR, "7328293200007A", "", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."},
		// La Poste's establishments: the sum of the digits is a multiple of 5.
		{"SIRETLaPoste", market.EUR, "35600000049837", "35600000049837", ""},
		{"SIRETLaPosteLuhn", market.EUR, "35600000000048", "35600000000048", ""},
		{"ErrSIRETLaPoste", market.EUR, "35600000012345", "", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."},
		// The sum rule is La Poste's only.
		{"ErrSIRETSumElsewhere", market.EUR, "12345678901234", "", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."},
		{"ErrMissingSIRET", market.EUR, "", "", "Indiquez le numéro d'entreprise (NEQ ou SIRET)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := market.CheckRegistration(tt.currency, "business.registration", tt.number)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("CheckRegistration(%q) = %q, %v; want %q", tt.number, got, err, tt.want)
				}
				return
			}
			var e *market.Error
			if !asError(err, &e) || e.Code != market.EInvalid || e.Fields["business.registration"] != tt.message || e.Message != tt.message {
				t.Fatalf("CheckRegistration(%q) = %q, %v; want invalid_input %q", tt.number, got, err, tt.message)
			}
		})
	}
}

func TestValidSIRET(t *testing.T) {
	for s, want := range map[string]bool{
		"44306184100047": true, "55208131766522": true, "73282932000074": true,
		"44306184100048": false, "00000000000000": true, "": false, "443061841000470": false,
	} {
		if got := market.ValidSIRET(s); got != want {
			t.Errorf("ValidSIRET(%q) = %v, want %v", s, got, want)
		}
	}
}

func asError(err error, target **market.Error) bool {
	e, ok := err.(*market.Error)
	*target = e
	return ok
}
