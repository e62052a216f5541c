package passes

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/solidaire-app/solidaire/market"
)

// GoogleConfig is what a Google Wallet issuer needs; doc.go says how an
// operator obtains each part.
type GoogleConfig struct {
	// IssuerID is the issuer id shown in the Google Pay & Wallet Console.
	IssuerID string
	// ServiceAccountKey is the service account's JSON key file as Google
	// Cloud gives it (client_email, private_key, private_key_id, token_uri).
	ServiceAccountKey []byte
	// ClassSuffix names the one gift card class all vouchers share;
	// empty means "solidaire_gift".
	ClassSuffix string
	// IssuerName is the class's issuer and title, e.g. "Solidaire"; empty
	// means "Solidaire". The merchant of each card is on the card itself.
	IssuerName string
	// Origins are the sites allowed to show the save button, e.g.
	// "https://solidaire.example".
	Origins []string
	// LogoURL is an optional public https URL of the class's logo (at
	// least 660×660 px); Google shows a default without it.
	LogoURL string
	// APIURL is the Wallet REST API base; empty means
	// https://walletobjects.googleapis.com/walletobjects/v1.
	APIURL string
	// TokenURL is the OAuth 2.0 token endpoint; empty means the key's
	// token_uri, or https://oauth2.googleapis.com/token.
	TokenURL string
	// HTTPClient is used for the token endpoint and the API; nil means a
	// client with a 30-second timeout.
	HTTPClient *http.Client
}

// Google builds "save to Google Wallet" links for vouchers and keeps the
// saved gift cards current through the Wallet REST API. It implements
// market.GoogleWallet and is safe for concurrent use.
type Google struct {
	cfg      GoogleConfig
	key      *rsa.PrivateKey
	keyID    string
	email    string
	classID  string
	tokenURL string
	api      string
	client   *http.Client
	now      func() time.Time

	mu          sync.Mutex
	accessToken string
	tokenExpiry time.Time
}

// Google's fixed endpoints and scope.
const (
	defaultWalletAPI   = "https://walletobjects.googleapis.com/walletobjects/v1"
	defaultTokenURL    = "https://oauth2.googleapis.com/token"
	walletScope        = "https://www.googleapis.com/auth/wallet_object.issuer"
	saveURLPrefix      = "https://pay.google.com/gp/v/save/"
	defaultClassSuffix = "solidaire_gift"
)

// NewGoogle reads the service account key and returns an issuer, or an
// error saying what is missing or malformed.
func NewGoogle(cfg GoogleConfig) (*Google, error) {
	if cfg.IssuerID == "" {
		return nil, errors.New("passes: google: IssuerID is required")
	}
	var sa struct {
		Type         string `json:"type"`
		ClientEmail  string `json:"client_email"`
		PrivateKey   string `json:"private_key"`
		PrivateKeyID string `json:"private_key_id"`
		TokenURI     string `json:"token_uri"`
	}
	if err := json.Unmarshal(cfg.ServiceAccountKey, &sa); err != nil {
		return nil, fmt.Errorf("passes: google: service account key: %w", err)
	}
	if sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, errors.New("passes: google: the service account key has no client_email or private_key")
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(sa.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("passes: google: service account private_key: %w", err)
	}
	if cfg.ClassSuffix == "" {
		cfg.ClassSuffix = defaultClassSuffix
	}
	if cfg.IssuerName == "" {
		cfg.IssuerName = "Solidaire"
	}
	g := &Google{
		cfg: cfg, key: key, keyID: sa.PrivateKeyID, email: sa.ClientEmail,
		classID:  cfg.IssuerID + "." + cfg.ClassSuffix,
		tokenURL: cfg.TokenURL, api: strings.TrimRight(cfg.APIURL, "/"),
		client: cfg.HTTPClient, now: time.Now,
	}
	if g.tokenURL == "" {
		g.tokenURL = sa.TokenURI
	}
	if g.tokenURL == "" {
		g.tokenURL = defaultTokenURL
	}
	if g.api == "" {
		g.api = defaultWalletAPI
	}
	if g.client == nil {
		g.client = &http.Client{Timeout: 30 * time.Second}
	}
	return g, nil
}

// ObjectID is the Wallet object id of a voucher's card: the issuer id and
// the voucher's serial.
func (g *Google) ObjectID(serial string) string { return g.cfg.IssuerID + "." + serial }

