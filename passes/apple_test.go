package passes

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/smallstep/pkcs7"

	"github.com/solidaire-app/solidaire/market"
)

const testPassTypeID = "pass.app.solidaire.test"

// cmd wires the concrete types; these keep them in step with the domain.
var (
	_ market.AppleWallet  = (*Apple)(nil)
	_ market.GoogleWallet = (*Google)(nil)
)

// testPKI is a throwaway "WWDR" certificate authority and a Pass Type ID
// certificate it issued, as Apple would.
type testPKI struct {
	caPEM, certPEM, keyPEM []byte
	ca, cert               *x509.Certificate
	caKey                  crypto.Signer
}

// newTestPKI issues a signer certificate whose key is written the way
// keyForm says: "pkcs1", "pkcs8" (both RSA) or "ec" (SEC 1).
func newTestPKI(t *testing.T, keyForm, uid string) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Test WWDR CA", OrganizationalUnit: []string{"G4"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)

	var key crypto.Signer
	var keyPEM []byte
	switch keyForm {
	case "pkcs1", "pkcs8":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = k
		if keyForm == "pkcs1" {
			keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		} else {
			der, _ := x509.MarshalPKCS8PrivateKey(k)
			keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		}
	case "ec":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
		der, _ := x509.MarshalECPrivateKey(k)
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	default:
		t.Fatalf("unknown key form %q", keyForm)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject: pkix.Name{
			CommonName:         "Pass Type ID: " + uid,
			OrganizationalUnit: []string{"TEAM123456"},
			ExtraNames:         []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: uid}},
		},
		NotBefore:   time.Now().Add(-time.Hour),
		NotAfter:    time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testPKI{
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  keyPEM,
		ca:      ca, cert: cert, caKey: caKey,
	}
}

func (p *testPKI) config() AppleConfig {
	return AppleConfig{
		PassTypeID:       testPassTypeID,
		TeamID:           "TEAM123456",
		OrganizationName: "Solidaire",
		WebServiceURL:    "https://solidaire.example/api/v1/passes",
		CertificatePEM:   p.certPEM,
		KeyPEM:           p.keyPEM,
		WWDRPEM:          p.caPEM,
		AuthSecret:       []byte("0123456789abcdef0123456789abcdef"),
	}
}

func newTestApple(t *testing.T, p *testPKI) *Apple {
	t.Helper()
	a, err := NewApple(p.config())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func testCard() market.PassCard {
	return market.PassCard{
		Serial:         "vch_3k9xq2m8d7f6g5h4j3k2",
		Code:           "K3F9QX2M7TR4VW8YZ6AB",
		URL:            "HTTPS://SOLIDAIRE.EXAMPLE/V/K3F9QX2M7TR4VW8YZ6AB",
		PageURL:        "https://solidaire.example/v/K3F9QX2M7TR4VW8YZ6AB",
		MerchantName:   "Boulangerie du Coin",
		Balance:        2500,
		Bonus:          500,
		BonusExpiresAt: time.Date(2026, 12, 31, 5, 0, 0, 0, time.UTC),
		Currency:       market.CAD,
		Status:         market.VoucherActive,
		RecipientName:  "Léa",
		Giver:          "Marc « le voisin »",
		UpdatedAt:      time.Date(2026, 5, 1, 14, 30, 0, 0, time.UTC),
	}
}

// unzipPass returns the files of a .pkpass.
func unzipPass(t *testing.T, pkpass []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}

// readStrings decodes a UTF-16 .strings file into its entries.
func readStrings(t *testing.T, b []byte) map[string]string {
	t.Helper()
	if len(b) < 2 || b[0] != 0xff || b[1] != 0xfe || len(b)%2 != 0 {
		t.Fatalf("pass.strings is not UTF-16LE with a BOM: % x", b[:min(len(b), 8)])
	}
	units := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		units = append(units, uint16(b[i])|uint16(b[i+1])<<8)
	}
	line := regexp.MustCompile(`^"((?:[^"\\]|\\.)*)" = "((?:[^"\\]|\\.)*)";$`)
	unesc := strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n", `\r`, "\r", `\t`, "\t")
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(utf16.Decode(units)), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("bad .strings line %q", l)
		}
		out[unesc.Replace(m[1])] = unesc.Replace(m[2])
	}
	return out
}

func requireOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl is needed to verify pass signatures: ", err)
		}
		t.Skip("openssl not found; set CI to make this a failure")
	}
	return path
}

func TestPassSignature(t *testing.T) {
	openssl := requireOpenSSL(t)
	for _, form := range []string{"pkcs1", "pkcs8", "ec"} {
		t.Run(form, func(t *testing.T) {
			p := newTestPKI(t, form, testPassTypeID)
			a := newTestApple(t, p)
			pkpass, err := a.Pass(testCard())
			if err != nil {
				t.Fatal(err)
			}
			files := unzipPass(t, pkpass)

			var manifest map[string]string
			if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
				t.Fatal(err)
			}
			for name, content := range files {
				if name == "manifest.json" || name == "signature" {
					if _, listed := manifest[name]; listed {
						t.Errorf("manifest lists %s", name)
					}
					continue
				}
				sum := sha1.Sum(content)
				if manifest[name] != hex.EncodeToString(sum[:]) {
					t.Errorf("manifest[%s] = %q, want the SHA-1 %x", name, manifest[name], sum)
				}
			}
			if len(manifest) != len(files)-2 {
				t.Errorf("manifest lists %d files, the pass holds %d besides manifest and signature", len(manifest), len(files)-2)
			}
			for _, name := range []string{"pass.json", "icon.png", "icon@2x.png", "logo.png", "fr.lproj/pass.strings", "en.lproj/pass.strings"} {
				if _, ok := files[name]; !ok {
					t.Errorf("the pass has no %s", name)
				}
			}

			dir := t.TempDir()
			write := func(name string, b []byte) string {
				path := filepath.Join(dir, name)
				if err := os.WriteFile(path, b, 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			}
			sig := write("signature", files["signature"])
			ca := write("ca.pem", p.caPEM)
			verify := func(content string) ([]byte, error) {
				return exec.Command(openssl, "smime", "-verify", "-binary", "-inform", "DER",
					"-in", sig, "-content", content, "-CAfile", ca, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
			}
			if out, err := verify(write("manifest.json", files["manifest.json"])); err != nil {
				t.Fatalf("openssl refuses the signature: %v\n%s", err, out)
			}
			tampered := bytes.Replace(files["manifest.json"], []byte(`"pass.json":"`), []byte(`"pass.json":"0`), 1)
			if out, err := verify(write("tampered.json", tampered)); err == nil {
				t.Fatalf("openssl accepts the signature over another manifest:\n%s", out)
			}

			// The signature carries the WWDR certificate and the signing time.
			p7, err := pkcs7.Parse(files["signature"])
			if err != nil {
				t.Fatal(err)
			}
			var hasWWDR bool
			for _, c := range p7.Certificates {
				hasWWDR = hasWWDR || c.Equal(p.ca)
			}
			if !hasWWDR {
				t.Error("the signature does not carry the WWDR certificate")
			}
			var signed time.Time
			if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signed); err != nil {
				t.Fatalf("no signing time: %v", err)
			}
			if d := time.Since(signed); d < -time.Minute || d > time.Minute {
				t.Errorf("signing time %v is not now", signed)
			}
		})
	}
}

