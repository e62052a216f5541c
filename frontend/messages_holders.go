package frontend

// holdersMessages are the strings of the holder's ticket page opened from
// the mail that announces a cancellation or a postponement with the
// holder's key (?tous=…): one choice for all of the holder's tickets of
// the event, French first.
var holdersMessages = map[string][2]string{
	"ticket.all.note": {
		"Ce choix s'appliquera à tous vos billets de cet événement qui n'ont pas encore de choix. Un billet déjà choisi garde son choix ; vous pouvez aussi choisir billet par billet, sur la page de chacun.",
		"This choice will apply to all your tickets for this event that have no choice yet. A ticket already chosen for keeps its choice; you can also choose ticket by ticket, on each one's page.",
	},
	"ticket.all.one": {"Choisir pour ce billet seulement", "Choose for this ticket only"},
	"ticket.all.done": {
		"Votre choix a été appliqué à %d billet(s). %d billet(s) gardent le choix déjà fait.",
		"Your choice was applied to %d ticket(s). %d ticket(s) keep the choice already made.",
	},
	"ticket.all.invalid": {
		"Ce lien ne permet pas de choisir pour tous vos billets. Choisissez ici pour ce billet, ou ouvrez le lien reçu par courriel.",
		"This link cannot choose for all your tickets. Choose here for this ticket, or open the link from your email.",
	},
}

func init() {
	for key, m := range holdersMessages {
		messages[key] = m
	}
}
