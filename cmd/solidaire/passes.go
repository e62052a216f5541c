package main

import (
	"fmt"
	"os"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/passes"
)

// walletPasses builds the phone wallets the operator configured: Apple
// Wallet with a Pass Type ID certificate, Google Wallet with a service
// account's key. Either is nil when not configured; a half configuration
// is an error, so that a typo does not silently switch a wallet off.
func walletPasses(c *config) (market.AppleWallet, market.GoogleWallet, error) {
	var apple market.AppleWallet
	var google market.GoogleWallet
	if c.ApplePassTypeID != "" || c.ApplePassCert != "" {
		read := func(name, path string) ([]byte, error) {
			if path == "" {
				return nil, fmt.Errorf("Apple Wallet: %s is not set", name)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("Apple Wallet: %s: %w", name, err)
			}
			return b, nil
		}
		cert, err := read("APPLE_PASS_CERT", c.ApplePassCert)
		if err != nil {
			return nil, nil, err
		}
		key, err := read("APPLE_PASS_KEY", c.ApplePassKey)
		if err != nil {
			return nil, nil, err
		}
		wwdr, err := read("APPLE_WWDR_CERT", c.AppleWWDR)
		if err != nil {
			return nil, nil, err
		}
		if len(c.ApplePassSecret) < 16 {
			return nil, nil, fmt.Errorf("Apple Wallet: APPLE_PASS_AUTH_SECRET must hold at least 16 characters")
		}
		a, err := passes.NewApple(passes.AppleConfig{PassTypeID: c.ApplePassTypeID, TeamID: c.AppleTeamID,
			OrganizationName: "Solidaire", WebServiceURL: c.BaseURL + "/api/v1/passes", CertificatePEM: cert, KeyPEM: key,
			WWDRPEM: wwdr, AuthSecret: []byte(c.ApplePassSecret), APNsURL: c.AppleAPNsURL})
		if err != nil {
			return nil, nil, fmt.Errorf("Apple Wallet: %w", err)
		}
		apple = a
	}
	if c.GoogleIssuer != "" || c.GoogleKey != "" {
		if c.GoogleIssuer == "" || c.GoogleKey == "" {
			return nil, nil, fmt.Errorf("Google Wallet: set both GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_KEY")
		}
		key, err := os.ReadFile(c.GoogleKey)
		if err != nil {
			return nil, nil, fmt.Errorf("Google Wallet: GOOGLE_WALLET_KEY: %w", err)
		}
		g, err := passes.NewGoogle(passes.GoogleConfig{IssuerID: c.GoogleIssuer, ServiceAccountKey: key, IssuerName: "Solidaire",
			Origins: []string{c.BaseURL}, APIURL: c.GoogleAPIURL, TokenURL: c.GoogleTokenURL})
		if err != nil {
			return nil, nil, fmt.Errorf("Google Wallet: %w", err)
		}
		google = g
	}
	return apple, google, nil
}
