// Package passes puts vouchers in phone wallets: Apple Wallet store cards
// (signed .pkpass files, refreshed through APNs) and Google Wallet gift
// cards ("save to Google Wallet" links, refreshed through the Wallet REST
// API). Apple implements market.AppleWallet, Google market.GoogleWallet;
// both show a market.PassCard in French and English, with the QR code, the
// typed code, the paid balance, the bonus and its expiry, and the terms.
//
// # Apple Wallet credentials
//
//  1. In the Apple Developer account, Certificates, Identifiers & Profiles:
//     register a Pass Type ID (e.g. pass.app.solidaire.voucher), then create
//     its certificate from a CSR (Keychain Access, or
//     openssl req -new -newkey rsa:2048 -nodes -keyout pass-key.pem -out pass.csr).
//     The team id (AppleConfig.TeamID) is shown under Membership.
//  2. With a CSR made by openssl, convert the downloaded pass.cer:
//     openssl x509 -inform DER -in pass.cer -out pass-cert.pem.
//     With Keychain, export certificate and key as pass.p12, then
//     openssl pkcs12 -in pass.p12 -clcerts -nokeys -out pass-cert.pem
//     openssl pkcs12 -in pass.p12 -nocerts -nodes -out pass-key.pem
//     (add -legacy if OpenSSL 3 says "unsupported algorithm"). Keep the key
//     unencrypted and readable by the server only.
//  3. Download the WWDR intermediate that issued it (G4 today) from
//     https://www.apple.com/certificateauthority/ (AppleWWDRCAG4.cer);
//     DER or PEM are both accepted.
//  4. Generate AuthSecret once (openssl rand -hex 32) and keep it: every
//     pass's authenticationToken is derived from it.
//
// The caller reads the files (os.ReadFile) into AppleConfig. The same
// certificate signs passes and authenticates to APNs; passes signed after
// it expires are refused (see Apple.CertificateExpiry).
//
// The web service devices call (Apple's PassKit web service protocol, at
// WebServiceURL) is not in this package: it checks each request's
// "Authorization: ApplePass <token>" with Apple.CheckAuth, serves
// Apple.Pass, and after a change of value calls Apple.Push with the
// registered push tokens, deleting the registrations PushError.Gone lists.
//
// # Google Wallet credentials
//
//  1. In the Google Pay & Wallet Console (pay.google.com/business/console)
//     create the issuer account: its issuer id is GoogleConfig.IssuerID.
//  2. In Google Cloud, enable the Google Wallet API, create a service
//     account, and download a JSON key for it (GoogleConfig.ServiceAccountKey).
//  3. In the Wallet Console, Users: invite the service account's email as
//     a developer, so its key may sign save links and update objects.
//
// The class and each card's object are created when a holder first saves
// the link; Google.Update keeps saved cards current. Until the issuer asks
// for publishing access in the console, only its test users can save.
package passes
