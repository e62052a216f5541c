package mail

import (
	"fmt"

	"github.com/solidaire-app/solidaire/market"
)

// WalletLink writes the mail that opens a person's wallet ("Mes bons"):
// a link that works once, for 30 minutes, French first.
func (c Composer) WalletLink(to, link, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	subject := "Vos bons Solidaire"
	if lang == "en" {
		subject += " / Your Solidaire vouchers"
	}
	text := fmt.Sprintf(`Bonjour,

Voici le lien qui ouvre vos bons, cartes et billets Solidaire (ceux achetés avec cette adresse
et ceux qu'on vous a offerts). Il sert une seule fois, dans les 30 minutes :

%s

Cet appareil restera connecté à vos bons 30 jours, sauf si vous vous déconnectez.
Si vous n'avez rien demandé, ignorez ce courriel : personne n'ouvre vos bons sans ce lien.

—
Hello,

Here is the link to your Solidaire vouchers, cards and tickets (bought with this address or given
to you). It works once, within 30 minutes:
%s

This device stays signed in to your vouchers for 30 days unless you sign out.
If you did not ask, ignore this email: nobody opens your vouchers without this link.

Solidaire
`, link, link)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}
