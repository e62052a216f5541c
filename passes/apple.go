package passes

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/solidaire-app/solidaire/market"
)

// AppleConfig is what an Apple Wallet issuer needs; doc.go says how an
// operator obtains each part.
type AppleConfig struct {
	// PassTypeID is the Pass Type ID registered with Apple, e.g.
	// "pass.app.solidaire.voucher"; it must match the certificate's UID.
	PassTypeID string
	// TeamID is the Apple Developer team identifier (10 characters).
	TeamID string
	// OrganizationName is shown on the lock screen and as the pass's logo
	// text, e.g. "Solidaire".
	OrganizationName string
	// WebServiceURL is the base URL of the pass web service, e.g.
	// "https://solidaire.example/api/v1/passes"; devices append
	// "/v1/devices/…" and "/v1/passes/…" to it. Empty makes passes that
	// never update. Wallet requires HTTPS outside development.
	WebServiceURL string
	// CertificatePEM is the Pass Type ID certificate (PEM; a bundle with
	// its chain is accepted, the certificate matching the key is used).
	CertificatePEM []byte
	// KeyPEM is the certificate's private key, unencrypted PEM: PKCS#1
	// ("RSA PRIVATE KEY"), PKCS#8 ("PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY").
	KeyPEM []byte
	// WWDRPEM is Apple's WWDR intermediate certificate that issued the
	// Pass Type ID certificate (G4 today), PEM or DER.
	WWDRPEM []byte
	// AuthSecret derives each pass's authenticationToken; at least 16
	// random bytes, kept as long as passes are out there.
	AuthSecret []byte
	// APNsURL is the APNs base URL; empty means https://api.push.apple.com.
	// Wallet passes always use production APNs.
	APNsURL string
	// APNsRootCAs replaces the system roots when checking APNs' server
	// certificate; nil for production, a test server's pool in tests.
	APNsRootCAs *x509.CertPool
	// HTTPClient, when set, replaces the APNs client entirely: it must
	// speak HTTP/2 and present the Pass Type ID certificate itself. Nil
	// builds one that does.
	HTTPClient *http.Client
}

// Apple builds signed Apple Wallet store cards (.pkpass) for vouchers and
// tells devices, through APNs, that a pass changed. It implements
// market.AppleWallet and is safe for concurrent use.
type Apple struct {
	cfg    AppleConfig
	cert   *x509.Certificate
	key    crypto.PrivateKey
	wwdr   *x509.Certificate
	apns   string
	client *http.Client
}

// defaultAPNsURL is Apple's production push service.
const defaultAPNsURL = "https://api.push.apple.com"

// oidUID is the certificate subject attribute holding the Pass Type ID.
var oidUID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}

// NewApple checks cfg (identifiers present, the key matching the
// certificate, the certificate issued by the WWDR certificate and made for
// PassTypeID) and returns an issuer, or an error saying what is wrong.
func NewApple(cfg AppleConfig) (*Apple, error) {
	switch {
	case cfg.PassTypeID == "":
		return nil, errors.New("passes: apple: PassTypeID is required")
	case cfg.TeamID == "":
		return nil, errors.New("passes: apple: TeamID is required")
	case cfg.OrganizationName == "":
		return nil, errors.New("passes: apple: OrganizationName is required")
	case len(cfg.AuthSecret) < 16:
		return nil, errors.New("passes: apple: AuthSecret must be at least 16 bytes")
	}
	if cfg.WebServiceURL != "" {
		u, err := url.Parse(cfg.WebServiceURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("passes: apple: WebServiceURL %q is not an absolute http(s) URL", cfg.WebServiceURL)
		}
	}
	key, err := parseKey(cfg.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("passes: apple: key: %w", err)
	}
	cert, err := matchingCert(cfg.CertificatePEM, key)
	if err != nil {
		return nil, fmt.Errorf("passes: apple: certificate: %w", err)
	}
	wwdr, err := parseCert(cfg.WWDRPEM)
	if err != nil {
		return nil, fmt.Errorf("passes: apple: WWDR certificate: %w", err)
	}
	if err := cert.CheckSignatureFrom(wwdr); err != nil {
		return nil, fmt.Errorf("passes: apple: the certificate was not issued by the WWDR certificate given (%s): %w", wwdr.Subject.CommonName, err)
	}
	// Apple's Pass Type ID certificates name the pass type in UID and the
	// team in OU; Wallet refuses a pass.json that disagrees with them.
	for _, n := range cert.Subject.Names {
		if !n.Type.Equal(oidUID) {
			continue
		}
		if fmt.Sprint(n.Value) != cfg.PassTypeID {
			return nil, fmt.Errorf("passes: apple: the certificate is for %q, not PassTypeID %q", n.Value, cfg.PassTypeID)
		}
		if ou := cert.Subject.OrganizationalUnit; len(ou) > 0 && !slices.Contains(ou, cfg.TeamID) {
			return nil, fmt.Errorf("passes: apple: the certificate is team %q's, not TeamID %q", ou[0], cfg.TeamID)
		}
	}
	a := &Apple{cfg: cfg, cert: cert, key: key, wwdr: wwdr, apns: strings.TrimRight(cfg.APNsURL, "/"), client: cfg.HTTPClient}
	if a.apns == "" {
		a.apns = defaultAPNsURL
	}
	if a.client == nil {
		a.client = apnsClient(cert, wwdr, key, cfg.APNsRootCAs)
	}
	return a, nil
}

