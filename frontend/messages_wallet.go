package frontend

// walletMessages are the strings of "Mes bons" (a citizen's vouchers,
// cards and tickets, opened by a mailed link), of a gift sent on a day
// chosen in the purchase form, and of the voucher page's giver and phone
// wallets, French first.
var walletMessages = map[string][2]string{
	"nav.wallet": {"Mes bons", "My vouchers"},

	// The address form, and what answers it.
	"wallet.title":       {"Mes bons — Solidaire", "My vouchers — Solidaire"},
	"wallet.description": {"Retrouvez vos bons d'achat, cartes et billets Solidaire avec votre adresse courriel, sans mot de passe.", "Find your Solidaire gift certificates, cards and tickets with your email address, without a password."},
	"wallet.heading":     {"Mes bons", "My vouchers"},
	"wallet.ask.lead": {
		"Vos bons d'achat, cartes et billets, achetés avec votre adresse courriel ou reçus en cadeau, réunis en un seul endroit.",
		"Your gift certificates, cards and tickets, bought with your email address or received as gifts, all in one place.",
	},
	"wallet.ask.heading": {"Retrouver mes bons", "Find my vouchers"},
	"wallet.ask.email":   {"Votre adresse courriel", "Your email address"},
	"wallet.ask.hint":    {"Nous vous envoyons un lien par courriel, valable 30 minutes. Aucun mot de passe.", "We email you a link, valid for 30 minutes. No password."},
	"wallet.ask.submit":  {"M'envoyer le lien", "Email me the link"},
	"wallet.ask.error":   {"Saisissez votre adresse courriel, par exemple nom@exemple.ca.", "Enter your email address, for example name@example.com."},
	"wallet.ask.busy": {
		"Trop de liens demandés pour cette adresse en peu de temps : réessayez dans une heure. Les liens déjà envoyés restent valables 30 minutes.",
		"Too many links asked for this address in a short time: please try again in an hour. The links already sent stay valid for 30 minutes.",
	},
	"wallet.sent.title":   {"Vérifiez vos courriels — Solidaire", "Check your email — Solidaire"},
	"wallet.sent.heading": {"Vérifiez vos courriels", "Check your email"},
	"wallet.sent.text": {
		"Si des bons ont été achetés ou offerts à cette adresse (%s), un lien vient d'y être envoyé. Il ouvre vos bons une seule fois, dans les 30 minutes.",
		"If vouchers were bought with or given to this address (%s), a link was just sent to it. It opens your vouchers once, within 30 minutes.",
	},
	"wallet.sent.none": {
		"Rien reçu d'ici quelques minutes ? Regardez dans les courriels indésirables, vérifiez l'adresse, puis demandez un autre lien.",
		"Nothing within a few minutes? Look in your spam folder, check the address, then ask for another link.",
	},
	"wallet.sent.again": {"Demander un autre lien", "Ask for another link"},

	// The mailed link: one button, then the wallet.
	"wallet.open.title":   {"Ouvrir mes bons — Solidaire", "Open my vouchers — Solidaire"},
	"wallet.open.heading": {"Ouvrir mes bons", "Open my vouchers"},
	"wallet.open.lead": {
		"Ce bouton ouvre vos bons sur cet appareil, pour 30 jours. Le lien reçu ne sert qu'une fois.",
		"This button opens your vouchers on this device, for 30 days. The link you received works once.",
	},
	"wallet.open.submit":     {"Ouvrir mes bons", "Open my vouchers"},
	"wallet.invalid.title":   {"Lien expiré — Solidaire", "Link expired — Solidaire"},
	"wallet.invalid.heading": {"Ce lien n'ouvre plus vos bons", "This link no longer opens your vouchers"},
	"wallet.invalid.text": {
		"Un lien vers vos bons sert une seule fois, dans les 30 minutes. Demandez-en un nouveau : il arrive en quelques instants.",
		"A link to your vouchers works once, within 30 minutes. Ask for a new one: it arrives in a moment.",
	},

	// The wallet.
	"wallet.for":                {"Les bons de %s, sur cet appareil.", "The vouchers of %s, on this device."},
	"wallet.vouchers":           {"Bons et cartes", "Vouchers and cards"},
	"wallet.vouchers.none":      {"Aucun bon ni carte pour cette adresse pour l'instant. Ceux achetés plus tard avec elle, ou qu'on vous offrira, apparaîtront ici d'eux-mêmes.", "No voucher or card for this address yet. Those bought with it later, or given to you, will show here by themselves."},
	"wallet.tickets":            {"Billets", "Tickets"},
	"wallet.tickets.none":       {"Aucun billet pour cette adresse.", "No ticket for this address."},
	"wallet.state.active":       {"Actif", "Active"},
	"wallet.state.spent":        {"Épuisé", "Spent"},
	"wallet.state.disputed":     {"Bloqué : paiement contesté", "Blocked: payment disputed"},
	"wallet.state.void":         {"Annulé", "Cancelled"},
	"wallet.bonus":              {"Dont %s de bonus, valable jusqu'au %s. La valeur payée, elle, n'expire jamais.", "Including %s of bonus, valid until %s. The paid value itself never expires."},
	"wallet.code":               {"Code se terminant par %s", "Code ending in %s"},
	"wallet.received":           {"Reçu de %s", "Received from %s"},
	"wallet.received.anonymous": {"Reçu en cadeau", "Received as a gift"},
	"wallet.given":              {"Offert à %s", "Given to %s"},
	"wallet.gift.pending":       {"Sera envoyé à %s le %s.", "Will be sent to %s on %s."},
	"wallet.gift.change":        {"Changer la date ou l'adresse", "Change the date or the address"},
	"wallet.gift.date":          {"Date et heure d'envoi", "Date and time to send it"},
	"wallet.gift.email":         {"Courriel du destinataire", "Recipient's email"},
	"wallet.gift.save":          {"Enregistrer", "Save"},
	"wallet.gift.error.date":    {"La date d'envoi doit être dans le futur, et au plus dans un an.", "The sending date must be in the future, and at most a year ahead."},
	"wallet.gift.error.email":   {"Saisissez une adresse courriel valide pour cette personne.", "Enter a valid email address for them."},
	"wallet.gift.error.sent":    {"Ce cadeau est déjà parti : sa date et son adresse ne changent plus.", "This gift has already been sent: its date and address can no longer change."},
	"wallet.gift.error.failed":  {"Le changement n'a pas pu être enregistré. Réessayez dans un instant.", "The change could not be saved. Please try again in a moment."},
	"wallet.gift.done":          {"C'est noté : le cadeau sera envoyé à %s le %s.", "Done: the gift will be sent to %s on %s."},

	"wallet.history":                  {"Historique", "History"},
	"wallet.history.none":             {"Rien encore.", "Nothing yet."},
	"wallet.history.issue":            {"Bon émis", "Issued"},
	"wallet.history.redeem":           {"Dépensé chez %s", "Spent at %s"},
	"wallet.history.redeem.anywhere":  {"Dépensé", "Spent"},
	"wallet.history.reverse":          {"Encaissement annulé chez %s", "Payment undone at %s"},
	"wallet.history.reverse.anywhere": {"Encaissement annulé", "Payment undone"},
	"wallet.history.void":             {"Annulé (remboursement ou paiement repris par la banque)", "Cancelled (refund, or payment taken back by the bank)"},
	"wallet.history.bonus":            {"Bonus ajouté", "Bonus added"},
	"wallet.history.expire":           {"Fin du bonus", "Bonus expired"},
	"wallet.history.freeze":           {"Bloqué : paiement contesté", "Blocked: payment disputed"},
	"wallet.history.unfreeze":         {"Débloqué", "Unblocked"},
	"wallet.history.other":            {"Mouvement", "Change"},

	"wallet.resend":        {"M'envoyer ce bon à nouveau", "Send me this voucher again"},
	"wallet.resend.done":   {"Envoyé à %s : le bon (%s) arrive dans quelques minutes.", "Sent to %s: the voucher (%s) arrives in a few minutes."},
	"wallet.resend.busy":   {"Trop d'envois en peu de temps : réessayez dans une heure.", "Too many sends in a short time: please try again in an hour."},
	"wallet.ticket.choice": {"Choix à faire : remboursement, crédit ou don", "A choice to make: refund, credit or donation"},
	"wallet.signout":       {"Me déconnecter de cet appareil", "Sign out on this device"},
	"wallet.signout.hint":  {"Vos bons restent valables ; pour les revoir ici, il faudra un nouveau lien.", "Your vouchers stay valid; to see them here again, you will need a new link."},
	"wallet.signedout":     {"Vous êtes déconnecté de vos bons sur cet appareil.", "You are signed out of your vouchers on this device."},
	"wallet.find":          {"Retrouvez tous vos bons dans", "Find all your vouchers in"},

	// A gift sent on a day, in the purchase forms and on the confirmation.
	"order.mail.later": {"Le bon sera envoyé par courriel à %s le %s.", "The certificate will be emailed to %s on %s."},
	"buy.deliver":      {"Envoyer le courriel au destinataire le… (facultatif)", "Email it to the recipient on… (optional)"},
	"buy.deliver.hint": {
		"Sans date, il part dès le paiement. Avec une date, indiquez son courriel : vous recevez votre confirmation tout de suite, et pouvez changer la date dans Mes bons.",
		"Without a date, it leaves as soon as you pay. With a date, enter their email: you get your confirmation at once, and can change the date in My vouchers.",
	},
	"buy.error.deliver":       {"La date d'envoi doit être dans le futur, et au plus dans un an.", "The sending date must be in the future, and at most a year ahead."},
	"buy.error.deliver.email": {"Pour l'envoyer à une date, indiquez le courriel de cette personne.", "To send it on a date, enter their email address."},

	// The voucher's page.
	"voucher.giver":  {"De la part de", "From"},
	"voucher.apple":  {"Ajouter à Apple Wallet", "Add to Apple Wallet"},
	"voucher.google": {"Ajouter à Google Wallet", "Add to Google Wallet"},
}

func init() {
	for key, m := range walletMessages {
		messages[key] = m
	}
}
