package frontend

// adminPageMessages are the strings of the admin's view of a merchant's
// public page (#13, src/admin_page.ts): who changed what and when, the
// visible photos and latest news, and hiding one with a reason the
// merchant reads, French first. They reach the admin island (admin.).
var adminPageMessages = map[string][2]string{
	"admin.page":              {"Page publique", "Public page"},
	"admin.page.see":          {"Voir la page publique", "See the public page"},
	"admin.page.changes":      {"Modifications, les plus récentes d'abord", "Changes, latest first"},
	"admin.page.changes.none": {"Aucune modification enregistrée.", "No change recorded."},
	"admin.page.photos":       {"Photos visibles", "Visible photos"},
	"admin.page.photos.none":  {"Aucune photo visible.", "No visible photo."},
	"admin.page.posts":        {"Dernières nouvelles", "Latest news"},
	"admin.page.posts.none":   {"Aucune nouvelle visible.", "No visible news."},
	"admin.page.photo":        {"Photo %s", "Photo %s"},
	"admin.page.nobody":       {"Personne d'identifié", "Nobody identified"},
	"admin.page.by":           {"par %s", "by %s"},

	// Hiding a photo or a post.
	"admin.hide":              {"Masquer", "Hide"},
	"admin.hide.photos.title": {"Masquer la photo %s de « %s »", "Hide photo %s of “%s”"},
	"admin.hide.posts.title":  {"Masquer la nouvelle du %s de « %s »", "Hide the news of %s from “%s”"},
	"admin.hide.photos.lead": {
		"La photo disparaîtra de la page publique. Le commerce la verra masquée, avec ce motif.",
		"The photo will leave the public page. The merchant will see it hidden, with this reason.",
	},
	"admin.hide.posts.lead": {
		"La nouvelle disparaîtra de la page publique et des fils. Le commerce la verra masquée, avec ce motif.",
		"The news will leave the public page and the feeds. The merchant will see it hidden, with this reason.",
	},
	"admin.hide.reason":   {"Motif (le commerce le lira)", "Reason (the merchant will read it)"},
	"admin.hide.hint":     {"300 caractères au plus.", "At most 300 characters."},
	"admin.hide.required": {"Écrivez le motif.", "Write the reason."},
	"admin.hide.yes":      {"Oui, masquer", "Yes, hide"},
	"admin.hidden":        {"Masquée : %s", "Hidden: %s"},
	"admin.hidden.photos": {"Photo masquée ; le commerce lit le motif.", "Photo hidden; the merchant reads the reason."},
	"admin.hidden.posts":  {"Nouvelle masquée ; le commerce lit le motif.", "News hidden; the merchant reads the reason."},

	// What changed, as page_changes records it (what, detail).
	"admin.change.summary":           {"Phrase de présentation modifiée", "Summary changed"},
	"admin.change.description":       {"Description modifiée", "Description changed"},
	"admin.change.description_en":    {"Description en anglais modifiée", "English description changed"},
	"admin.change.address":           {"Adresse modifiée", "Address changed"},
	"admin.change.links.website":     {"Site web modifié", "Website changed"},
	"admin.change.links.facebook":    {"Page Facebook modifiée", "Facebook page changed"},
	"admin.change.links.instagram":   {"Compte Instagram modifié", "Instagram account changed"},
	"admin.change.hours":             {"Heures d'ouverture modifiées", "Opening hours changed"},
	"admin.change.min_amount":        {"Montant minimum modifié", "Minimum amount changed"},
	"admin.change.max_amount":        {"Montant maximum modifié", "Maximum amount changed"},
	"admin.change.suggested_amounts": {"Montants suggérés modifiés", "Suggested amounts changed"},
	"admin.change.status":            {"Statut du jour : %s", "Today's status: %s"},
	"admin.change.cleared":           {"retiré", "cleared"},
	"admin.change.photo.added":       {"Photo ajoutée", "Photo added"},
	"admin.change.photo.moved":       {"Photo déplacée", "Photo moved"},
	"admin.change.photo.deleted":     {"Photo supprimée", "Photo deleted"},
	"admin.change.photo_hidden":      {"Photo masquée : %s", "Photo hidden: %s"},
	"admin.change.post.added":        {"Nouvelle publiée", "News posted"},
	"admin.change.post.deleted":      {"Nouvelle supprimée", "News deleted"},
	"admin.change.post_hidden":       {"Nouvelle masquée : %s", "News hidden: %s"},
}

func init() {
	for key, m := range adminPageMessages {
		merchantMessages[key] = m
		messages[key] = m
	}
	// Today's statuses, named as the merchant's buttons name them.
	islandPrefixes["admin"] = append(islandPrefixes["admin"], "status.open.")
}
