// Package market is Solidaire's domain: money, merchants, events, campaigns,
// the rules they follow and the errors they return. It imports no database,
// HTTP, Redis or Stripe package; the adapters (store, cache, api, payments)
// implement or call the small interfaces declared here.
package market
