package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/qrcode"
)

//go:embed templates/*.txt templates/*.html
var templateFiles embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/*.html"))
)

// qrName is the name, and Content-ID, of the QR code image attached inline
// to a voucher's mails; their HTML shows it as cid:qr.png.
const qrName = "qr.png"

// Composer writes the mails that announce a voucher. It implements
// market.MailComposer.
type Composer struct {
	// BaseURL is the site's address, such as "https://solidaire.example":
	// the voucher's page and its QR code are made from it.
	BaseURL string
	// AppleWallet adds the "Ajouter à Apple Wallet" link to voucher mails
	// (when the operator configured a Pass Type certificate).
	AppleWallet bool
}

// VoucherIssued writes the mail that announces v to the address to, in
// French then in English (the subject too when lang is "en"). When v is a
// gift and to is its recipient's address, the mail is the gift itself,
// from buyerName with the buyer's message; otherwise it is the buyer's
// mail, which also tells whom a gift is for. Both hold what the law asks to
// show: the merchant, the value, the balance and how to check it, the code
// in groups with its QR code, and that the paid value never expires. It
// returns EInvalid for a voucher or an address that cannot be written to.
func (c Composer) VoucherIssued(v *market.Voucher, to, buyerName, lang string) (*market.Mail, error) {
	if v == nil {
		return nil, market.Invalid("voucher", "missing")
	}
	if market.NormalizeCode(v.Code) != v.Code {
		return nil, market.Invalid("code", "not a voucher code")
	}
	if !v.Currency.Valid() {
		return nil, market.Invalid("currency", "not an accepted currency")
	}
	addr, err := netmail.ParseAddress(to)
	if err != nil {
		return nil, market.Invalid("to", "not an email address")
	}
	if c.BaseURL == "" {
		return nil, fmt.Errorf("mail: the Composer has no BaseURL")
	}
	english := strings.HasPrefix(strings.ToLower(lang), "en")

	gift := false
	if r, err := netmail.ParseAddress(v.RecipientEmail); err == nil {
		gift = strings.EqualFold(r.Address, addr.Address)
	}
	d := voucherData{
		Gift:       gift,
		Buyer:      oneLine(buyerName),
		Merchant:   oneLine(v.MerchantName),
		MerchantEN: oneLine(v.MerchantName),
		Recipient:  oneLine(v.RecipientName),
		Value:      formatBoth(v.Initial, v.Currency),
		Balance:    formatBoth(v.Balance, v.Currency),
		Code:       market.GroupCode(v.Code),
		URL:        strings.TrimRight(c.BaseURL, "/") + "/v/" + v.Code,
		QRSrc:      htmltemplate.URL("cid:" + qrName), // html/template would refuse the cid: scheme
		Quebec:     v.Currency == market.CAD,
	}
	if v.ProgrammeID != "" {
		d.Programme = oneLine(v.MerchantName)
		d.Merchant = "les commerces participants de " + d.Programme
		d.MerchantEN = d.Programme + "'s participating shops"
		d.ProgrammeURL = strings.TrimRight(c.BaseURL, "/") + "/p/" + v.ProgrammeSlug
		if v.Bonus > 0 {
			b := formatBoth(v.Bonus, v.Currency)
			d.Bonus = &b
			if !v.BonusExpiresAt.IsZero() {
				d.BonusUntil = v.BonusExpiresAt.In(locationOf(v.Currency)).Format("02/01/2006")
			}
		}
	}
	if gift {
		d.Name = d.Recipient
		if msg := strings.TrimSpace(strings.ReplaceAll(v.Message, "\r\n", "\n")); msg != "" {
			d.MessageLines = strings.Split(msg, "\n")
		}
	} else {
		d.Name = d.Buyer
		d.ForSomeone = v.RecipientName != "" || v.RecipientEmail != ""
		if v.RecipientEmail != "" {
			d.SentTo = oneLine(v.RecipientEmail)
			if !v.DeliverAt.IsZero() {
				loc := locationOf(v.Currency)
				d.SentOnFR = frenchDateTime(v.DeliverAt.In(loc))
				d.SentOnEN = v.DeliverAt.In(loc).Format("January 2, 2006 at 3:04 PM")
			}
		}
	}
	d.Subject = subject(d, english)
	d.WalletURL = strings.TrimRight(c.BaseURL, "/") + "/mes-bons"
	if c.AppleWallet {
		d.PassURL = strings.TrimRight(c.BaseURL, "/") + "/api/v1/vouchers/" + v.Code + "/pass.pkpass"
	}

	qrText := market.VoucherURL(c.BaseURL, v.Code)
	side, err := qrcode.Side(qrText)
	if err != nil {
		return nil, fmt.Errorf("mail: QR code of a voucher: %w", err)
	}
	d.QRSize = side

	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, "voucher.txt", d); err != nil {
		return nil, fmt.Errorf("mail: voucher text: %w", err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, "voucher.html", d); err != nil {
		return nil, fmt.Errorf("mail: voucher HTML: %w", err)
	}
	return &market.Mail{
		ID:          market.NewID("mail"),
		To:          addr.Address,
		Subject:     d.Subject,
		Text:        text.String(),
		HTML:        html.String(),
		Attachments: []market.Attachment{{Name: qrName, ContentType: "image/png", QRText: qrText, Inline: true}},
		Status:      market.MailPending,
	}, nil
}

// voucherData is what the voucher templates show. Names come from people
// and are escaped by html/template.
type voucherData struct {
	Subject    string
	Gift       bool   // the mail is the gift, to its recipient
	ForSomeone bool   // the buyer's mail about a voucher bought as a gift
	SentTo     string // where the gift mail went, for the buyer's
	// SentOnFR and SentOnEN: the day a gift's mail leaves, when scheduled.
	SentOnFR, SentOnEN string
	// PassURL is the voucher as an Apple Wallet pass; WalletURL the page
	// where all of a person's vouchers are found again.
	PassURL, WalletURL string
	Name               string // whom the mail greets, "" for no name
	Buyer              string
	Recipient          string
	Merchant           string // where it is spent, in French
	MerchantEN         string // and in English
	// Programme names a town programme's card, spendable at its merchants
	// (ProgrammeURL lists them), with its bonus and the bonus's end.
	Programme    string
	ProgrammeURL string
	Bonus        *amount
	BonusUntil   string
	MessageLines []string // the buyer's message to the recipient
	Value        amount
	Balance      amount
	Code         string // in groups
	URL          string // the voucher's page
	QRSrc        htmltemplate.URL
	QRSize       int  // pixels
	Quebec       bool // sold in Canadian dollars: Québec law applies
}

// amount is a sum of money written for each language.
type amount struct{ FR, EN string }

func formatBoth(minor int64, c market.Currency) amount {
	return amount{FR: formatMoney(minor, c, "fr"), EN: formatMoney(minor, c, "en")}
}

func subject(d voucherData, english bool) string {
	fr := "Votre bon solidaire chez " + d.Merchant
	en := "Your solidarity gift certificate at " + d.Merchant
	switch {
	case d.Gift && d.Buyer != "":
		fr = d.Buyer + " vous offre un bon solidaire chez " + d.Merchant
		en = d.Buyer + " is giving you a solidarity gift certificate at " + d.Merchant
	case d.Gift:
		fr = "On vous offre un bon solidaire chez " + d.Merchant
		en = "You have been given a solidarity gift certificate at " + d.Merchant
	}
	if d.Programme != "" {
		fr, en = "Votre carte "+d.Programme, "Your "+d.Programme+" card"
		if d.Gift {
			fr, en = "On vous offre une carte "+d.Programme, "You have been given a "+d.Programme+" card"
		}
	}
	if english {
		return fr + " / " + en
	}
	return fr
}

// formatMoney writes an amount of minor units as people read it in lang
// (market.Money.Format).
func formatMoney(minor int64, c market.Currency, lang string) string {
	return market.Money{Amount: minor, Currency: c}.Format(lang)
}

// frenchMonths are the months as French writes them in a date.
var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// frenchDateTime writes a moment as French reads it: "14 mars 2027 à 9 h 00".
func frenchDateTime(t time.Time) string {
	return fmt.Sprintf("%d %s %d à %d h %02d", t.Day(), frenchMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
