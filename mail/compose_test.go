package mail

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/market"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./mail -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./mail -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// testVoucher is a fresh 25 $ voucher of a café, bought by Marie as a gift
// for Julie with a message that tries to inject HTML.
func testVoucher() *market.Voucher {
	return &market.Voucher{
		ID: "vch_test", Code: "K3F9QX2MABCDEFGH1234", MerchantName: "Café Névé",
		Initial: 2500, Balance: 2500, Currency: market.CAD,
		RecipientName: "Julie", RecipientEmail: "julie@example.org",
		Message: "Bonne fête !\r\nOn se voit là-bas <script>alert('x')</script> & bises",
		Status:  market.VoucherActive,
	}
}

var composer = Composer{BaseURL: "https://solidaire.example/"}

func TestVoucherIssuedGolden(t *testing.T) {
	own := testVoucher()
	own.RecipientName, own.RecipientEmail, own.Message = "", "", ""
	euro := testVoucher()
	euro.RecipientName, euro.RecipientEmail, euro.Message = "", "", ""
	euro.Currency, euro.Initial, euro.Balance, euro.MerchantName = market.EUR, 125000, 98050, "Librairie L'Étoile"
	printed := testVoucher()
	printed.RecipientEmail, printed.Message = "", ""

	for _, tc := range []struct {
		name          string
		v             *market.Voucher
		to, buyer     string
		lang, subject string
	}{
		{"buyer", own, "marie@example.org", "Marie", "fr", "Votre bon solidaire chez Café Névé"},
		{"buyer_en_eur", euro, "marie@example.org", "", "en", "Votre bon solidaire chez Librairie L'Étoile / Your solidarity gift certificate at Librairie L'Étoile"},
		{"buyer_of_gift", testVoucher(), "marie@example.org", "Marie", "fr", "Votre bon solidaire chez Café Névé"},
		{"buyer_of_printed_gift", printed, "marie@example.org", "Marie", "fr", "Votre bon solidaire chez Café Névé"},
		{"gift", testVoucher(), "Julie@Example.org", "Marie", "fr", "Marie vous offre un bon solidaire chez Café Névé"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := composer.VoucherIssued(tc.v, tc.to, tc.buyer, tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject %q, want %q", m.Subject, tc.subject)
			}
			golden(t, "voucher_"+tc.name+".txt.golden", m.Text)
			if tc.name == "gift" {
				golden(t, "voucher_gift.html.golden", m.HTML)
			}
		})
	}
}

func TestVoucherIssuedContents(t *testing.T) {
	m, err := composer.VoucherIssued(testVoucher(), "julie@example.org", "Marie <b>", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.ID, "mail_") || m.To != "julie@example.org" || m.Status != market.MailPending {
		t.Errorf("id %q, to %q, status %q", m.ID, m.To, m.Status)
	}
	for _, want := range []string{
		"Bonne fête !<br>On se voit là-bas &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; bises",
		"<strong>Marie &lt;b&gt;</strong> vous offre",
		`<img src="cid:qr.png" width="296" height="296" alt="Code QR du bon solidaire chez Café Névé, code K3F9-QX2M-ABCD-EFGH-1234"`,
		`<a href="https://solidaire.example/v/K3F9QX2MABCDEFGH1234"`,
		"25,00\u00a0$", "$25.00", "K3F9-QX2M-ABCD-EFGH-1234",
		`<div lang="fr">`, `<div lang="en"`,
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>") {
		t.Error("HTML holds markup from the buyer")
	}
	if fr, en := strings.Index(m.HTML, `lang="fr"`), strings.Index(m.HTML, `lang="en"`); fr > en {
		t.Error("English comes before French")
	}
	// The text part is not HTML: the message reads as typed.
	if !strings.Contains(m.Text, "> On se voit là-bas <script>alert('x')</script> & bises\n") {
		t.Errorf("text does not quote the message as typed:\n%s", m.Text)
	}

	if len(m.Attachments) != 1 {
		t.Fatalf("%d attachments, want the QR code", len(m.Attachments))
	}
	a := m.Attachments[0]
	// The QR code is rendered by the sender, out of the webhook's path.
	if a.Name != "qr.png" || a.ContentType != "image/png" || !a.Inline || len(a.Data) != 0 ||
		a.QRText != "HTTPS://SOLIDAIRE.EXAMPLE/V/K3F9QX2MABCDEFGH1234" {
		t.Errorf("attachment %s %s inline=%v, %d bytes, QR %q; want the QR code of the voucher URL", a.Name, a.ContentType, a.Inline, len(a.Data), a.QRText)
	}
}

func TestVoucherIssuedAnonymousGift(t *testing.T) {
	v := testVoucher()
	v.RecipientName, v.Message = "", ""
	m, err := composer.VoucherIssued(v, "julie@example.org", "", "en")
	if err != nil {
		t.Fatal(err)
	}
	if want := "On vous offre un bon solidaire chez Café Névé / You have been given a solidarity gift certificate at Café Névé"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if !strings.HasPrefix(m.Text, "Bonjour,\n\nQuelqu'un vous offre") || strings.Contains(m.Text, "Son message") {
		t.Errorf("text:\n%s", m.Text)
	}
}

func TestVoucherIssuedInvalid(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(v *market.Voucher)
		to     string
		field  string
	}{
		"ErrCode":     {func(v *market.Voucher) { v.Code = "K3F9" }, "a@example.org", "code"},
		"ErrCurrency": {func(v *market.Voucher) { v.Currency = "usd" }, "a@example.org", "currency"},
		"ErrTo":       {func(v *market.Voucher) {}, "not an address", "to"},
		"ErrToHeader": {func(v *market.Voucher) {}, "a@example.org\r\nBcc: b@example.org", "to"},
	} {
		t.Run(name, func(t *testing.T) {
			v := testVoucher()
			tc.change(v)
			_, err := composer.VoucherIssued(v, tc.to, "Marie", "fr")
			var e *market.Error
			if !asError(err, &e) || e.Code != market.EInvalid || e.Fields[tc.field] == "" {
				t.Errorf("error %v, want %s on %s", err, market.EInvalid, tc.field)
			}
		})
	}
	if _, err := (Composer{}).VoucherIssued(testVoucher(), "a@example.org", "", "fr"); err == nil {
		t.Error("a Composer without BaseURL wrote a mail")
	}
}

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency market.Currency
		fr, en   string
	}{
		{2500, market.CAD, "25,00\u00a0$", "$25.00"},
		{2500, market.EUR, "25,00\u00a0€", "€25.00"},
		{5, market.CAD, "0,05\u00a0$", "$0.05"},
		{123456789, market.EUR, "1\u00a0234\u00a0567,89\u00a0€", "€1,234,567.89"},
		{-100050, market.CAD, "-1\u00a0000,50\u00a0$", "-$1,000.50"},
		{2500, "usd", "25,00\u00a0USD", "25.00 USD"},
	} {
		if got := formatMoney(tc.minor, tc.currency, "fr"); got != tc.fr {
			t.Errorf("fr %d %s = %q, want %q", tc.minor, tc.currency, got, tc.fr)
		}
		if got := formatMoney(tc.minor, tc.currency, "en"); got != tc.en {
			t.Errorf("en %d %s = %q, want %q", tc.minor, tc.currency, got, tc.en)
		}
	}
}

func asError(err error, target **market.Error) bool { return errors.As(err, target) }

// The interfaces of package market this package implements.
var (
	_ market.MailComposer = Composer{}
	_ market.Mailer       = (*SMTP)(nil)
)
