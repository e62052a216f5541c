package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// testCredit is a holder's 30 $ credit at a theatre with a 10 % bonus that
// ends on 2 January 2027.
func testCredit() *market.Voucher {
	return &market.Voucher{ID: "vch_credit", Code: "CR3D7K2M9PQ4RTXY5678", MerchantName: "Théâtre du Faubourg",
		MerchantSlug: "theatre-du-faubourg", Initial: 3000, Balance: 3000, Bonus: 300, Currency: market.CAD,
		BonusExpiresAt: time.Date(2027, 1, 2, 17, 0, 0, 0, time.UTC), RecipientName: "Awa",
		Message: "Crédit pour « Le Cid »", Status: market.VoucherActive}
}

// TestCreditIssuedGolden: the credit mail is the holder's own, not a gift:
// it states the whole value, the bonus the venue offers and its end, and
// that the paid value never expires, in French then in English.
func TestCreditIssuedGolden(t *testing.T) {
	m, err := composer.CreditIssued(testCredit(), "awa@example.org", "Awa", "Le Cid", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "awa@example.org" || m.Subject != "Votre crédit pour « Le Cid » chez Théâtre du Faubourg" {
		t.Fatalf("to %q, subject %q", m.To, m.Subject)
	}
	for _, want := range []string{
		"Bonjour Awa,",
		"Votre crédit pour « Le Cid » : 33,00\u00a0$ dont 3,00\u00a0$ de bonus offert par Théâtre du Faubourg, valable jusqu'au 2 janvier 2027 (la valeur payée n'expire jamais).",
		"CR3D-7K2M-9PQ4-RTXY-5678", "https://solidaire.example/v/CR3D7K2M9PQ4RTXY5678",
		"including a $3.00 bonus offered by Théâtre du Faubourg, valid until January 2, 2027",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, gift := range []string{"vous offre", "is giving you", "Son message"} {
		if strings.Contains(m.Text, gift) || strings.Contains(m.HTML, gift) {
			t.Errorf("the credit mail reads like a gift: %q", gift)
		}
	}
	if len(m.Attachments) != 1 || !m.Attachments[0].Inline || !strings.Contains(m.HTML, `src="cid:qr.png"`) {
		t.Errorf("QR code: %+v", m.Attachments)
	}
	golden(t, "credit.txt.golden", m.Text)
	golden(t, "credit.html.golden", m.HTML)

	plain := testCredit()
	plain.Bonus, plain.BonusExpiresAt = 0, time.Time{}
	m, err = composer.CreditIssued(plain, "awa@example.org", "", "Le Cid", "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Votre crédit pour « Le Cid » : 30,00\u00a0$.") || strings.Contains(m.Text, "bonus") ||
		!strings.HasSuffix(m.Subject, ` / Your credit for "Le Cid" at Théâtre du Faubourg`) {
		t.Errorf("a credit without bonus: %s\n%s", m.Subject, m.Text)
	}
	if _, err := composer.CreditIssued(testCredit(), "not an address", "Awa", "Le Cid", "fr"); market.ErrorCode(err) != market.EInvalid {
		t.Errorf("bad address: %v", err)
	}
}

// TestEventChangedOneMailPerHolder: a holder's tickets are in one mail,
// each with its page, and one link chooses for all with the holder's key.
func TestEventChangedOneMailPerHolder(t *testing.T) {
	e := &market.Event{ID: "evt_1", Title: "Le Cid", MerchantName: "Théâtre du Faubourg", Currency: market.CAD,
		Status: market.EventCancelled, StartsAt: time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC),
		Choices: &market.CancelOptions{Reason: "L'artiste est malade.", Options: []market.Choice{market.ChoiceRefund, market.ChoiceCredit, market.ChoiceDonate},
			CreditBonusPercent: 10, Default: market.ChoiceRefund, Deadline: time.Date(2027, 1, 2, 17, 0, 0, 0, time.UTC)}}
	var tickets []*market.Ticket
	for _, code := range []string{"T1CKETAAAAAAAAAAAAAA", "T1CKETBBBBBBBBBBBBBB", "T1CKETCCCCCCCCCCCCCC"} {
		tickets = append(tickets, &market.Ticket{Code: code, EventID: e.ID, Kind: market.KindTicket, Price: 3000, Currency: market.CAD,
			HolderEmail: "awa@example.org", TypeName: "Parterre"})
	}
	m, err := composer.EventChanged(tickets, e, "H0DERKEY2345678ABCDE", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "awa@example.org" || m.Subject != "Annulation : Le Cid" {
		t.Fatalf("to %q, subject %q", m.To, m.Subject)
	}
	if n := strings.Count(m.Text, "?tous=H0DERKEY2345678ABCDE"); n != 2 {
		t.Errorf("%d links for all, want the French and the English one", n)
	}
	golden(t, "event_cancelled_holder.txt.golden", m.Text)

	e.Status, e.Choices.Default = market.EventPostponed, ""
	m, err = composer.EventChanged(tickets[:1], e, "", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "tous=") || !strings.Contains(m.Text, "Votre billet reste valable") {
		t.Errorf("one ticket: %s", m.Text)
	}
	golden(t, "event_postponed_holder.txt.golden", m.Text)
}
