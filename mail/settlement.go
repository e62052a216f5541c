package mail

import (
	"fmt"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// SettlementStatement writes a merchant's statement for one settlement run
// of a programme: what its till took of the programme's cards, the paid
// part, the bonus part paid from the sponsor's fund, the fee, and what is
// transferred, French first. EInvalid for a merchant without a contact
// address.
func (c Composer) SettlementStatement(p *market.Programme, m *market.Merchant, l *market.SettlementLine) (*market.Mail, error) {
	to := m.ContactEmail
	if to == "" {
		return nil, nil // nobody to write to: the statement is on the merchant's page
	}
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	name, programme := oneLine(m.Name), oneLine(p.Name)
	fr := func(v int64) string { return formatMoney(v, l.Currency, "fr") }
	en := func(v int64) string { return formatMoney(v, l.Currency, "en") }
	link := strings.TrimRight(c.BaseURL, "/") + "/commerce/programmes/" + p.Slug
	text := fmt.Sprintf(`Bonjour,

Voici le relevé de %s pour le programme %s (règlement %s) :

  Encaissements de cartes : %d
  Part payée par les clients : %s
  Part bonus (fonds du programme) : %s
  Frais de la plateforme : %s
  Virement à votre compte : %s

Le virement part vers votre compte Stripe ; le détail des encaissements est ici :
%s

—
Hello,

Here is %s's statement for the programme %s (settlement %s): %d card redemptions, %s paid by
customers, %s of bonus from the programme's fund, %s platform fee: %s transferred to your account.
Details: %s

L'équipe Solidaire
`, name, programme, l.RunID, l.Redemptions, fr(l.Paid), fr(l.Bonus), fr(l.Fee), fr(l.Amount), link,
		name, programme, l.RunID, l.Redemptions, en(l.Paid), en(l.Bonus), en(l.Fee), en(l.Amount), link)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: "Relevé " + programme + " : " + fr(l.Amount) + " pour " + name,
		Text: text, Status: market.MailPending}, nil
}
