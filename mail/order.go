package mail

import (
	"fmt"

	"github.com/solidaire-app/solidaire/market"
)

// OrderRefunded writes the mail that tells a buyer their payment is given
// back instead of fulfilled (an admin refunded an order held for review),
// French first. EInvalid for an order without a valid buyer address.
func (c Composer) OrderRefunded(o *market.Order, lang string) (*market.Mail, error) {
	if o == nil {
		return nil, market.Invalid("order", "missing")
	}
	addr, err := market.CheckEmail("to", o.BuyerEmail, true)
	if err != nil {
		return nil, err
	}
	paid := o.AmountPaid
	if paid <= 0 {
		paid = o.Total
	}
	merchant := oneLine(o.MerchantName)
	subject := "Votre commande chez " + merchant + " est remboursée"
	if lang == "en" {
		subject += " / Your order from " + merchant + " is refunded"
	}
	text := fmt.Sprintf(`Bonjour,

Votre paiement de %s pour votre commande chez %s (référence %s) n'a pas pu être
traité normalement : l'équipe Solidaire l'a vérifié et vous le rembourse en entier.
Le remboursement apparaît sur votre relevé sous 5 à 10 jours ouvrables, sur la carte utilisée.

Vous pouvez refaire votre achat quand vous le souhaitez. Merci de votre soutien !

—
Hello,

Your payment of %s for your order from %s (reference %s) could not be processed
as usual: the Solidaire team checked it and is refunding it in full. The refund shows on
the card you used within 5 to 10 business days.

You are welcome to buy again whenever you like. Thank you for your support!

Solidaire
`, formatMoney(paid, o.Currency, "fr"), merchant, o.ID, formatMoney(paid, o.Currency, "en"), merchant, o.ID)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}
