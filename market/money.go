package market

import (
	"fmt"
	"strings"
)

// Currency is a lower-case ISO 4217 code. Solidaire sells in the currencies
// listed in Currencies only.
type Currency string

// The currencies Solidaire sells in.
const (
	CAD Currency = "cad"
	EUR Currency = "eur"
)

// Currencies lists the accepted currencies.
var Currencies = []Currency{CAD, EUR}

// Valid reports whether c is one of the accepted currencies.
func (c Currency) Valid() bool {
	for _, k := range Currencies {
		if c == k {
			return true
		}
	}
	return false
}

// MaxAmount is the largest single amount accepted anywhere, in minor units
// (10 000.00). Larger amounts are refused at the edge.
const MaxAmount int64 = 1_000_000

// Money is an integer count of minor units (cents) in a currency; never a
// float.
type Money struct {
	Amount   int64    `json:"amount"`
	Currency Currency `json:"currency"`
}

// String formats m for logs, e.g. "25.00 cad".
func (m Money) String() string {
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, a/100, a%100, m.Currency)
}

// Format writes m as people read it in lang: in French "1 250,00 $" and
// "25,00 €" (with no-break spaces, so that the amount and its symbol never
// part at a line end), in English "$1,250.00" and "€25.00". An unknown
// currency is written with its code.
func (m Money) Format(lang string) string {
	sign, minor := "", m.Amount
	if minor < 0 {
		sign, minor = "-", -minor
	}
	symbol := map[Currency]string{CAD: "$", EUR: "€"}[m.Currency]
	units, cents := minor/100, minor%100
	if strings.HasPrefix(lang, "en") {
		n := fmt.Sprintf("%s.%02d", GroupDigits(units, ","), cents)
		if symbol == "" {
			return sign + n + " " + strings.ToUpper(string(m.Currency))
		}
		return sign + symbol + n
	}
	if symbol == "" {
		symbol = strings.ToUpper(string(m.Currency))
	}
	return fmt.Sprintf("%s%s,%02d\u00a0%s", sign, GroupDigits(units, "\u00a0"), cents, symbol)
}

// GroupDigits writes n with sep between groups of three digits (a
// no-break or narrow no-break space in French, a comma in English).
func GroupDigits(n int64, sep string) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckAmount validates an amount given by a client: positive and at most
// max (MaxAmount when max is 0). It returns EInvalid naming field.
func CheckAmount(field string, amount, max int64) error {
	if max <= 0 {
		max = MaxAmount
	}
	switch {
	case amount <= 0:
		return Invalid(field, "must be positive")
	case amount > max:
		return Invalid(field, fmt.Sprintf("must be at most %d", max))
	}
	return nil
}
