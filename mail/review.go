package mail

import (
	"fmt"

	"github.com/solidaire-app/solidaire/market"
)

// ApplicationRefused writes the mail telling an applicant that Solidaire's
// team refused its business's application, with the team's reason, French
// first then English.
func (c Composer) ApplicationRefused(to, business, reason, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	business = oneLine(business)
	subject := fmt.Sprintf("Votre demande d'inscription de « %s » n'est pas acceptée", business)
	if lang == "en" {
		subject += fmt.Sprintf(" / Your application for \"%s\" was not accepted", business)
	}
	text := fmt.Sprintf(`Bonjour,

L'équipe Solidaire a étudié la demande d'inscription du commerce « %s » et ne l'a pas acceptée.
Motif :

%s

Votre commerce ne peut donc ni vendre ni publier sur Solidaire. Si la situation change, ou si vous
pensez à une erreur, répondez à ce courriel.

—
Hello,

Solidaire's team reviewed the application of the business "%s" and did not accept it.
Reason (as written by the team):

%s

Your business therefore cannot sell or publish on Solidaire. If things change, or if you think this
is a mistake, reply to this email.

Solidaire
`, business, reason, business, reason)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}
