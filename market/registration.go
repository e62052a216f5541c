package market

import (
	"strings"
	"unicode"
)

// Messages of a business number of the wrong shape, in French: the people
// who apply read them.
const (
	registrationMissing = "Indiquez le numéro d'entreprise (NEQ ou SIRET)."
	neqInvalid          = "Le NEQ compte 10 chiffres."
	siretInvalid        = "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."
)

// laPoste is the SIREN of La Poste, whose establishments' SIRETs do not
// carry a Luhn key: the sum of their digits is a multiple of 5 instead.
const laPoste = "356000000"

// CheckRegistration checks the shape of the business number of a merchant
// selling in currency c and returns it without its spaces: a NEQ of 10
// digits in Québec (cad), a SIRET of 14 digits with a valid Luhn key in
// France (eur). It cannot tell whether the business exists: an admin checks
// that before approving. EInvalid naming field, with a French message,
// when the number is missing or has the wrong shape; any number of 40
// characters at most for a currency without a known register.
func CheckRegistration(c Currency, field, number string) (string, error) {
	digits := strings.Join(strings.FieldsFunc(number, unicode.IsSpace), "")
	if digits == "" {
		return "", registrationError(field, registrationMissing)
	}
	switch c {
	case CAD:
		if len(digits) != 10 || !allDigits(digits) {
			return "", registrationError(field, neqInvalid)
		}
	case EUR:
		if !ValidSIRET(digits) {
			return "", registrationError(field, siretInvalid)
		}
	default:
		if len(digits) > 40 {
			return "", registrationError(field, registrationMissing)
		}
	}
	return digits, nil
}

// ValidSIRET reports whether s is a SIRET: 14 digits whose Luhn key is
// right, or, for La Poste's establishments, whose digits add up to a
// multiple of 5.
func ValidSIRET(s string) bool {
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	if luhn(s) {
		return true
	}
	if strings.HasPrefix(s, laPoste) {
		sum := 0
		for _, r := range s {
			sum += int(r - '0')
		}
		return sum%5 == 0
	}
	return false
}

// luhn reports whether the digits of s pass the Luhn check: from the
// right, every second digit doubled (9 taken off above 9), the total a
// multiple of 10.
func luhn(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func registrationError(field, message string) *Error {
	return &Error{Code: EInvalid, Message: message, Fields: map[string]string{field: message}}
}
