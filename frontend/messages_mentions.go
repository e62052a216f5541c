package frontend

// mentionsMessages are the strings of a campaign's mentions (#15): the
// networks, the organiser's sources and moderation, the mentions beside
// clicks and sales, the public wall and its reports, and the share kit's
// new networks. Same rules as messages: French first, Québec usage,
// numbers arrive formatted (%s).
var mentionsMessages = map[string][2]string{
	// Networks and the share kit's channels.
	"network.mastodon": {"Mastodon", "Mastodon"},
	"network.bluesky":  {"Bluesky", "Bluesky"},
	"network.feed":     {"Flux RSS ou Atom", "RSS or Atom feed"},
	"channel.mastodon": {"Mastodon", "Mastodon"},
	"channel.bluesky":  {"Bluesky", "Bluesky"},
	"channel.threads":  {"Threads", "Threads"},
	"share.mastodon":   {"Votre instance Mastodon", "Your Mastodon instance"},
	"share.mastodon.hint": {
		"Le serveur de votre compte, par exemple mastodon.social ou mstdn.ca : le bouton Mastodon y mène.",
		"Your account's server, for example mastodon.social or mstdn.ca: the Mastodon button leads there.",
	},

	// The public wall of a campaign's page.
	"wall.heading":       {"Sur les réseaux", "On social media"},
	"wall.lead":          {"Des publications choisies par l'équipe de la campagne. Chacune reste celle de son auteur : lisez-la en entier sur son réseau.", "Posts picked by the campaign's team. Each remains its author's: read it in full on its network."},
	"wall.on":            {"sur %s", "on %s"},
	"wall.someone":       {"Quelqu'un", "Someone"},
	"wall.original":      {"Voir la publication originale", "See the original post"},
	"wall.newtab":        {"s'ouvre dans un nouvel onglet", "opens in a new tab"},
	"wall.report":        {"Signaler", "Report"},
	"wall.report.done":   {"Signalé", "Reported"},
	"wall.reported":      {"Merci, l'équipe de la campagne va vérifier.", "Thank you, the campaign's team will check."},
	"wall.report.failed": {"Le signalement n'est pas parti. Réessayez dans un moment.", "The report was not sent. Try again in a moment."},
	"wall.busy.title":    {"Trop de signalements — Solidaire", "Too many reports — Solidaire"},
	"wall.busy.heading":  {"Trop de signalements en peu de temps", "Too many reports in a short time"},
	"wall.busy.text":     {"Cette connexion a envoyé beaucoup de signalements. Réessayez dans une heure : l'équipe de la campagne a déjà reçu les précédents.", "This connection sent many reports. Try again in an hour: the campaign's team already received the earlier ones."},

	// The dashboard: mentions beside clicks and sales.
	"mentions.kpi":             {"Mentions", "Mentions"},
	"mentions.days":            {"Mentions par jour", "Mentions per day"},
	"mentions.days.chart":      {"%s : %s du %s au %s, par réseau dans le tableau.", "%s: %s from %s to %s, by network in the table."},
	"mentions.col.total":       {"Total", "Total"},
	"mentions.col":             {"Mentions", "Mentions"},
	"mentions.top":             {"Auteurs les plus actifs", "Most active authors"},
	"mentions.top.none":        {"Pas encore de mentions : ajoutez une source ci-dessous.", "No mentions yet: add a source below."},
	"mentions.top.posts.one":   {"%s publication", "%s post"},
	"mentions.top.posts.other": {"%s publications", "%s posts"},
	"mentions.heading":         {"Mentions sur les réseaux", "Mentions on social media"},
	"mentions.lead":            {"Les publications publiques qui portent les mots-clics de la campagne : qui en parle, sur quel réseau, et ce qui suit.", "Public posts that carry the campaign's hashtags: who talks about it, on which network, and what follows."},
	"mentions.confirm.no":      {"Annuler", "Cancel"},
	"mentions.failed":          {"L'action n'a pas abouti. Vérifiez votre connexion, puis réessayez.", "That did not work. Check your connection, then try again."},

	// Sources.
	"mentions.sources":              {"Sources", "Sources"},
	"mentions.sources.help":         {"Solidaire ne lit que les publications publiques, au plus une fois par minute par source. Il garde un extrait du texte et le lien vers l'original, et ne copie jamais les images ni les vidéos.", "Solidaire reads public posts only, at most once a minute per source. It keeps an excerpt of the text and the link to the original, and never copies pictures or videos."},
	"mentions.sources.none":         {"Aucune source : ajoutez une instance Mastodon, Bluesky ou un flux.", "No source: add a Mastodon instance, Bluesky or a feed."},
	"mentions.source.new":           {"Ajouter une source", "Add a source"},
	"mentions.source.network":       {"Réseau", "Network"},
	"mentions.source.instance":      {"Instance Mastodon", "Mastodon instance"},
	"mentions.source.instance.hint": {"ex. mastodon.social, mstdn.ca", "e.g. mastodon.social, mstdn.ca"},
	"mentions.source.host":          {"Serveur Bluesky (facultatif)", "Bluesky server (optional)"},
	"mentions.source.host.hint":     {"Laissez vide : Solidaire cherche dans l'AppView publique de Bluesky.", "Leave it empty: Solidaire searches Bluesky's public AppView."},
	"mentions.source.url":           {"Adresse du flux", "Feed address"},
	"mentions.source.url.hint":      {"Un flux RSS ou Atom, par exemple https://exemple.org/feed.xml", "An RSS or Atom feed, for example https://example.org/feed.xml"},
	"mentions.source.error.instance": {
		"Écrivez le nom d'un serveur, par exemple mastodon.social.", "Type a server's name, for example mastodon.social.",
	},
	"mentions.source.error.url":       {"Écrivez l'adresse complète du flux, qui commence par https://.", "Type the feed's full address, starting with https://."},
	"mentions.source.error.duplicate": {"Cette source est déjà suivie.", "This source is already followed."},
	"mentions.source.add":             {"Ajouter la source", "Add the source"},
	"mentions.source.added":           {"Source ajoutée : Solidaire la lit tout de suite.", "Source added: Solidaire reads it right away."},
	"mentions.source.never":           {"Pas encore lue", "Not read yet"},
	"mentions.source.now":             {"Lu à l'instant", "Read just now"},
	"mentions.source.min":             {"Lu il y a %s min", "Read %s min ago"},
	"mentions.source.hours":           {"Lu il y a %s h", "Read %s h ago"},
	"mentions.source.on":              {"Lu le %s", "Read on %s"},
	"mentions.source.error":           {"Dernière erreur : %s", "Last error: %s"},
	"mentions.source.count.one":       {"%s mention", "%s mention"},
	"mentions.source.count.other":     {"%s mentions", "%s mentions"},
	"mentions.source.remove":          {"Retirer", "Remove"},
	"mentions.source.remove.confirm":  {"Retirer la source « %s » ?", "Remove the source “%s”?"},
	"mentions.source.remove.text":     {"Solidaire cessera de la lire. Les mentions déjà trouvées restent.", "Solidaire will stop reading it. The mentions already found stay."},
	"mentions.source.removed":         {"Source retirée.", "Source removed."},
	"mentions.source.bluesky":         {"Recherche publique", "Public search"},

	// Moderation.
	"mentions.moderation":      {"Modération", "Moderation"},
	"mentions.moderation.lead": {"Rien ne s'affiche sur le mur de la campagne sans votre accord.", "Nothing shows on the campaign's wall without your approval."},
	"mentions.filter.network":  {"Réseau", "Network"},
	"mentions.filter.status":   {"Statut", "Status"},
	"mentions.filter.all":      {"Tous", "All"},
	"mentions.filter.apply":    {"Filtrer", "Filter"},
	"mentions.status.pending":  {"À modérer", "To moderate"},
	"mentions.status.approved": {"Affichés", "Shown"},
	"mentions.status.hidden":   {"Masqués", "Hidden"},
	"mentions.state.pending":   {"À modérer", "To moderate"},
	"mentions.state.approved":  {"Sur le mur", "On the wall"},
	"mentions.state.hidden":    {"Masquée", "Hidden"},
	"mentions.none":            {"Aucune mention pour ces filtres.", "No mention for these filters."},
	"mentions.found.one":       {"%s mention affichée.", "%s mention listed."},
	"mentions.found.other":     {"%s mentions affichées.", "%s mentions listed."},
	"mentions.media.one":       {"%s image ou vidéo (non copiée)", "%s picture or video (not copied)"},
	"mentions.media.other":     {"%s images ou vidéos (non copiées)", "%s pictures or videos (not copied)"},
	"mentions.link":            {"Lien %s", "Link %s"},
	"mentions.merchant":        {"Commerce : %s", "Merchant: %s"},
	"mentions.reports.one":     {"Signalé %s fois", "Reported %s time"},
	"mentions.reports.other":   {"Signalé %s fois", "Reported %s times"},
	"mentions.gone":            {"Supprimé par son auteur", "Deleted by its author"},
	"mentions.original":        {"Voir l'original", "See the original"},
	"mentions.approve":         {"Afficher sur le mur", "Show on the wall"},
	"mentions.hide":            {"Masquer", "Hide"},
	"mentions.block":           {"Bloquer l'auteur", "Block the author"},
	"mentions.approved":        {"Publication affichée sur le mur.", "Post shown on the wall."},
	"mentions.hidden":          {"Publication masquée.", "Post hidden."},
	"mentions.block.confirm":   {"Bloquer %s ?", "Block %s?"},
	"mentions.block.text":      {"Ses publications seront masquées, celles trouvées plus tard aussi.", "Their posts will be hidden, and so will those found later."},
	"mentions.block.yes":       {"Bloquer", "Block"},
	"mentions.blocked":         {"%s est bloqué : ses publications sont masquées.", "%s is blocked: their posts are hidden."},
	"mentions.more":            {"Plus", "More"},
	"mentions.csv":             {"Exporter (CSV)", "Export (CSV)"},
	"mentions.csv.failed":      {"L'export n'a pas pu être préparé. Réessayez.", "The export could not be prepared. Try again."},
	"mentions.csv.done":        {"Export téléchargé.", "Export downloaded."},
}

func init() {
	for k, v := range mentionsMessages {
		if _, dup := messages[k]; dup {
			panic("frontend: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
