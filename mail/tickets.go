package mail

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/qrcode"
)

// ticketHTML shows an order's tickets, each with its QR code (inline parts
// named qr-N.png) and its typed code.
var ticketHTML = template.Must(template.New("tickets").Parse(`<!doctype html>
<html lang="fr"><body style="font-family:system-ui,sans-serif;color:#1c1917;max-width:560px;margin:auto">
<h1 style="font-size:22px">{{.Title}}</h1>
<p>{{.Intro}}</p>
{{range .Tickets}}<div style="border:1px solid #d6d3d1;border-radius:12px;padding:16px;margin:16px 0">
<p style="margin:0 0 8px"><strong>{{.Label}}</strong> — {{.Price}}</p>
{{if .Seat}}<img src="cid:{{.QR}}" width="{{$.QRSize}}" height="{{$.QRSize}}" alt="Code QR du billet {{.Code}}">{{end}}
<p style="font-family:monospace;font-size:18px;letter-spacing:1px">{{.Code}}</p>
<p><a href="{{.Link}}">{{$.LinkText}}</a></p>
</div>{{end}}
<p style="color:#57534e">{{.Outro}}</p>
</body></html>`))

type ticketLine struct {
	Label, Price, Code, QR, Link string
	Seat                         bool
}

// TicketsIssued writes the buyer's mail with the tickets of an order: one
// QR code per seat, to show at the door, and the link to each ticket's
// page (where a holder chooses if the event is cancelled).
func (c Composer) TicketsIssued(o *market.Order, e *market.Event, tickets []*market.Ticket, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", o.BuyerEmail, true)
	if err != nil {
		return nil, err
	}
	when := e.StartsAt.In(locationOf(e.Currency)).Format("02/01/2006 15:04")
	d := struct {
		Title, Intro, Outro, LinkText string
		QRSize                        int
		Tickets                       []ticketLine
	}{
		Title:    "Vos billets : " + oneLine(e.Title),
		Intro:    fmt.Sprintf("Merci ! Voici vos billets pour %s, le %s chez %s. Présentez le code QR à l'entrée.", oneLine(e.Title), when, oneLine(e.MerchantName)),
		Outro:    "Si l'événement est annulé ou reporté, vous choisirez sur la page du billet : remboursement, crédit ou don. / If the event is cancelled or postponed, you will choose on the ticket's page: refund, credit or donation.",
		LinkText: "Voir le billet / View the ticket",
	}
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n\n", d.Title, d.Intro)
	var atts []market.Attachment
	for i, t := range tickets {
		label := "Billet solidaire (sans place)"
		if t.Kind == market.KindTicket {
			label = "Billet"
			for _, tt := range e.TicketTypes {
				if tt.ID == t.TicketTypeID {
					label = "Billet — " + oneLine(tt.Name)
				}
			}
		}
		line := ticketLine{Label: label, Price: formatMoney(t.Price, t.Currency, lang), Code: market.GroupCode(t.Code),
			QR: fmt.Sprintf("qr-%d.png", i+1), Link: c.BaseURL + "/billet/" + t.Code, Seat: t.Kind == market.KindTicket}
		d.Tickets = append(d.Tickets, line)
		fmt.Fprintf(&text, "%s — %s\nCode : %s\n%s\n\n", line.Label, line.Price, line.Code, line.Link)
		if line.Seat {
			atts = append(atts, market.Attachment{Name: line.QR, ContentType: "image/png", Inline: true, QRText: market.TicketURL(c.BaseURL, t.Code)})
			if d.QRSize == 0 {
				if d.QRSize, err = qrcode.Side(market.TicketURL(c.BaseURL, t.Code)); err != nil {
					return nil, err
				}
			}
		}
	}
	fmt.Fprintf(&text, "%s\n\nSolidaire\n", d.Outro)
	var html bytes.Buffer
	if err := ticketHTML.Execute(&html, d); err != nil {
		return nil, err
	}
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: d.Title, Text: text.String(), HTML: html.String(),
		Attachments: atts, Status: market.MailPending}, nil
}

