// Package social reads the public posts that carry a campaign's hashtags
// on the networks Solidaire may read without a commercial contract, and
// implements market.SocialReader:
//
//   - Mastodon: the public hashtag timeline of each instance an organiser
//     lists (GET /api/v1/timelines/tag/{tag}, paged with the Link header
//     and min_id/max_id), see mastodon.go;
//   - Bluesky: post search through the AppView
//     (app.bsky.feed.searchPosts, paged with its cursor), see bluesky.go;
//   - RSS 2.0, RSS 1.0 and Atom feeds (a blog, a news search), read with a
//     conditional GET, see feed.go.
//
// Only public posts are returned, as plain text: the HTML is stripped with
// bluemonday's strict policy, entities unescaped, bidi controls and other
// invisible characters removed, white space collapsed, and the excerpt cut
// to market.MaxMentionText runes (sanitize.go). Media are never copied,
// only counted. The links a post carries are returned for attribution
// (share links' /s/CODE URLs, merchants' pages).
//
// # Politeness
//
// The poller in package market reads a source at most once a minute; this
// package makes at most a few requests per read (MaxPages pages per
// hashtag), names itself in a descriptive User-Agent with a contact
// address, honours Retry-After (seconds or HTTP date) on 429 and 503, and
// stops when a rate-limit window is exhausted (Mastodon's
// X-RateLimit-Remaining/X-RateLimit-Reset, Bluesky's RateLimit-*),
// reporting the wait in PostPage.Wait or in the error (market.RetryAfter).
// A circuit breaker per host stops calling a host after consecutive
// failures for a cooldown (breaker.go). Every request has a timeout and a
// body size limit; by default the dialer refuses loopback, private and
// link-local addresses, so a source cannot make the server read its own
// network.
//
// Errors are *Error: Error() is a short French sentence for the source's
// "last error" (also reachable as a *market.Error), RetryAfter() the wait
// the network asked for (zero when it asked none).
//
// # Configuration
//
// The server builds the reader from its environment, for instance:
//
//	SOCIAL_CONTACT        URL or address named in the User-Agent
//	                      (default: the public base URL of the site)
//	BLUESKY_IDENTIFIER    a Bluesky handle or DID, and
//	BLUESKY_APP_PASSWORD  an app password (Settings → App passwords),
//	                      never the account's password
//
// Without Bluesky credentials the public AppView (public.api.bsky.app) is
// searched anonymously; with them the reader signs in on bsky.social,
// keeps the session and sends its searches there, which the network may
// require for search.
package social
