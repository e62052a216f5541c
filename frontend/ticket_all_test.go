package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
)

// TestTicketChoiceForAll: the holder's mail carries one link that chooses
// for all their tickets; the page posts the choice without the island and
// applies it to every ticket without a choice, keeping one chosen before;
// a key that is not the holder's chooses for no one else.
func TestTicketChoiceForAll(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	_, tickets := s.buyTickets(t, 3, 0)
	events := s.events()
	events.Mail = mail.Composer{BaseURL: s.base}
	if _, err := events.Cancel(ctx, "evt_cabaret-des-voisins", market.CancelOptions{
		Options:  []market.Choice{market.ChoiceRefund, market.ChoiceCredit, market.ChoiceDonate},
		Deadline: time.Now().Add(10 * 24 * time.Hour)}, false); err != nil {
		t.Fatal(err)
	}
	if n, err := events.NotifyHolders(ctx); err != nil || n != 3 {
		t.Fatalf("notified %d, %v", n, err)
	}
	mails, _ := s.db.Mails(ctx, "", 100)
	var key []string
	told := 0
	for _, m := range mails {
		if strings.HasPrefix(m.Subject, "Annulation") {
			told++
			key = regexp.MustCompile(`/billet/([0-9A-Z]+)\?tous=([0-9A-Z]+)`).FindStringSubmatch(m.Text)
		}
	}
	if told != 1 || key == nil {
		t.Fatalf("%d mails, link %v", told, key)
	}
	page := "/billet/" + key[1]

	// One ticket is chosen for on its own first.
	other := tickets[0].Code
	if other == key[1] {
		other = tickets[1].Code
	}
	if res, _ := s.send(t, "POST", "/billet/"+other, url.Values{"choice": {"donate"}, "confirm": {"1"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("donate one: %d", res.StatusCode)
	}

	_, body := s.send(t, "GET", page+"?tous="+key[2], nil, nil)
	must(t, body, "Ce choix s&#39;appliquera à tous vos billets", `action="/billet/`+key[1]+`?tous=`+key[2]+`"`, "Choisir pour ce billet seulement")
	mustNot(t, body, "data-choice-form", `<dialog class="confirm-dialog"`)

	res, body := s.send(t, "POST", page+"?tous="+key[2], url.Values{"choice": {"credit"}}, nil)
	must(t, body, `name="confirm" value="1"`, `?tous=`+key[2])
	if res.StatusCode != 200 {
		t.Fatalf("confirmation: %d", res.StatusCode)
	}
	// A guessed key chooses for no one else.
	res, body = s.send(t, "POST", page+"?tous=0000000000000000000A", url.Values{"choice": {"credit"}, "confirm": {"1"}}, nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a guessed key: %d", res.StatusCode)
	}
	must(t, body, "Ce lien ne permet pas de choisir pour tous vos billets")
	for _, tk := range tickets {
		if got, _ := s.db.Ticket(ctx, tk.Code); got.Choice == market.ChoiceCredit {
			t.Fatal("a guessed key chose")
		}
	}

	res, _ = s.send(t, "POST", page+"?tous="+key[2], url.Values{"choice": {"credit"}, "confirm": {"1"}}, nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), page+"?faits=2&gardes=1") {
		t.Fatalf("choice for all: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = s.send(t, "GET", page+"?faits=2&gardes=1", nil, nil)
	must(t, body, "Votre choix a été appliqué à 2 billet(s). 1 billet(s) gardent le choix déjà fait.", "Votre crédit est prêt")
	for _, tk := range tickets {
		got, _ := s.db.Ticket(ctx, tk.Code)
		want := market.TicketCredited
		if tk.Code == other {
			want = market.TicketDonated
		}
		if got.Status != want {
			t.Errorf("ticket %s: %s, want %s", tk.Code, got.Status, want)
		}
	}
}