// SaveURL returns the "save to Google Wallet" link for card: a JWT signed
// with the service account key carrying the class and the object, which
// Google inserts when the holder saves it (and ignores if they exist). It
// fails only on a card without serial, code, URL or known currency.
func (g *Google) SaveURL(card market.PassCard) (string, error) {
	if err := checkCard(card); err != nil {
		return "", err
	}
	claims := jwt.MapClaims{
		"iss":     g.email,
		"aud":     "google",
		"typ":     "savetowallet",
		"iat":     g.now().Unix(),
		"origins": nonNil(g.cfg.Origins),
		"payload": map[string]any{
			"giftCardClasses": []any{g.class()},
			"giftCardObjects": []any{g.object(card)},
		},
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if g.keyID != "" {
		t.Header["kid"] = g.keyID
	}
	s, err := t.SignedString(g.key)
	if err != nil {
		return "", fmt.Errorf("passes: google: signing the save link: %w", err)
	}
	return saveURLPrefix + s, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Update writes card's balance, bonus and state onto its saved Google
// Wallet object (PATCH giftCardObject). A card its holder never saved
// (404) is not an error; any other refusal is, with Google's status.
func (g *Google) Update(ctx context.Context, card market.PassCard) error {
	if err := checkCard(card); err != nil {
		return err
	}
	o := g.object(card)
	patch := map[string]any{"state": o.State, "balance": o.Balance, "textModulesData": o.TextModulesData}
	if o.BalanceUpdateTime != nil {
		patch["balanceUpdateTime"] = o.BalanceUpdateTime
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	endpoint := g.api + "/giftCardObject/" + url.PathEscape(o.ID)
	for attempt := 0; ; attempt++ {
		token, err := g.token(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := g.client.Do(req)
		if err != nil {
			return fmt.Errorf("passes: google: updating %s: %w", o.ID, err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return nil
		case resp.StatusCode == http.StatusNotFound:
			return nil
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0:
			g.forgetToken(token) // revoked or expired early: get a new one, once
			continue
		}
		return fmt.Errorf("passes: google: updating %s: %s: %s", o.ID, resp.Status, bytes.TrimSpace(msg))
	}
}

// token returns an OAuth 2.0 access token for the Wallet API, asking the
// token endpoint (JWT-bearer grant) only when the cached one is within a
// minute of expiring.
func (g *Google) token(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if g.accessToken != "" && now.Before(g.tokenExpiry) {
		return g.accessToken, nil
	}
	assertion := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":   g.email,
		"scope": walletScope,
		"aud":   g.tokenURL,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
	})
	if g.keyID != "" {
		assertion.Header["kid"] = g.keyID
	}
	signed, err := assertion.SignedString(g.key)
	if err != nil {
		return "", fmt.Errorf("passes: google: signing the token request: %w", err)
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {signed}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := g.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("passes: google: token: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("passes: google: token: %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("passes: google: token: no access_token in the answer")
	}
	if t.ExpiresIn <= 0 {
		t.ExpiresIn = 3600
	}
	g.accessToken = t.AccessToken
	g.tokenExpiry = now.Add(time.Duration(t.ExpiresIn)*time.Second - time.Minute)
	return g.accessToken, nil
}

func (g *Google) forgetToken(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.accessToken == token {
		g.accessToken = ""
	}
}

// The Wallet REST shapes Solidaire uses (giftCardClass, giftCardObject).
type (
	giftCardClass struct {
		ID                       string         `json:"id"`
		IssuerName               string         `json:"issuerName"`
		MerchantName             string         `json:"merchantName"`
		ReviewStatus             string         `json:"reviewStatus"`
		AllowBarcodeRedemption   bool           `json:"allowBarcodeRedemption"`
		CardNumberLabel          string         `json:"cardNumberLabel"`
		LocalizedCardNumberLabel *localizedText `json:"localizedCardNumberLabel,omitempty"`
		HexBackgroundColor       string         `json:"hexBackgroundColor"`
		ProgramLogo              *walletImage   `json:"programLogo,omitempty"`
	}
	giftCardObject struct {
		ID                string        `json:"id"`
		ClassID           string        `json:"classId"`
		State             string        `json:"state"`
		CardNumber        string        `json:"cardNumber"`
		Barcode           walletBarcode `json:"barcode"`
		Balance           walletMoney   `json:"balance"`
		BalanceUpdateTime *walletTime   `json:"balanceUpdateTime,omitempty"`
		TextModulesData   []textModule  `json:"textModulesData"`
		LinksModuleData   *linksModule  `json:"linksModuleData,omitempty"`
	}
	walletBarcode struct {
		Type          string `json:"type"`
		Value         string `json:"value"`
		AlternateText string `json:"alternateText,omitempty"`
	}
	walletMoney struct {
		Micros       int64  `json:"micros,string"`
		CurrencyCode string `json:"currencyCode"`
	}
	walletTime struct {
		Date string `json:"date"`
	}
	walletImage struct {
		SourceURI struct {
			URI string `json:"uri"`
		} `json:"sourceUri"`
	}
	textModule struct {
		ID              string         `json:"id"`
		Header          string         `json:"header"`
		Body            string         `json:"body"`
		LocalizedHeader *localizedText `json:"localizedHeader,omitempty"`
		LocalizedBody   *localizedText `json:"localizedBody,omitempty"`
	}
	linksModule struct {
		URIs []walletURI `json:"uris"`
	}
	walletURI struct {
		ID                   string         `json:"id"`
		URI                  string         `json:"uri"`
		Description          string         `json:"description"`
		LocalizedDescription *localizedText `json:"localizedDescription,omitempty"`
	}
	localizedText struct {
		DefaultValue     translated   `json:"defaultValue"`
		TranslatedValues []translated `json:"translatedValues"`
	}
	translated struct {
		Language string `json:"language"`
		Value    string `json:"value"`
	}
)

// localize is b for the API: French by default, English as a translation.
func localize(b bilingual) *localizedText {
	return &localizedText{
		DefaultValue:     translated{Language: langFR, Value: b.fr},
		TranslatedValues: []translated{{Language: langEN, Value: b.en}},
	}
}

func module(id string, header, body bilingual) textModule {
	m := textModule{ID: id, Header: header.fr, Body: body.fr, LocalizedHeader: localize(header)}
	if body.fr != body.en {
		m.LocalizedBody = localize(body)
	}
	return m
}

// class is the one gift card class every voucher's card belongs to.
func (g *Google) class() giftCardClass {
	c := giftCardClass{
		ID:                       g.classID,
		IssuerName:               g.cfg.IssuerName,
		MerchantName:             g.cfg.IssuerName,
		ReviewStatus:             "UNDER_REVIEW",
		AllowBarcodeRedemption:   true,
		CardNumberLabel:          textCode.fr,
		LocalizedCardNumberLabel: localize(textCode),
		HexBackgroundColor:       brandHex,
	}
	if g.cfg.LogoURL != "" {
		c.ProgramLogo = &walletImage{}
		c.ProgramLogo.SourceURI.URI = g.cfg.LogoURL
	}
	return c
}

// object is card as a Wallet gift card. Its balance is the paid value
// (never expires); the bonus, which may expire, is a text module of its
// own, so the two are never confused.
func (g *Google) object(card market.PassCard) giftCardObject {
	o := giftCardObject{
		ID:         g.ObjectID(card.Serial),
		ClassID:    g.classID,
		State:      "ACTIVE",
		CardNumber: market.GroupCode(card.Code),
		Barcode:    walletBarcode{Type: "QR_CODE", Value: card.URL, AlternateText: market.GroupCode(card.Code)},
		// Both currencies have two decimals: one minor unit is 10,000 micros.
		Balance: walletMoney{Micros: card.Balance * 10_000, CurrencyCode: strings.ToUpper(string(card.Currency))},
	}
	if card.Status == market.VoucherVoid {
		o.State = "INACTIVE"
	}
	if !card.UpdatedAt.IsZero() {
		o.BalanceUpdateTime = &walletTime{Date: card.UpdatedAt.UTC().Format(time.RFC3339)}
	}
	where := textMerchant
	if card.Programme {
		where = textProgramme
	}
	name := bilingual{card.MerchantName, card.MerchantName}
	o.TextModulesData = append(o.TextModulesData, module("merchant", where, name))
	switch card.Status {
	case market.VoucherDisputed:
		o.TextModulesData = append(o.TextModulesData, module("status", textStatus, textDisputed))
	case market.VoucherVoid:
		o.TextModulesData = append(o.TextModulesData, module("status", textStatus, textVoid))
	}
	if card.Bonus > 0 {
		body := moneyText(card.Bonus, card.Currency)
		if !card.BonusExpiresAt.IsZero() {
			d := date(card.BonusExpiresAt, card.Currency)
			body = bilingual{body.fr + ", valable jusqu’au " + d.fr, body.en + ", valid until " + d.en}
		}
		o.TextModulesData = append(o.TextModulesData, module("bonus", textBonus, body))
	}
	if card.RecipientName != "" {
		o.TextModulesData = append(o.TextModulesData, module("recipient", textRecipient, bilingual{card.RecipientName, card.RecipientName}))
	}
	if card.Giver != "" {
		o.TextModulesData = append(o.TextModulesData, module("giver", textGiver, bilingual{card.Giver, card.Giver}))
	}
	o.TextModulesData = append(o.TextModulesData, module("terms", textTerms, terms(card)))
	if card.PageURL != "" {
		o.LinksModuleData = &linksModule{URIs: []walletURI{{ID: "page", URI: card.PageURL, Description: textPage.fr, LocalizedDescription: localize(textPage)}}}
	}
	return o
}
