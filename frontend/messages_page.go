package frontend

import "strings"

// pagePublicMessages are the strings of what merchants run on their public
// pages (#13): today's status, opening hours, photos, news, the feeds and
// following a merchant, French first.
var pagePublicMessages = map[string][2]string{
	// Today's status, as badges and the merchant's buttons say it.
	"status.open.open":     {"Ouvert", "Open"},
	"status.open.takeout":  {"Pour emporter", "Takeout"},
	"status.open.delivery": {"Livraison", "Delivery"},
	"status.open.online":   {"En ligne seulement", "Online only"},
	"status.open.closed":   {"Fermé temporairement", "Temporarily closed"},
	"status.until":         {"jusqu'au %s", "until %s"},

	// Opening hours, Monday first.
	"weekday.1":             {"Lundi", "Monday"},
	"weekday.2":             {"Mardi", "Tuesday"},
	"weekday.3":             {"Mercredi", "Wednesday"},
	"weekday.4":             {"Jeudi", "Thursday"},
	"weekday.5":             {"Vendredi", "Friday"},
	"weekday.6":             {"Samedi", "Saturday"},
	"weekday.7":             {"Dimanche", "Sunday"},
	"hours.span":            {"%s à %s", "%s to %s"},
	"merchant.hours":        {"Heures d'ouverture", "Opening hours"},
	"merchant.hours.today":  {"(aujourd'hui)", "(today)"},
	"merchant.hours.closed": {"Fermé", "Closed"},

	// Photos and news on the merchant page.
	"merchant.photos":    {"Photos de %s", "Photos of %s"},
	"merchant.photo.alt": {"%s, photo %d", "%s, photo %d"},
	"merchant.news":      {"Nouvelles", "News"},
	"merchant.news.none": {"Pas encore de nouvelles.", "No news yet."},
	"home.news":          {"Nouvelles des commerces", "News from local businesses"},
	"post.link":          {"Lire et partager", "Read and share"},
	"post.title":         {"Nouvelle de %s, %s — Solidaire", "News from %s, %s — Solidaire"},
	"post.heading":       {"Nouvelle de %s", "News from %s"},
	"post.merchant":      {"Voir la page de %s", "See %s's page"},
	"og.post.alt":        {"Nouvelle de %s sur Solidaire", "News from %s on Solidaire"},

	// Atom feeds.
	"feed.merchant.title": {"Nouvelles de %s — Solidaire", "News from %s — Solidaire"},
	"feed.city.title":     {"Nouvelles des commerces de %s — Solidaire", "News from businesses in %s — Solidaire"},
	"feed.entry.title":    {"%s : %s", "%s: %s"},
	"feed.link":           {"S'abonner au fil Atom de ces nouvelles", "Subscribe to these news' Atom feed"},

	// The directory's filter on today's status.
	"filters.status":          {"Aujourd'hui", "Today"},
	"filters.status.all":      {"Tous", "All"},
	"filters.status.open":     {"Ouvert", "Open"},
	"filters.status.takeout":  {"Pour emporter", "Takeout"},
	"filters.status.delivery": {"Livraison", "Delivery"},

	// Following a merchant; the consent's wording is market.FollowConsent,
	// the very text the backend records with the consent.
	"follow.heading":       {"Suivre ce commerce", "Follow this business"},
	"follow.lead":          {"Recevez ses nouvelles par courriel. Le commerce ne voit jamais votre adresse.", "Get its news by email. The business never sees your address."},
	"follow.count.one":     {"%s abonné.", "%s follower."},
	"follow.count.other":   {"%s abonnés.", "%s followers."},
	"follow.email":         {"Votre adresse courriel", "Your email address"},
	"follow.email.hint":    {"Nous vous écrirons pour confirmer.", "We will write to you to confirm."},
	"follow.email.error":   {"Entrez une adresse courriel valide, par exemple nom@exemple.ca.", "Enter a valid email address, for example name@example.com."},
	"follow.consent.error": {"Cochez la case pour accepter de recevoir ses nouvelles.", "Tick the box to agree to receive its news."},
	"follow.submit":        {"Suivre", "Follow"},
	"follow.busy":          {"Trop de demandes pour le moment : réessayez dans quelques minutes.", "Too many requests right now: please try again in a few minutes."},
	"follow.sent":          {"Vérifiez vos courriels pour confirmer.", "Check your email to confirm."},
	"follow.sent.title":    {"Vérifiez vos courriels — Solidaire", "Check your email — Solidaire"},
	"follow.sent.heading":  {"Vérifiez vos courriels", "Check your email"},
	"follow.sent.text": {
		"Si l'adresse %s peut recevoir les nouvelles de %s, un courriel de confirmation vient d'y être envoyé. Rien ne sera envoyé avant votre confirmation.",
		"If %s can receive news from %s, a confirmation email was just sent there. Nothing is sent before you confirm.",
	},
	"follow.confirm.title":        {"Confirmer l'abonnement — Solidaire", "Confirm your subscription — Solidaire"},
	"follow.confirm.heading":      {"Confirmer l'abonnement", "Confirm your subscription"},
	"follow.confirm.text":         {"Appuyez sur le bouton pour recevoir les nouvelles de ce commerce par courriel.", "Press the button to receive this business's news by email."},
	"follow.confirm.button":       {"Confirmer mon abonnement", "Confirm my subscription"},
	"follow.confirmed.heading":    {"Abonnement confirmé", "Subscription confirmed"},
	"follow.confirmed.text":       {"C'est fait : vous recevrez les nouvelles de %s. Chaque courriel contient un lien pour vous désabonner.", "Done: you will receive news from %s. Every email holds a link to unsubscribe."},
	"follow.unsubscribe.title":    {"Se désabonner — Solidaire", "Unsubscribe — Solidaire"},
	"follow.unsubscribe.heading":  {"Se désabonner", "Unsubscribe"},
	"follow.unsubscribe.text":     {"Appuyez sur le bouton pour ne plus recevoir les nouvelles de ce commerce.", "Press the button to stop receiving this business's news."},
	"follow.unsubscribe.button":   {"Me désabonner", "Unsubscribe me"},
	"follow.unsubscribed.heading": {"Vous êtes désabonné·e", "You are unsubscribed"},
	"follow.unsubscribed.text":    {"Vous ne recevrez plus les nouvelles de %s.", "You will no longer receive news from %s."},
	"follow.invalid.heading":      {"Ce lien ne fonctionne plus", "This link no longer works"},
	"follow.invalid.text":         {"Le lien est incomplet ou a expiré. Pour suivre un commerce, inscrivez-vous de nouveau sur sa page.", "The link is incomplete or has expired. To follow a business, sign up again on its page."},
}

