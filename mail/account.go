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

// SignInCode writes the mail with a one-time sign-in code, French first:
// the account had too many failed sign-ins, so signing in takes the code
// too.
func (c Composer) SignInCode(to, code, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	subject := "Votre code de connexion Solidaire : " + code
	if lang == "en" {
		subject += " / Your Solidaire sign-in code"
	}
	text := fmt.Sprintf(`Bonjour,

Il y a eu trop d'essais de connexion à votre compte Solidaire : pour vous connecter, saisissez ce code
avec votre mot de passe, dans les 15 minutes (il ne sert qu'une fois) :

    %s

Si ce n'était pas vous, quelqu'un essaie de deviner votre mot de passe : il lui faudrait aussi ce code,
qui n'arrive qu'ici. Ne le donnez à personne ; choisissez un nouveau mot de passe s'il est simple.

—
Hello,

There were too many attempts to sign in to your Solidaire account: to sign in, enter this code with
your password within 15 minutes (it works once):

    %s

If it was not you, someone is trying to guess your password: they would also need this code, which
only comes here. Give it to nobody; choose a new password if yours is simple.

Solidaire
`, code, code)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}

// ApplicationWithYourAddress writes the mail to the owner of an account
// whose address a business applied with, French first: nothing was
// created; if it was them, they sign in (or choose a new password).
func (c Composer) ApplicationWithYourAddress(to, business, signIn, reset, lang string) (*market.Mail, error) {
	addr, err := market.CheckEmail("to", to, true)
	if err != nil {
		return nil, err
	}
	business = oneLine(business)
	subject := "Une demande d'inscription avec votre adresse"
	if lang == "en" {
		subject += " / An application with your address"
	}
	text := fmt.Sprintf(`Bonjour,

Quelqu'un a demandé à inscrire le commerce « %s » sur Solidaire avec votre adresse, qui a déjà un compte.
Nous n'avons rien créé.

Si c'était vous, connectez-vous avec votre mot de passe habituel :
%s
Mot de passe oublié ? Choisissez-en un nouveau ici : %s
Pour ajouter ce commerce à votre compte, connectez-vous puis écrivez à l'équipe Solidaire.

Si ce n'était pas vous, ignorez ce courriel : votre compte ne change pas.

—
Hello,

Someone applied to sign the business "%s" up on Solidaire with your address, which already has an
account. Nothing was created.

If it was you, sign in with your usual password: %s
Forgot it? Choose a new one here: %s
To add this business to your account, sign in, then write to the Solidaire team.

If it was not you, ignore this email: your account stays as it is.

Solidaire
`, business, signIn, reset, business, signIn, reset)
	return &market.Mail{ID: market.NewID("mail"), To: addr, Subject: subject, Text: text, Status: market.MailPending}, nil
}