func TestPassContents(t *testing.T) {
	p := newTestPKI(t, "ec", testPassTypeID)
	a := newTestApple(t, p)
	card := testCard()
	files := unzipPass(t, must(a.Pass(card)))

	var pass struct {
		FormatVersion       int    `json:"formatVersion"`
		PassTypeIdentifier  string `json:"passTypeIdentifier"`
		SerialNumber        string `json:"serialNumber"`
		TeamIdentifier      string `json:"teamIdentifier"`
		OrganizationName    string `json:"organizationName"`
		Description         string `json:"description"`
		WebServiceURL       string `json:"webServiceURL"`
		AuthenticationToken string `json:"authenticationToken"`
		Voided              *bool  `json:"voided"`
		Barcodes            []struct {
			Format, Message, MessageEncoding, AltText string
		} `json:"barcodes"`
		StoreCard map[string][]map[string]any `json:"storeCard"`
	}
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		t.Fatal(err)
	}
	fr := readStrings(t, files["fr.lproj/pass.strings"])
	en := readStrings(t, files["en.lproj/pass.strings"])
	// what a device in each language shows for a pass.json string
	show := func(table map[string]string, v any) string {
		s, _ := v.(string)
		if l, ok := table[s]; ok {
			return l
		}
		return s
	}

	if pass.FormatVersion != 1 || pass.PassTypeIdentifier != testPassTypeID || pass.TeamIdentifier != "TEAM123456" ||
		pass.SerialNumber != card.Serial || pass.OrganizationName != "Solidaire" {
		t.Errorf("identifiers: %+v", pass)
	}
	if pass.WebServiceURL != "https://solidaire.example/api/v1/passes" {
		t.Errorf("webServiceURL = %q", pass.WebServiceURL)
	}
	if pass.AuthenticationToken != a.AuthToken(card.Serial) || len(pass.AuthenticationToken) < 16 {
		t.Errorf("authenticationToken = %q, want AuthToken(serial) = %q", pass.AuthenticationToken, a.AuthToken(card.Serial))
	}
	if pass.Voided != nil {
		t.Errorf("an active voucher's pass is voided: %v", *pass.Voided)
	}
	if len(pass.Barcodes) != 1 || pass.Barcodes[0].Format != "PKBarcodeFormatQR" || pass.Barcodes[0].Message != card.URL ||
		pass.Barcodes[0].MessageEncoding != "iso-8859-1" || pass.Barcodes[0].AltText != "K3F9-QX2M-7TR4-VW8Y-Z6AB" {
		t.Errorf("barcodes = %+v", pass.Barcodes)
	}
	if got := show(fr, pass.Description); got != "Carte-cadeau solidaire : Boulangerie du Coin" {
		t.Errorf("French description = %q", got)
	}

	field := func(group, key string) map[string]any {
		for _, f := range pass.StoreCard[group] {
			if f["key"] == key {
				return f
			}
		}
		t.Fatalf("no %s field %q in %v", group, key, pass.StoreCard[group])
		return nil
	}
	bal := field("primaryFields", "balance")
	for _, c := range []struct {
		table                map[string]string
		label, value, change string
	}{
		{fr, "Solde", "25,00\u00a0$", "Nouveau solde : %@"},
		{en, "Balance", "$25.00", "New balance: %@"},
	} {
		if got := show(c.table, bal["label"]); got != c.label {
			t.Errorf("balance label = %q, want %q", got, c.label)
		}
		if got := show(c.table, bal["value"]); got != c.value {
			t.Errorf("balance = %q, want %q", got, c.value)
		}
		if got := show(c.table, bal["changeMessage"]); got != c.change {
			t.Errorf("changeMessage = %q, want %q", got, c.change)
		}
	}
	if got := show(en, field("auxiliaryFields", "bonus")["value"]); got != "$5.00" {
		t.Errorf("bonus = %q", got)
	}
	exp := field("auxiliaryFields", "bonusExpires")
	if exp["value"] != "2026-12-31T00:00:00-05:00" || exp["dateStyle"] != "PKDateStyleMedium" {
		t.Errorf("bonus expiry field = %v", exp)
	}
	if m := field("secondaryFields", "merchant"); show(fr, m["label"]) != "Commerce" || m["value"] != "Boulangerie du Coin" {
		t.Errorf("merchant field = %v", m)
	}
	if got := field("backFields", "code")["value"]; got != "K3F9-QX2M-7TR4-VW8Y-Z6AB" {
		t.Errorf("code = %v", got)
	}
	if g := field("backFields", "giver"); show(fr, g["label"]) != "De la part de" || g["value"] != card.Giver {
		t.Errorf("giver field = %v", g)
	}
	termsFR := show(fr, field("backFields", "terms")["value"])
	termsEN := show(en, field("backFields", "terms")["value"])
	for _, want := range []string{"n’expire jamais", "aucuns frais", "187.1", "bonus", card.PageURL} {
		if !strings.Contains(termsFR, want) {
			t.Errorf("French terms lack %q: %s", want, termsFR)
		}
	}
	for _, want := range []string{"never expires", "no fees", "may expire", card.PageURL} {
		if !strings.Contains(termsEN, want) {
			t.Errorf("English terms lack %q: %s", want, termsEN)
		}
	}
	if len(fr) != len(en) {
		t.Errorf("fr.lproj has %d strings, en.lproj %d", len(fr), len(en))
	}
}

