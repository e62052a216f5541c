package frontend

// landingMessages are the strings that lead each person to where their
// role works: the header's spaces and its phone menu, the chooser after
// sign-in for someone with several spaces, and a new merchant's first
// steps on its dashboard, French first.
var landingMessages = map[string][2]string{
	"nav.menu":               {"Menu", "Menu"},
	"nav.events":             {"Événements", "Events"},
	"nav.space.commerce":     {"Mon commerce", "My business"},
	"nav.space.organisation": {"Organisation", "Organising"},
	"nav.space.admin":        {"Administration", "Admin"},

	"spaces.heading":      {"Où voulez-vous aller ?", "Where would you like to go?"},
	"spaces.commerce":     {"Mon commerce : tableau de bord et caisse", "My business: dashboard and till"},
	"spaces.organisation": {"Organisation : événements, campagnes et programmes", "Organising: events, campaigns and programmes"},
	"spaces.admin":        {"Administration de Solidaire", "Solidaire admin"},
}

// landingMerchantMessages are the dashboard's first steps; under dash.,
// they also reach the merchant island.
var landingMerchantMessages = map[string][2]string{
	"dash.steps.heading": {"Vos premières étapes", "Your first steps"},
	"dash.steps.lead": {
		"Trois étapes avant de vendre vos bons d'achat et de les encaisser. Chacune se coche dès qu'elle est faite.",
		"Three steps before you sell your gift certificates and take them at the till. Each is ticked as soon as it is done.",
	},
	"dash.steps.pending": {
		"En attente d'approbation : l'équipe Solidaire vérifie votre commerce. D'ici là, vous pouvez préparer votre page ; la vente et les paiements ouvrent une fois le commerce approuvé.",
		"Awaiting approval: the Solidaire team is checking your business. Meanwhile you can prepare your page; selling and payments open once the business is approved.",
	},
	"dash.steps.refused": {
		"Votre demande n'a pas été acceptée ; le courriel de l'équipe Solidaire en donne la raison. Écrivez-lui pour en parler.",
		"Your application was not accepted; the Solidaire team's email gives the reason. Write to them to talk it over.",
	},
	"dash.steps.closed": {
		"Ce commerce est fermé sur Solidaire : il ne vend plus. Les bons déjà vendus restent valables.",
		"This business is closed on Solidaire: it no longer sells. The certificates already sold stay valid.",
	},
	"dash.steps.payments":      {"Connecter les paiements (Stripe)", "Connect payments (Stripe)"},
	"dash.steps.payments.hint": {"Le prix des bons est versé directement sur votre compte.", "The price of certificates is paid straight into your account."},
	"dash.steps.page":          {"Compléter votre page", "Complete your page"},
	"dash.steps.page.hint":     {"Une phrase de présentation et une description, que les acheteurs lisent avant d'offrir un bon.", "A one-line summary and a description, which buyers read before giving a certificate."},
	"dash.steps.page.see":      {"Voir votre page", "See your page"},
	"dash.steps.till":          {"Préparer la caisse", "Get the till ready"},
	"dash.steps.till.hint":     {"Jumelez une tablette, ou ouvrez la caisse une fois sur votre téléphone.", "Pair a tablet, or open the till once on your phone."},
	"dash.steps.done":          {"Fait", "Done"},
	"dash.steps.todo":          {"À faire", "To do"},
	"dash.steps.all":           {"Tout est prêt : vos bons sont en vente.", "All set: your certificates are on sale."},
}

func init() {
	for key, m := range landingMessages {
		messages[key] = m
	}
	for key, m := range landingMerchantMessages {
		merchantMessages[key] = m
		messages[key] = m
	}
}
