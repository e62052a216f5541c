package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func TestWalletMails(t *testing.T) {
	c := Composer{BaseURL: "https://solidaire.example", AppleWallet: true}
	m, err := c.WalletLink("Awa@Example.org", "https://solidaire.example/mes-bons?jeton=abc", "fr")
	if err != nil || m.To != "awa@example.org" || !strings.Contains(m.Text, "/mes-bons?jeton=abc") ||
		!strings.Contains(m.Text, "30 minutes") {
		t.Fatalf("link mail %+v %v", m, err)
	}
	if _, err := c.WalletLink("nope", "x", "fr"); err == nil {
		t.Fatal("a link mailed to no address")
	}
	// The buyer of a gift sent on a date is told when; the Apple Wallet
	// link is there when configured.
	at := time.Date(2027, 3, 14, 13, 0, 0, 0, time.UTC)
	v := &market.Voucher{Code: "K3F9QX2MABCDEFGH1234", MerchantName: "Café Névé", Initial: 2500, Balance: 2500,
		Currency: market.CAD, RecipientName: "Jo", RecipientEmail: "jo@example.org", DeliverAt: at}
	m, err = c.VoucherIssued(v, "awa@example.org", "Awa", "fr")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Nous l'enverrons à jo@example.org le 14 mars 2027 à 9 h 00",
		"We will send it to jo@example.org on March 14, 2027 at 9:00 AM",
		"Ajouter à Apple Wallet : https://solidaire.example/api/v1/vouchers/K3F9QX2MABCDEFGH1234/pass.pkpass"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("buyer's mail lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, "Ajouter à Apple Wallet") {
		t.Error("no Apple Wallet link in the HTML")
	}
}
