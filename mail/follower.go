package mail

import (
	"fmt"

	"github.com/solidaire-app/solidaire/market"
)

// FollowConfirmation writes the double opt-in mail of someone who asked
// to follow m: the link confirms, and the consent they gave is repeated.
func (c Composer) FollowConfirmation(f *market.Follower, m *market.Merchant, link string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", f.Email, true)
	if err != nil {
		return nil, err
	}
	subject := "Confirmez : suivre " + m.Name + " sur Solidaire"
	if f.Lang == "en" {
		subject += " / Confirm: follow " + m.Name
	}
	text := fmt.Sprintf(`Bonjour,

Vous avez demandé à recevoir les nouvelles de %s par courriel. Confirmez en ouvrant ce lien
(valable 7 jours) :

%s

Ce que vous avez accepté : « %s »
Si vous n'avez rien demandé, ignorez ce courriel : vous ne recevrez rien.

—
Hello,

You asked to receive %s's news by email. Confirm by opening this link (valid for 7 days):
%s

What you agreed to: "%s"
If you did not ask, ignore this email: you will receive nothing.

Solidaire
`, m.Name, link, market.FollowConsentFR, m.Name, link, market.FollowConsentEN)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}

// FollowerNews writes a merchant's news post to one follower, with the
// one-click unsubscribe.
func (c Composer) FollowerNews(f *market.Follower, m *market.Merchant, p *market.NewsPost, links market.FollowerLinks) (*market.Mail, error) {
	subject := "Des nouvelles de " + m.Name
	if f.Lang == "en" {
		subject += " / News from " + m.Name
	}
	text := fmt.Sprintf(`%s

%s

Sur la page / On the page : %s
`, m.Name, p.Body, links.Page)
	return followerMail(f, subject, text, links)
}

// FollowerEvent announces a merchant's new event to one follower, with
// the one-click unsubscribe.
func (c Composer) FollowerEvent(f *market.Follower, m *market.Merchant, e *market.Event, links market.FollowerLinks) (*market.Mail, error) {
	subject := m.Name + " : " + e.Title
	text := fmt.Sprintf(`%s annonce un événement / announces an event :

%s — %s
%s

Billets / Tickets : %s
`, m.Name, e.Title, frenchDateTime(e.StartsAt.In(locationOf(e.Currency))), e.Summary, links.Page)
	return followerMail(f, subject, text, links)
}

// FollowerProgramme tells a follower that the merchant now takes a town's
// card.
func (c Composer) FollowerProgramme(f *market.Follower, m *market.Merchant, p *market.Programme, links market.FollowerLinks) (*market.Mail, error) {
	subject := m.Name + " : " + p.Name
	text := fmt.Sprintf(`%s accepte maintenant la carte « %s » (%s).
%s now takes the "%s" card (%s).

%s
`, m.Name, p.Name, p.City, m.Name, p.Name, p.City, links.Page)
	return followerMail(f, subject, text, links)
}

// followerMail adds the unsubscribe footer and headers every follower
// mail carries (RFC 2369, RFC 8058 one-click).
func followerMail(f *market.Follower, subject, text string, links market.FollowerLinks) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", f.Email, true)
	if err != nil {
		return nil, err
	}
	text += fmt.Sprintf(`
—
Vous suivez ce commerce sur Solidaire. Vous désabonner en un clic : %s
You follow this business on Solidaire. Unsubscribe in one click: %s
`, links.Unsubscribe, links.Unsubscribe)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending,
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + links.Unsubscribe + ">, <" + links.OneClick + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}}, nil
}