func TestPassStatus(t *testing.T) {
	a := newTestApple(t, newTestPKI(t, "ec", testPassTypeID))
	card := testCard()
	card.Status, card.Balance, card.Bonus, card.BonusExpiresAt, card.Giver = market.VoucherVoid, 0, 0, time.Time{}, ""
	files := unzipPass(t, must(a.Pass(card)))
	var pass struct {
		Voided    bool `json:"voided"`
		StoreCard struct {
			HeaderFields    []map[string]any `json:"headerFields"`
			AuxiliaryFields []map[string]any `json:"auxiliaryFields"`
		} `json:"storeCard"`
	}
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		t.Fatal(err)
	}
	if !pass.Voided {
		t.Error("a void voucher's pass is not voided")
	}
	fr := readStrings(t, files["fr.lproj/pass.strings"])
	if len(pass.StoreCard.HeaderFields) != 1 || fr[pass.StoreCard.HeaderFields[0]["value"].(string)] != "Annulée" {
		t.Errorf("header fields = %v", pass.StoreCard.HeaderFields)
	}
	if len(pass.StoreCard.AuxiliaryFields) != 0 {
		t.Errorf("a card without bonus shows %v", pass.StoreCard.AuxiliaryFields)
	}

	if _, err := a.Pass(market.PassCard{Serial: "../x", Code: "A", URL: "B", Currency: market.CAD}); err == nil {
		t.Error("a serial with a slash was accepted")
	}
}

func TestAuth(t *testing.T) {
	a := newTestApple(t, newTestPKI(t, "ec", testPassTypeID))
	tok := a.AuthToken("vch_1")
	if len(tok) < 16 || tok == a.AuthToken("vch_2") || tok != a.AuthToken("vch_1") {
		t.Fatalf("AuthToken is not a stable per-serial token: %q", tok)
	}
	for _, c := range []struct {
		serial, header string
		ok             bool
	}{
		{"vch_1", "ApplePass " + tok, true},
		{"vch_2", "ApplePass " + tok, false},
		{"vch_1", tok, false},
		{"vch_1", "Bearer " + tok, false},
		{"vch_1", "ApplePass " + tok[:len(tok)-1], false},
		{"vch_1", "ApplePass ", false},
		{"", "ApplePass " + a.AuthToken(""), false},
	} {
		if got := a.CheckAuth(c.serial, c.header); got != c.ok {
			t.Errorf("CheckAuth(%q, %q) = %v, want %v", c.serial, c.header, got, c.ok)
		}
	}
}