// EventChanged writes the one mail that tells a holder that an event is
// cancelled or postponed: their tickets of it, each with its own page
// (where it can be chosen for on its own), and, with key, the holder's one
// link that chooses for all of them. It returns EInvalid for no ticket or
// an address that cannot be written to.
func (c Composer) EventChanged(tickets []*market.Ticket, e *market.Event, key, lang string) (*market.Mail, error) {
	if len(tickets) == 0 {
		return nil, market.Invalid("tickets", "missing")
	}
	addr, err := market.CheckEmail("to", tickets[0].HolderEmail, true)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(c.BaseURL, "/")
	link := base + "/billet/" + tickets[0].Code
	if key != "" {
		link += "?tous=" + key
	}
	loc := locationOf(e.Currency)
	var subject, body string
	o := e.Choices
	deadline := ""
	if o != nil && !o.Deadline.IsZero() {
		deadline = " avant le " + frenchDate(o.Deadline.In(loc))
	}
	offers := []string{}
	if o != nil {
		for _, ch := range o.Options {
			switch ch {
			case market.ChoiceRefund:
				offers = append(offers, "être remboursé·e")
			case market.ChoiceCredit:
				credit := "recevoir un crédit chez " + oneLine(e.MerchantName)
				if o.CreditBonusPercent > 0 {
					credit += fmt.Sprintf(" (avec %d %% en plus)", o.CreditBonusPercent)
				}
				offers = append(offers, credit)
			case market.ChoiceDonate:
				offers = append(offers, "en faire don à la salle et aux artistes (#billetsolidaire)")
			}
		}
	}
	yours, stay, forAll, forAllEN := "Votre billet", "Votre billet reste valable", "Choisissez en un geste", "Choose here"
	if len(tickets) > 1 {
		yours, stay = fmt.Sprintf("Vos %d billets", len(tickets)), fmt.Sprintf("Vos %d billets restent valables", len(tickets))
		forAll = fmt.Sprintf("Choisissez en un geste pour vos %d billets", len(tickets))
		forAllEN = fmt.Sprintf("Choose for your %d tickets at once here", len(tickets))
	}
	var list strings.Builder
	fmt.Fprintf(&list, "%s :\n", yours)
	for _, t := range tickets {
		label := "Billet"
		if t.TypeName != "" {
			label += " — " + oneLine(t.TypeName)
		}
		fmt.Fprintf(&list, "- %s, %s, code %s : %s/billet/%s\n", label, formatMoney(t.Price, t.Currency, "fr"), market.GroupCode(t.Code), base, t.Code)
	}
	each := ""
	if len(tickets) > 1 {
		each = "Vous pouvez aussi choisir billet par billet, sur la page de chacun.\n"
	}
	if e.Status == market.EventCancelled {
		subject = "Annulation : " + oneLine(e.Title)
		body = fmt.Sprintf("Bonjour,\n\n%s, prévu chez %s, est annulé.", oneLine(e.Title), oneLine(e.MerchantName))
		if o != nil && o.Reason != "" {
			body += "\nRaison : " + oneLine(o.Reason)
		}
		body += fmt.Sprintf("\n\nVous pouvez %s. %s%s :\n%s\n\n%s%s", strings.Join(offers, ", ou "), forAll, deadline, link, list.String(), each)
		if o != nil && o.Default != "" {
			def := "le remboursement"
			if o.Default == market.ChoiceCredit {
				def = "le crédit"
			}
			body += fmt.Sprintf("\nSans réponse de votre part, nous appliquerons %s. Le remboursement reste toujours possible sur demande.\n", def)
		}
		body += fmt.Sprintf("\n—\nThe event is cancelled. Choose a refund, a credit or a donation. %s: %s\n", forAllEN, link)
	} else {
		subject = "Report : " + oneLine(e.Title)
		body = fmt.Sprintf("Bonjour,\n\n%s, chez %s, est reporté au %s. %s pour la nouvelle date.\n\nSi la nouvelle date ne vous convient pas, vous pouvez %s. %s%s :\n%s\n\n%s%s\n—\nThe event is postponed to %s; your tickets stay valid. If the new date does not suit you, %s: %s\n",
			oneLine(e.Title), oneLine(e.MerchantName), frenchDateTime(e.StartsAt.In(loc)), stay,
			strings.Join(offers, ", ou "), forAll, deadline, link, list.String(), each, e.StartsAt.In(loc).Format("2006-01-02 15:04"), strings.ToLower(forAllEN[:1])+forAllEN[1:], link)
	}
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: body + "\nSolidaire\n", Status: market.MailPending}, nil
}

