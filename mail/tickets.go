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

// EventChanged writes the mail telling a holder that an event is cancelled
// or postponed, with the one-tap choice page.
func (c Composer) EventChanged(t *market.Ticket, e *market.Event, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", t.HolderEmail, true)
	if err != nil {
		return nil, err
	}
	link := c.BaseURL + "/billet/" + t.Code
	loc := locationOf(e.Currency)
	var subject, body string
	o := e.Choices
	deadline := ""
	if o != nil && !o.Deadline.IsZero() {
		deadline = " avant le " + o.Deadline.In(loc).Format("02/01/2006")
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
	if e.Status == market.EventCancelled {
		subject = "Annulation : " + oneLine(e.Title)
		body = fmt.Sprintf("Bonjour,\n\n%s, prévu chez %s, est annulé.", oneLine(e.Title), oneLine(e.MerchantName))
		if o != nil && o.Reason != "" {
			body += "\nRaison : " + oneLine(o.Reason)
		}
		body += fmt.Sprintf("\n\nVous pouvez %s. Choisissez en un geste%s :\n%s\n", strings.Join(offers, ", ou "), deadline, link)
		if o != nil && o.Default != "" {
			def := "le remboursement"
			if o.Default == market.ChoiceCredit {
				def = "le crédit"
			}
			body += fmt.Sprintf("\nSans réponse de votre part, nous appliquerons %s. Le remboursement reste toujours possible sur demande.\n", def)
		}
		body += "\n—\nThe event is cancelled. Choose a refund, a credit or a donation here: " + link + "\n"
	} else {
		subject = "Report : " + oneLine(e.Title)
		body = fmt.Sprintf("Bonjour,\n\n%s, chez %s, est reporté au %s. Votre billet reste valable pour la nouvelle date.\n\nSi la nouvelle date ne vous convient pas, vous pouvez %s%s :\n%s\n\n—\nThe event is postponed to %s; your ticket stays valid. If the new date does not suit you, choose here: %s\n",
			oneLine(e.Title), oneLine(e.MerchantName), e.StartsAt.In(loc).Format("02/01/2006 à 15h04"), strings.Join(offers, ", ou "),
			deadline, link, e.StartsAt.In(loc).Format("2006-01-02 15:04"), link)
	}
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: body + "\nSolidaire\n", Status: market.MailPending}, nil
}

// locationOf is the zone event times are shown in: Paris for euro venues,
// Québec's otherwise.
func locationOf(c market.Currency) *time.Location {
	m := market.Merchant{Currency: c}
	return m.Location()
}