// pageMerchantMessages are the strings of the merchant's own page and
// news (/commerce/page, /commerce/nouvelles), of today's status on the
// dashboard and of the community manager's role, French first; the
// merchant island shows them.
var pageMerchantMessages = map[string][2]string{
	// The merchant side's menu.
	"side.nav":           {"Espace commerce", "Business area"},
	"side.nav.dashboard": {"Tableau de bord", "Dashboard"},
	"side.nav.page":      {"Ma page", "My page"},
	"side.nav.news":      {"Nouvelles", "News"},
	"side.nav.campaigns": {"Campagnes", "Campaigns"},
	"side.nav.till":      {"Caisse", "Till"},

	// The community manager's role.
	"dash.role.community":          {"Gestionnaire de communauté", "Community manager"},
	"dash.staff.role":              {"Rôle", "Role"},
	"dash.staff.role.staff":        {"Encaisse les bons à la caisse et voit les encaissements du jour.", "Redeems vouchers at the till and sees today's redemptions."},
	"dash.staff.role.community":    {"Tient la page publique : texte, photos, heures, statut du jour, nouvelles et campagnes. N'encaisse pas, ne voit ni le journal ni les paiements.", "Runs the public page: text, photos, hours, today's status, news and campaigns. Cannot redeem, nor see the ledger or payments."},
	"dash.staff.invited.community": {"Invitation envoyée à %s comme gestionnaire de communauté : elle est valable 7 jours.", "Invitation sent to %s as community manager: it is valid for 7 days."},

	// Today's status, one tap.
	"status.heading":      {"Statut du jour", "Today's status"},
	"status.lead":         {"Un seul geste : il s'affiche sur votre page, votre carte dans l'annuaire et vos images de partage.", "One tap: it shows on your page, your card in the directory and your share images."},
	"status.now":          {"Affiché : %s", "Showing: %s"},
	"status.none":         {"Aucun statut affiché.", "No status shown."},
	"status.saved":        {"Statut enregistré : %s.", "Status saved: %s."},
	"status.cleared":      {"Statut effacé : votre page n'en affiche plus.", "Status cleared: your page no longer shows one."},
	"status.clear":        {"Effacer le statut", "Clear the status"},
	"status.closed.lead":  {"Dites pourquoi, et jusqu'à quand si vous le savez : le statut s'efface de lui-même après cette date.", "Say why, and until when if you know: the status clears itself after that date."},
	"status.closed.save":  {"Afficher « Fermé temporairement »", "Show \"Temporarily closed\""},
	"status.note":         {"Note (par exemple : « Rénovations, de retour bientôt »)", "Note (for example: \"Renovations, back soon\")"},
	"status.note.hint":    {"200 caractères au plus.", "200 characters at most."},
	"status.until.label":  {"Jusqu'au (facultatif)", "Until (optional)"},
	"status.until.hint":   {"Le dernier jour de fermeture.", "The last day you are closed."},
	"status.error.note":   {"Écrivez une note de 200 caractères au plus.", "Write a note of 200 characters at most."},
	"status.error.until":  {"Choisissez une date à venir.", "Pick a date to come."},
	"status.error.closed": {"Écrivez une note : elle dit aux clients pourquoi vous êtes fermé.", "Write a note: it tells customers why you are closed."},

	// The page editor.
	"page.title":               {"Ma page — Solidaire", "My page — Solidaire"},
	"page.heading":             {"Ma page", "My page"},
	"page.see":                 {"Voir ma page", "See my page"},
	"page.text":                {"Présentation", "About"},
	"page.summary":             {"Phrase de présentation", "One-line summary"},
	"page.summary.hint":        {"Elle s'affiche sur votre carte dans l'annuaire. 160 caractères au plus.", "It shows on your card in the directory. 160 characters at most."},
	"page.description":         {"Description (en français)", "Description (in French)"},
	"page.description.hint":    {"Quelques paragraphes, séparés par une ligne vide.", "A few paragraphs, separated by a blank line."},
	"page.description_en":      {"Description en anglais (facultative)", "Description in English (optional)"},
	"page.description_en.hint": {"Montrée aux personnes qui lisent le site en anglais ; sans elle, la description française.", "Shown to people who read the site in English; without it, the French description."},
	"page.address":             {"Adresse", "Address"},
	"page.address.hint":        {"Le numéro et la rue ; la ville reste celle de votre inscription.", "Number and street; the city stays the one you applied with."},
	"page.hours":               {"Heures d'ouverture", "Opening hours"},
	"page.hours.hint":          {"Jusqu'à 3 plages par jour (par exemple midi et soir). Cochez « Fermé » les jours de fermeture.", "Up to 3 spans a day (lunch and dinner, for example). Tick \"Closed\" on the days you are closed."},
	"page.hours.closed":        {"Fermé", "Closed"},
	"page.hours.add":           {"Ajouter une plage", "Add a span"},
	"page.hours.remove":        {"Retirer", "Remove"},
	"page.hours.opens":         {"Ouvre à", "Opens"},
	"page.hours.closes":        {"Ferme à", "Closes"},
	"page.links":               {"Liens", "Links"},
	"page.website":             {"Site web", "Website"},
	"page.link.hint":           {"L'adresse complète, commençant par https://", "The full address, starting with https://"},
	"page.facebook":            {"Page Facebook", "Facebook page"},
	"page.facebook.hint":       {"Par exemple https://www.facebook.com/moncommerce", "For example https://www.facebook.com/mybusiness"},
	"page.instagram":           {"Compte Instagram", "Instagram account"},
	"page.instagram.hint":      {"Par exemple https://www.instagram.com/moncommerce", "For example https://www.instagram.com/mybusiness"},
	"page.amounts":             {"Montants des bons", "Certificate amounts"},
	"page.amounts.hint":        {"En dollars (ou en euros), par exemple 25 ou 25,50.", "In dollars (or euros), for example 25 or 25.50."},
	"page.suggested":           {"Montants suggérés", "Suggested amounts"},
	"page.suggested.hint":      {"Séparés par des espaces ou des points-virgules, par exemple : 25 ; 50 ; 100", "Separated by spaces or semicolons, for example: 25; 50; 100"},
	"page.min":                 {"Montant minimum", "Minimum amount"},
	"page.max":                 {"Montant maximum", "Maximum amount"},
	"page.max.hint":            {"Les montants suggérés doivent être entre le minimum et le maximum.", "Suggested amounts must lie between the minimum and the maximum."},
	"page.save":                {"Enregistrer ma page", "Save my page"},
	"page.saved":               {"Page enregistrée : elle est déjà à jour en ligne.", "Page saved: it is already up to date online."},
	"page.error.summary":       {"Écrivez une phrase de 160 caractères au plus.", "Write a sentence of 160 characters at most."},
	"page.error.description":   {"La description fait 4 000 caractères au plus.", "The description is 4,000 characters at most."},
	"page.error.address":       {"L'adresse fait 200 caractères au plus.", "The address is 200 characters at most."},
	"page.error.link":          {"Entrez une adresse web complète, commençant par https://", "Enter a full web address, starting with https://"},
	"page.error.hours":         {"Vérifiez les heures : l'ouverture avant la fermeture, 3 plages par jour au plus.", "Check the hours: opening before closing, 3 spans a day at most."},
	"page.error.suggested":     {"Des montants comme 25 ou 25,50, entre le minimum et le maximum.", "Amounts like 25 or 25.50, between the minimum and the maximum."},
	"page.error.amounts":       {"Un montant comme 5 ou 200, le minimum plus petit que le maximum.", "An amount like 5 or 200, the minimum below the maximum."},
	"page.photos":              {"Photos", "Photos"},
	"page.photos.lead":         {"Jusqu'à 6 photos. La première est la photo principale : elle s'affiche sur votre carte dans l'annuaire.", "Up to 6 photos. The first is the main photo: it shows on your card in the directory."},
	"page.photos.none":         {"Pas encore de photo.", "No photo yet."},
	"page.photo.add":           {"Ajouter une photo", "Add a photo"},
	"page.photo.hint":          {"JPEG, PNG ou WebP, 10 Mo au plus. Les données de localisation sont retirées.", "JPEG, PNG or WebP, 10 MB at most. Location data is removed."},
	"page.photo.sending":       {"Envoi de la photo", "Sending the photo"},
	"page.photo.sent":          {"Photo ajoutée.", "Photo added."},
	"page.photo.full":          {"Vous avez 6 photos : supprimez-en une pour en ajouter une autre.", "You have 6 photos: delete one to add another."},
	"page.photo.big":           {"Cette photo dépasse 10 Mo, ou a trop de pixels : choisissez-en une plus petite.", "This photo is over 10 MB, or has too many pixels: please choose a smaller one."},
	"page.photo.kind":          {"Ce fichier n'est pas une photo JPEG, PNG ou WebP.", "This file is not a JPEG, PNG or WebP photo."},
	"page.photo.cover":         {"Photo principale", "Main photo"},
	"page.photo.n":             {"Photo %s", "Photo %s"},
	"page.photo.up":            {"Monter", "Move up"},
	"page.photo.down":          {"Descendre", "Move down"},
	"page.photo.delete":        {"Supprimer", "Delete"},
	"page.photo.confirm":       {"Supprimer cette photo de votre page ?", "Delete this photo from your page?"},
	"page.photo.yes":           {"Oui, supprimer", "Yes, delete"},
	"page.photo.deleted":       {"Photo supprimée.", "Photo deleted."},
	"page.photo.moved":         {"Photo déplacée en position %s.", "Photo moved to position %s."},
	"page.photo.hidden":        {"Masquée par l'équipe Solidaire : %s", "Hidden by the Solidaire team: %s"},

	// News.
	"news.title":           {"Nouvelles — Solidaire", "News — Solidaire"},
	"news.heading":         {"Nouvelles", "News"},
	"news.write":           {"Écrire une nouvelle", "Write a news post"},
	"news.body":            {"Votre nouvelle", "Your news"},
	"news.body.hint":       {"500 caractères au plus. Vos abonnés la reçoivent par courriel ; elle paraît sur votre page.", "500 characters at most. Your followers get it by email; it shows on your page."},
	"news.count":           {"%s caractères restants", "%s characters left"},
	"news.error.body":      {"Écrivez entre 1 et 500 caractères.", "Write between 1 and 500 characters."},
	"news.photo":           {"Photo (facultative)", "Photo (optional)"},
	"news.photo.none":      {"Sans photo", "No photo"},
	"news.publish":         {"Publier", "Publish"},
	"news.published":       {"Nouvelle publiée : vos abonnés la recevront par courriel.", "News published: your followers will get it by email."},
	"news.list":            {"Vos nouvelles", "Your news"},
	"news.none":            {"Pas encore de nouvelle.", "No news yet."},
	"news.link":            {"Lien à partager", "Link to share"},
	"news.copy":            {"Copier le lien", "Copy the link"},
	"news.copied":          {"Lien copié.", "Link copied."},
	"news.delete":          {"Supprimer", "Delete"},
	"news.confirm":         {"Supprimer cette nouvelle ? Elle disparaît de votre page ; les courriels déjà envoyés restent.", "Delete this news post? It leaves your page; emails already sent stay."},
	"news.yes":             {"Oui, supprimer", "Yes, delete"},
	"news.deleted":         {"Nouvelle supprimée.", "News post deleted."},
	"news.hidden":          {"Masquée par l'équipe Solidaire : %s", "Hidden by the Solidaire team: %s"},
	"news.followers.one":   {"%s abonné", "%s follower"},
	"news.followers.other": {"%s abonnés", "%s followers"},
}

func init() {
	for key, m := range pagePublicMessages {
		messages[key] = m
		if strings.HasPrefix(key, "status.") || strings.HasPrefix(key, "weekday.") {
			merchantMessages[key] = m
		}
	}
	for key, m := range pageMerchantMessages {
		merchantMessages[key] = m
		messages[key] = m
	}
}