// creditData is what the credit templates show.
type creditData struct {
	Name, Event, Merchant      string
	Value, Paid                amount
	Bonus                      *amount
	BonusUntilFR, BonusUntilEN string
	Code, URL, WalletURL       string
	QRSrc                      template.URL
	QRSize                     int
	Quebec                     bool
}

// CreditIssued writes the mail of a holder's credit v for the event
// titled eventTitle, to the holder's address: its whole value, the bonus
// the venue offers and until when, that the paid value never expires, the
// code with its QR code and how to use it, in French then in English. It
// is the holder's own credit, not a gift. EInvalid for a voucher or an
// address that cannot be written to.
func (c Composer) CreditIssued(v *market.Voucher, to, holderName, eventTitle, lang string) (*market.Mail, error) {
	if v == nil || market.NormalizeCode(v.Code) != v.Code || !v.Currency.Valid() {
		return nil, market.Invalid("voucher", "not a credit voucher")
	}
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	if c.BaseURL == "" {
		return nil, fmt.Errorf("mail: the Composer has no BaseURL")
	}
	base := strings.TrimRight(c.BaseURL, "/")
	d := creditData{Name: oneLine(holderName), Event: oneLine(eventTitle), Merchant: oneLine(v.MerchantName),
		Value: formatBoth(v.Initial+v.Bonus, v.Currency), Paid: formatBoth(v.Initial, v.Currency),
		Code: market.GroupCode(v.Code), URL: base + "/v/" + v.Code, WalletURL: base + "/mes-bons",
		QRSrc: template.URL("cid:" + qrName), Quebec: v.Currency == market.CAD}
	if v.Bonus > 0 {
		b := formatBoth(v.Bonus, v.Currency)
		d.Bonus = &b
		if !v.BonusExpiresAt.IsZero() {
			at := v.BonusExpiresAt.In(locationOf(v.Currency))
			d.BonusUntilFR, d.BonusUntilEN = frenchDate(at), at.Format("January 2, 2006")
		}
	}
	qrText := market.VoucherURL(c.BaseURL, v.Code)
	if d.QRSize, err = qrcode.Side(qrText); err != nil {
		return nil, fmt.Errorf("mail: QR code of a credit: %w", err)
	}
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, "credit.txt", d); err != nil {
		return nil, fmt.Errorf("mail: credit text: %w", err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, "credit.html", d); err != nil {
		return nil, fmt.Errorf("mail: credit HTML: %w", err)
	}
	subject := "Votre crédit pour « " + d.Event + " » chez " + d.Merchant
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		subject += " / Your credit for \"" + d.Event + "\" at " + d.Merchant
	}
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text.String(), HTML: html.String(),
		Attachments: []market.Attachment{{Name: qrName, ContentType: "image/png", QRText: qrText, Inline: true}},
		Status:      market.MailPending}, nil
}

// frenchDate writes a day as French reads it: "2 janvier 2027".
func frenchDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), frenchMonths[t.Month()-1], t.Year())
}

// locationOf is the zone event times are shown in: Paris for euro venues,
// Québec's otherwise.
func locationOf(c market.Currency) *time.Location {
	m := market.Merchant{Currency: c}
	return m.Location()
}