func TestNewAppleRefuses(t *testing.T) {
	p := newTestPKI(t, "ec", testPassTypeID)
	other := newTestPKI(t, "ec", testPassTypeID)
	for name, edit := range map[string]func(*AppleConfig){
		"KeyOfAnotherCertificate": func(c *AppleConfig) { c.KeyPEM = other.keyPEM },
		"OtherWWDR":               func(c *AppleConfig) { c.WWDRPEM = other.caPEM },
		"OtherPassTypeID":         func(c *AppleConfig) { c.PassTypeID = "pass.other" },
		"ShortSecret":             func(c *AppleConfig) { c.AuthSecret = []byte("short") },
		"NoTeam":                  func(c *AppleConfig) { c.TeamID = "" },
		"OtherTeam":               func(c *AppleConfig) { c.TeamID = "OTHER12345" },
		"EncryptedKey": func(c *AppleConfig) {
			c.KeyPEM = pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})
		},
		"RelativeWebService": func(c *AppleConfig) { c.WebServiceURL = "/api/v1/passes" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := p.config()
			edit(&cfg)
			if _, err := NewApple(cfg); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Run("BundleAndDERWWDR", func(t *testing.T) {
		cfg := p.config()
		cfg.CertificatePEM = append(append([]byte{}, p.caPEM...), p.certPEM...)
		cfg.WWDRPEM = p.ca.Raw
		if _, err := NewApple(cfg); err != nil {
			t.Error(err)
		}
	})
}

// apnsRequest is what the fake APNs saw.
type apnsRequest struct {
	method, path, topic, body string
	proto                     int
	clientCert                *x509.Certificate
}

func TestPush(t *testing.T) {
	p := newTestPKI(t, "pkcs1", testPassTypeID)
	var (
		mu   sync.Mutex
		seen []apnsRequest
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := apnsRequest{method: r.Method, path: r.URL.Path, topic: r.Header.Get("apns-topic"), body: string(body), proto: r.ProtoMajor}
		if len(r.TLS.PeerCertificates) > 0 {
			req.clientCert = r.TLS.PeerCertificates[0]
		}
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		switch strings.TrimPrefix(r.URL.Path, "/3/device/") {
		case "gone1", "gone2":
			w.WriteHeader(http.StatusGone)
			io.WriteString(w, `{"reason":"Unregistered","timestamp":1700000000000}`)
		case "bad":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"reason":"BadDeviceToken"}`)
		default:
			w.Header().Set("apns-id", "EC1BF194-B3B2-424A-89A9-5A918A6E6B5E")
		}
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()

	cfg := p.config()
	cfg.APNsURL = srv.URL
	cfg.APNsRootCAs = x509.NewCertPool()
	cfg.APNsRootCAs.AddCert(srv.Certificate())
	a, err := NewApple(cfg)
	if err != nil {
		t.Fatal(err)
	}

	if err := a.Push(context.Background(), []string{"ok1", "ok2", "ok1", ""}); err != nil {
		t.Fatalf("Push to good tokens: %v", err)
	}
	if len(seen) != 2 {
		t.Fatalf("APNs got %d requests for 2 distinct tokens", len(seen))
	}
	for _, r := range seen {
		if r.method != http.MethodPost || !strings.HasPrefix(r.path, "/3/device/ok") || r.topic != testPassTypeID || r.body != "{}" || r.proto != 2 {
			t.Errorf("APNs request = %+v, want POST /3/device/<token> over HTTP/2 with apns-topic %s and body {}", r, testPassTypeID)
		}
		if r.clientCert == nil || !r.clientCert.Equal(p.cert) {
			t.Errorf("the client did not authenticate with the Pass Type ID certificate")
		}
	}

	err = a.Push(context.Background(), []string{"ok3", "gone2", "gone1", "bad"})
	var pe *PushError
	if !errors.As(err, &pe) {
		t.Fatalf("Push = %v, want a *PushError", err)
	}
	if strings.Join(pe.Gone, ",") != "gone1,gone2" {
		t.Errorf("Gone = %v, want gone1,gone2", pe.Gone)
	}
	var ae *APNsError
	if len(pe.Failed) != 1 || !errors.As(pe.Failed["bad"], &ae) || ae.Status != 400 || ae.Reason != "BadDeviceToken" {
		t.Errorf("Failed = %v, want bad: 400 BadDeviceToken", pe.Failed)
	}
	if strings.Contains(pe.Error(), "gone1") {
		t.Errorf("the error message names a device token: %s", pe.Error())
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
