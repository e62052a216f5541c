package frontend

// tillMessages are the strings of the day's redemptions, at the till and on
// the dashboard: their table (cards on a phone), the undo from the list
// within its 30 minutes, and the ledger's extra column, French first.
var tillMessages = map[string][2]string{
	"day.heading":   {"Encaissements du jour", "Today's redemptions"},
	"day.none":      {"Aucun encaissement aujourd'hui.", "No redemption today."},
	"day.caption":   {"Encaissements du jour, les plus récents d'abord", "Today's redemptions, newest first"},
	"day.col.state": {"Annulation", "Undo"},
	"day.undo":      {"Annuler", "Undo"},
	"day.undo.label": {
		"Annuler l'encaissement de %s sur le bon %s, à %s",
		"Undo the redemption of %s on voucher %s, at %s",
	},
	"day.undo.confirm": {"Annuler cet encaissement de %s ? Le montant retourne sur le bon.", "Undo this redemption of %s? The amount goes back onto the voucher."},
	"day.undo.yes":     {"Oui, annuler l'encaissement", "Yes, undo the redemption"},
	"day.undone.at":    {"Annulé à %s", "Undone at %s"},
	"day.undone":       {"Encaissement de %s annulé (bon %s) : le montant retourne sur le bon.", "Redemption of %s undone (voucher %s): the amount goes back onto the voucher."},
	"day.late":         {"Plus de 30 minutes ont passé : cet encaissement ne peut plus être annulé.", "More than 30 minutes have passed: this redemption can no longer be undone."},
	"day.reversed":     {"Cet encaissement a déjà été annulé.", "This redemption was already undone."},
}

func init() {
	for key, m := range tillMessages {
		merchantMessages[key] = m
		messages[key] = m
	}
}
