package passes

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // bonus expiry dates are written in the seller's zone even where the host has no tz database
	"unicode/utf16"

	"github.com/solidaire-app/solidaire/market"
)

// The two languages of every pass: French first, English second.
const (
	langFR = "fr"
	langEN = "en"
)

// bilingual is one text in both languages.
type bilingual struct{ fr, en string }

// Labels and fixed texts shown on both wallets.
var (
	textBalance      = bilingual{"Solde", "Balance"}
	textBonus        = bilingual{"Bonus", "Bonus"}
	textBonusExpires = bilingual{"Bonus valable jusqu’au", "Bonus valid until"}
	textMerchant     = bilingual{"Commerce", "Shop"}
	textProgramme    = bilingual{"Programme", "Programme"}
	textRecipient    = bilingual{"Pour", "For"}
	textGiver        = bilingual{"De la part de", "From"}
	textCode         = bilingual{"Code", "Code"}
	textTerms        = bilingual{"Conditions", "Terms"}
	textStatus       = bilingual{"État", "Status"}
	textPage         = bilingual{"Solde et historique", "Balance and history"}
	textDisputed     = bilingual{"Suspendue : paiement contesté", "On hold: payment disputed"}
	textVoid         = bilingual{"Annulée", "Cancelled"}
	textNewBalance   = bilingual{"Nouveau solde : %@", "New balance: %@"}
	textNewBonus     = bilingual{"Bonus : %@", "Bonus: %@"}
)

// description is the pass's one-line summary (VoiceOver, lock screen).
func description(card market.PassCard) bilingual {
	return bilingual{
		"Carte-cadeau solidaire : " + card.MerchantName,
		"Solidarity gift card: " + card.MerchantName,
	}
}

// terms are what the law asks the voucher to carry: the paid value never
// expires and carries no fees (Québec Consumer Protection Act s. 187.1),
// the bonus may, and where to check the balance.
func terms(card market.PassCard) bilingual {
	fr := []string{"La valeur payée n’expire jamais et ne donne lieu à aucuns frais (Loi sur la protection du consommateur du Québec, art. 187.1)."}
	en := []string{"The paid value never expires and carries no fees (Québec Consumer Protection Act, s. 187.1)."}
	if card.Bonus > 0 {
		fr = append(fr, "Le bonus promotionnel s’ajoute à la valeur payée ; il peut expirer à la date indiquée.")
		en = append(en, "The promotional bonus comes on top of the paid value; it may expire on the date shown.")
	}
	if card.Programme {
		fr = append(fr, "Valable dans les commerces participants du programme "+card.MerchantName+".")
		en = append(en, "Valid at the shops taking part in the "+card.MerchantName+" programme.")
	}
	fr = append(fr, "Pour payer, présentez le code QR ou dictez le code.")
	en = append(en, "To pay, show the QR code or read out the code.")
	if card.PageURL != "" {
		fr = append(fr, "Solde et historique : "+card.PageURL)
		en = append(en, "Balance and history: "+card.PageURL)
	}
	return bilingual{strings.Join(fr, " "), strings.Join(en, " ")}
}

// money writes minor units as people read them: "1 250,00 $" and
// "25,00 €" in French (narrow no-break space between thousands, no-break
// space before the symbol, so the amount never parts from it), "$1,250.00"
// and "€25.00" in English. Both currencies have two decimals.
func money(minor int64, c market.Currency, lang string) string {
	sym := map[market.Currency]string{market.CAD: "$", market.EUR: "€"}[c]
	if sym == "" {
		sym = strings.ToUpper(string(c))
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	units, cents := minor/100, minor%100
	if lang == langEN {
		return fmt.Sprintf("%s%s%s.%02d", sign, sym, market.GroupDigits(units, ","), cents)
	}
	return fmt.Sprintf("%s%s,%02d\u00a0%s", sign, market.GroupDigits(units, "\u202f"), cents, sym)
}

// moneyText is an amount in both languages.
func moneyText(minor int64, c market.Currency) bilingual {
	return bilingual{money(minor, c, langFR), money(minor, c, langEN)}
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// date writes a day in the seller's zone: "31 décembre 2026",
// "December 31, 2026".
func date(t time.Time, c market.Currency) bilingual {
	t = t.In(zoneOf(c))
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return bilingual{
		fmt.Sprintf("%s %s %d", day, monthsFR[t.Month()-1], t.Year()),
		t.Format("January 2, 2006"),
	}
}

// zoneOf is where a seller selling in c is: Québec for cad, France for
// eur, the only places Solidaire sells.
func zoneOf(c market.Currency) *time.Location {
	name := "America/Toronto"
	if c == market.EUR {
		name = "Europe/Paris"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC // cannot happen: time/tzdata is embedded
	}
	return loc
}

// stringsFile writes an Apple .strings file ("key" = "value";) in UTF-16
// little-endian with a byte-order mark. Apple's PassKit documentation asks
// for UTF-16 pass.strings; current iOS also reads UTF-8, but UTF-16 with a
// BOM is what every Wallet version, back to Passbook, reads the same way.
func stringsFile(entries [][2]string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "\"%s\" = \"%s\";\n", esc.Replace(e[0]), esc.Replace(e[1]))
	}
	units := utf16.Encode([]rune(b.String()))
	out := make([]byte, 0, 2+2*len(units))
	out = append(out, 0xff, 0xfe)
	for _, u := range units {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}
