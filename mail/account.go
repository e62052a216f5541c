package mail

import (
	"fmt"

	"github.com/solidaire-app/solidaire/market"
)

// PasswordReset writes the mail with a password reset link, French first.
func (c Composer) PasswordReset(to, link, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	subject := "Réinitialiser votre mot de passe Solidaire"
	if lang == "en" {
		subject += " / Reset your Solidaire password"
	}
	text := fmt.Sprintf(`Bonjour,

Quelqu'un (vous, sans doute) a demandé à réinitialiser le mot de passe de votre compte Solidaire.
Choisissez-en un nouveau ici, dans l'heure qui vient :

%s

Si vous n'avez rien demandé, ignorez ce courriel : votre mot de passe ne change pas.

—
Hello,

Someone (probably you) asked to reset your Solidaire password. Choose a new one within the hour:
%s

If you did not ask, ignore this email: your password stays the same.

Solidaire
`, link, link)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}

// StaffInvitation writes the mail inviting someone to a merchant's staff.
func (c Composer) StaffInvitation(to, merchantName, inviter, link, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	merchantName, inviter = oneLine(merchantName), oneLine(inviter)
	subject := fmt.Sprintf("%s vous invite à encaisser les bons de %s", inviter, merchantName)
	if lang == "en" {
		subject = fmt.Sprintf("%s invites you to take %s's vouchers", inviter, merchantName)
	}
	text := fmt.Sprintf(`Bonjour,

%s vous invite à rejoindre l'équipe de %s sur Solidaire : vous pourrez scanner et encaisser
les bons solidaires à la caisse. Acceptez l'invitation (valable 7 jours) :

%s

—
Hello,

%s invites you to join %s's team on Solidaire, to scan and take solidarity vouchers at the till.
Accept within 7 days: %s

Solidaire
`, inviter, merchantName, link, inviter, merchantName, link)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}
