package frontend

// supportMessages are the strings of a supporter's share section on the
// order confirmation (support.go): the share card, its buttons, and the
// profile-picture frame, French first.
var supportMessages = map[string][2]string{
	"support.hashtag":     {"#achatlocal", "#shoplocal"},
	"support.heading":     {"J'ai soutenu %s %s", "I supported %s %s"},
	"support.lead":        {"Dites-le autour de vous : chaque partage amène d'autres clients à ce commerce.", "Tell people around you: every share brings this business more customers."},
	"support.card.self":   {"J'ai soutenu", "I supported"},
	"support.card.named":  {"%s a soutenu", "%s supported"},
	"support.share.title": {"J'ai soutenu %s", "I supported %s"},
	"support.share.text":  {"J'ai soutenu %s avec un achat local. Faites comme moi ! %s", "I supported %s by buying local. Join me! %s"},
	"support.frame.ring":  {"J'ai soutenu %s", "I supported %s"},

	"support.card.heading": {"Votre image à partager", "Your picture to share"},
	"support.card.alt":     {"Image à partager : « J'ai soutenu %s %s », sans montant.", "Picture to share: “I supported %s %s”, with no amount."},
	"support.card.private": {"L'image ne montre ni le montant ni votre nom.", "The picture shows neither the amount nor your name."},
	"support.name":         {"Votre prénom sur l'image (facultatif)", "Your first name on the picture (optional)"},
	"support.name.hint":    {"Il n'est enregistré nulle part : il ne sert qu'à dessiner l'image.", "It is stored nowhere: it only draws the picture."},
	"support.name.apply":   {"Mettre à jour l'image", "Update the picture"},
	"support.download":     {"Télécharger l'image", "Download the picture"},
	"support.download.sq":  {"Télécharger l'image carrée", "Download the square picture"},

	"support.share.heading": {"Partager", "Share"},
	"support.share.native":  {"Partager…", "Share…"},
	"support.share.fb":      {"Facebook", "Facebook"},
	"support.share.x":       {"X", "X"},
	"support.share.wa":      {"WhatsApp", "WhatsApp"},
	"support.share.link":    {"Lien à partager", "Link to share"},
	"support.share.copy":    {"Copier le lien", "Copy the link"},
	"support.share.copied":  {"Lien copié", "Link copied"},
	"support.share.failed":  {"Copie impossible : le lien est sélectionné, copiez-le.", "Could not copy: the link is selected, copy it."},
	"support.share.newtab":  {"(nouvel onglet)", "(new tab)"},

	"support.frame.heading": {"Un cadre pour votre photo de profil", "A frame for your profile picture"},
	"support.frame.lead":    {"Choisissez une photo : le cadre « J'ai soutenu %s » s'y ajoute.", "Pick a photo: the “I supported %s” frame goes around it."},
	"support.frame.private": {"Votre photo reste sur votre appareil : elle n'est envoyée nulle part.", "Your photo stays on your device: it is sent nowhere."},
	"support.frame.pick":    {"Votre photo", "Your photo"},
	"support.frame.preview": {"Aperçu de votre photo dans le cadre « J'ai soutenu %s »", "Preview of your photo in the “I supported %s” frame"},
	"support.frame.ready":   {"Aperçu prêt. Vous pouvez télécharger votre photo encadrée.", "Preview ready. You can download your framed photo."},
	"support.frame.error":   {"Cette image ne peut pas être lue. Essayez une photo JPEG ou PNG.", "This picture cannot be read. Try a JPEG or PNG photo."},
	"support.frame.save":    {"Télécharger", "Download"},
	"support.frame.nojs":    {"Le cadre s'applique dans le navigateur, avec JavaScript. Vous pouvez aussi télécharger le cadre seul :", "The frame is applied in the browser, with JavaScript. You can also download the frame alone:"},
	"support.frame.alone":   {"le cadre (PNG transparent)", "the frame (transparent PNG)"},
}

func init() {
	for key, m := range supportMessages {
		messages[key] = m
	}
}