// PassTypeID is the Pass Type ID every pass is issued under; the web
// service checks it in the paths devices call.
func (a *Apple) PassTypeID() string { return a.cfg.PassTypeID }

// CertificateExpiry is when the Pass Type ID certificate expires: passes
// signed after it are refused by devices, so operators should watch it.
func (a *Apple) CertificateExpiry() time.Time { return a.cert.NotAfter }

// AuthToken is the authenticationToken of the pass with this serial:
// HMAC-SHA256 of the serial under AuthSecret, base64url (43 characters).
// It is derived, not stored, so it never needs a database column.
func (a *Apple) AuthToken(serial string) string {
	m := hmac.New(sha256.New, a.cfg.AuthSecret)
	m.Write([]byte(serial))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckAuth reports whether an Authorization header sent by a device
// ("ApplePass <token>") carries the token of the pass with this serial,
// comparing in constant time.
func (a *Apple) CheckAuth(serial, header string) bool {
	token, ok := strings.CutPrefix(header, "ApplePass ")
	if !ok || serial == "" {
		return false
	}
	return hmac.Equal([]byte(strings.TrimSpace(token)), []byte(a.AuthToken(serial)))
}

// serialPattern keeps serials safe in URLs, file names and object ids.
var serialPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// checkCard refuses a card no pass can be made from.
func checkCard(card market.PassCard) error {
	switch {
	case !serialPattern.MatchString(card.Serial):
		return fmt.Errorf("passes: serial %q: want 1 to 64 of A-Z a-z 0-9 . _ -", card.Serial)
	case card.Code == "":
		return errors.New("passes: the card has no code")
	case card.URL == "":
		return errors.New("passes: the card has no QR URL")
	case !card.Currency.Valid():
		return fmt.Errorf("passes: unknown currency %q", card.Currency)
	}
	return nil
}

// Pass returns a signed .pkpass (a zip) showing card as a store card. It
// fails only on a card without serial, code, URL or known currency, or if
// signing fails.
func (a *Apple) Pass(card market.PassCard) ([]byte, error) {
	if err := checkCard(card); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	pass, fr, en := a.passJSON(card)
	b, err := json.Marshal(pass)
	if err != nil {
		return nil, err
	}
	files["pass.json"] = b
	files["fr.lproj/pass.strings"] = stringsFile(fr)
	files["en.lproj/pass.strings"] = stringsFile(en)
	for name, img := range passImage() {
		files[name] = img
	}

	manifest := map[string]string{}
	for name, content := range files {
		sum := sha1.Sum(content) // Apple's manifest format is SHA-1
		manifest[name] = hex.EncodeToString(sum[:])
	}
	m, err := json.Marshal(manifest)
	if err != nil {
		return nil, err
	}
	sig, err := a.sign(m)
	if err != nil {
		return nil, fmt.Errorf("passes: signing the manifest: %w", err)
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	write := func(name string, content []byte) error {
		w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: card.UpdatedAt.UTC()})
		if err != nil {
			return err
		}
		_, err = w.Write(content)
		return err
	}
	for _, name := range names {
		if err := write(name, files[name]); err != nil {
			return nil, err
		}
	}
	if err := write("manifest.json", m); err != nil {
		return nil, err
	}
	if err := write("signature", sig); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// sign makes the detached PKCS#7 signature of manifest.json that Wallet
// checks: signed by the Pass Type ID certificate with SHA-256, carrying the
// WWDR certificate and the signing time.
func (a *Apple) sign(manifest []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(manifest)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(a.cert, a.key, []*x509.Certificate{a.wwdr}, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	sd.Detach()
	return sd.Finish()
}

// passJSON and its parts follow Apple's PassKit package format.
type passJSON struct {
	FormatVersion       int           `json:"formatVersion"`
	PassTypeIdentifier  string        `json:"passTypeIdentifier"`
	SerialNumber        string        `json:"serialNumber"`
	TeamIdentifier      string        `json:"teamIdentifier"`
	OrganizationName    string        `json:"organizationName"`
	Description         string        `json:"description"`
	LogoText            string        `json:"logoText,omitempty"`
	WebServiceURL       string        `json:"webServiceURL,omitempty"`
	AuthenticationToken string        `json:"authenticationToken,omitempty"`
	BackgroundColor     string        `json:"backgroundColor"`
	ForegroundColor     string        `json:"foregroundColor"`
	LabelColor          string        `json:"labelColor"`
	Barcodes            []passBarcode `json:"barcodes"`
	Voided              bool          `json:"voided,omitempty"`
	StoreCard           passStructure `json:"storeCard"`
}

type passBarcode struct {
	Format          string `json:"format"`
	Message         string `json:"message"`
	MessageEncoding string `json:"messageEncoding"`
	AltText         string `json:"altText,omitempty"`
}

type passStructure struct {
	HeaderFields    []passField `json:"headerFields,omitempty"`
	PrimaryFields   []passField `json:"primaryFields"`
	SecondaryFields []passField `json:"secondaryFields,omitempty"`
	AuxiliaryFields []passField `json:"auxiliaryFields,omitempty"`
	BackFields      []passField `json:"backFields,omitempty"`
}

type passField struct {
	Key           string `json:"key"`
	Label         string `json:"label,omitempty"`
	Value         string `json:"value"`
	ChangeMessage string `json:"changeMessage,omitempty"`
	DateStyle     string `json:"dateStyle,omitempty"`
	TimeStyle     string `json:"timeStyle,omitempty"`
	// IgnoresTimeZone shows a date in the zone it is written in (the
	// seller's), not the device's.
	IgnoresTimeZone bool `json:"ignoresTimeZone,omitempty"`
}

// passJSON lays card out as a store card. Wallet looks every label and
// string value up in the lproj of the device's language, so pass.json
// holds keys, and the two pass.strings files returned hold their French
// and English texts. Amounts are keyed by their French text, so the value
// in pass.json changes with the balance and Wallet announces the change
// with changeMessage; names and the code have no entry and show as they are.
func (a *Apple) passJSON(card market.PassCard) (p passJSON, fr, en [][2]string) {
	texts := map[string]bilingual{}
	key := func(k string, b bilingual) string {
		texts[k] = b
		return k
	}
	amount := func(minor int64) string {
		b := moneyText(minor, card.Currency)
		return key(b.fr, b)
	}

	p = passJSON{
		FormatVersion:      1,
		PassTypeIdentifier: a.cfg.PassTypeID,
		SerialNumber:       card.Serial,
		TeamIdentifier:     a.cfg.TeamID,
		OrganizationName:   a.cfg.OrganizationName,
		Description:        key("pass.description", description(card)),
		LogoText:           a.cfg.OrganizationName,
		BackgroundColor:    brandRGB,
		ForegroundColor:    whiteRGB,
		LabelColor:         labelRGB,
		Barcodes: []passBarcode{{
			Format:          "PKBarcodeFormatQR",
			Message:         card.URL,
			MessageEncoding: "iso-8859-1",
			AltText:         market.GroupCode(card.Code),
		}},
		Voided: card.Status == market.VoucherVoid,
	}
	if a.cfg.WebServiceURL != "" {
		p.WebServiceURL = a.cfg.WebServiceURL
		p.AuthenticationToken = a.AuthToken(card.Serial)
	}

	s := &p.StoreCard
	switch card.Status {
	case market.VoucherDisputed:
		s.HeaderFields = append(s.HeaderFields, passField{Key: "status", Label: key("label.status", textStatus), Value: key("status.disputed", textDisputed)})
	case market.VoucherVoid:
		s.HeaderFields = append(s.HeaderFields, passField{Key: "status", Label: key("label.status", textStatus), Value: key("status.void", textVoid)})
	}
	s.PrimaryFields = []passField{{
		Key: "balance", Label: key("label.balance", textBalance),
		Value: amount(card.Balance), ChangeMessage: key("change.balance", textNewBalance),
	}}
	where := key("label.merchant", textMerchant)
	if card.Programme {
		where = key("label.programme", textProgramme)
	}
	s.SecondaryFields = []passField{{Key: "merchant", Label: where, Value: card.MerchantName}}
	if card.RecipientName != "" {
		s.SecondaryFields = append(s.SecondaryFields, passField{Key: "recipient", Label: key("label.recipient", textRecipient), Value: card.RecipientName})
	}
	if card.Bonus > 0 {
		s.AuxiliaryFields = append(s.AuxiliaryFields, passField{
			Key: "bonus", Label: key("label.bonus", textBonus),
			Value: amount(card.Bonus), ChangeMessage: key("change.bonus", textNewBonus),
		})
		if !card.BonusExpiresAt.IsZero() {
			s.AuxiliaryFields = append(s.AuxiliaryFields, passField{
				Key: "bonusExpires", Label: key("label.bonusExpires", textBonusExpires),
				Value:     card.BonusExpiresAt.In(zoneOf(card.Currency)).Format(time.RFC3339),
				DateStyle: "PKDateStyleMedium", TimeStyle: "PKDateStyleNone", IgnoresTimeZone: true,
			})
		}
	}
	s.BackFields = []passField{{Key: "code", Label: key("label.code", textCode), Value: market.GroupCode(card.Code)}}
	if card.Giver != "" {
		s.BackFields = append(s.BackFields, passField{Key: "giver", Label: key("label.giver", textGiver), Value: card.Giver})
	}
	s.BackFields = append(s.BackFields, passField{Key: "terms", Label: key("label.terms", textTerms), Value: key("text.terms", terms(card))})
	if card.PageURL != "" {
		s.BackFields = append(s.BackFields, passField{Key: "page", Label: key("label.page", textPage), Value: card.PageURL})
	}

	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fr = append(fr, [2]string{k, texts[k].fr})
		en = append(en, [2]string{k, texts[k].en})
	}
	return p, fr, en
}

// parseKey reads an unencrypted private key in any of the PEM forms
// openssl writes.
func parseKey(pemBytes []byte) (crypto.PrivateKey, error) {
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no private key found in the PEM data")
		}
		switch block.Type {
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(block.Bytes)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, err
			}
			switch k.(type) {
			case *rsa.PrivateKey, *ecdsa.PrivateKey:
				return k, nil
			}
			return nil, fmt.Errorf("unsupported key type %T", k)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the key is encrypted: export it with openssl's -nodes (see the package documentation)")
		}
	}
}

// matchingCert finds, in a PEM bundle, the certificate whose public key is
// key's.
func matchingCert(pemBytes []byte, key crypto.PrivateKey) (*x509.Certificate, error) {
	pub := key.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool })
	found := false
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		found = true
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		if pub.Equal(c.PublicKey) {
			return c, nil
		}
	}
	if !found {
		return nil, errors.New("no certificate found in the PEM data")
	}
	return nil, errors.New("no certificate matches the private key")
}

// parseCert reads one certificate, PEM or DER (Apple publishes DER).
func parseCert(b []byte) (*x509.Certificate, error) {
	if block, _ := pem.Decode(b); block != nil {
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %q is not a certificate", block.Type)
		}
		b = block.Bytes
	}
	if len(b) == 0 {
		return nil, errors.New("empty")
	}
	return x509.ParseCertificate(b)
}
