package market

import (
	"strconv"
	"strings"
	"time"
)

// OpenStatus is what a merchant says of itself today: open, takeout only,
// delivering, online only, or temporarily closed.
type OpenStatus string

// Today's statuses a merchant picks with one tap. An empty status says
// nothing (a merchant that never set one).
const (
	StatusOpen     OpenStatus = "open"
	StatusTakeout  OpenStatus = "takeout"
	StatusDelivery OpenStatus = "delivery"
	StatusOnline   OpenStatus = "online"
	StatusClosed   OpenStatus = "closed"
)

// OpenStatuses lists the statuses in the order the page offers them.
var OpenStatuses = []OpenStatus{StatusOpen, StatusTakeout, StatusDelivery, StatusOnline, StatusClosed}

// Valid reports whether s is one of OpenStatuses.
func (s OpenStatus) Valid() bool {
	for _, k := range OpenStatuses {
		if k == s {
			return true
		}
	}
	return false
}

// MaxStatusNote bounds the note that goes with today's status.
const MaxStatusNote = 200

// OpeningHours is one opening span on a day of the week (1 Monday … 7
// Sunday), times as HH:MM in the merchant's zone; a day without spans is
// closed, a day may have two (lunch and dinner).
type OpeningHours struct {
	Day    int
	Opens  string
	Closes string
}

// MerchantLinks are the merchant's own addresses on the web.
type MerchantLinks struct {
	Website   string
	Facebook  string
	Instagram string
}

// PagePhoto is a photo of a merchant's page, stored in several widths
// (Widths, ascending) under Key; the first of the page's photos by
// Position is the cover.
type PagePhoto struct {
	ID         string
	MerchantID string
	Key        string // storage key prefix; each width is Key-<width>.jpg
	Widths     []int
	Width      int // the largest stored width's pixels
	Height     int
	Position   int
	// Hidden is set by an admin, with the reason the merchant sees.
	Hidden       bool
	HiddenReason string
	CreatedAt    time.Time
}

// MaxPagePhotos bounds a merchant page's photos.
const MaxPagePhotos = 6

// NewsPost is a merchant's short news (at most MaxNewsPost characters),
// shown on its page, in its followers' mail and in the feeds.
type NewsPost struct {
	ID           string
	MerchantID   string
	Body         string
	PhotoID      string // optional
	AuthorID     string
	Hidden       bool
	HiddenReason string
	CreatedAt    time.Time
}

// MaxNewsPost bounds a news post's text, in characters.
const MaxNewsPost = 500

// MerchantPage is what the merchant's own page shows beyond the
// listing's Merchant fields: its visible photos by position, and its
// follower count (never the addresses).
type MerchantPage struct {
	Photos    []*PagePhoto
	Followers int64
}

// PageChange is one recorded change of a public page: who made it, when,
// and what (a field name, "photo", "post", "status", or an admin's hide).
type PageChange struct {
	ID         string
	MerchantID string
	ActorID    string
	ActorName  string // the actor's name (or email) when read back
	What       string
	Detail     string
	At         time.Time
}

// Follower is a citizen who asked for a merchant's news by email, with the
// consent recorded as given: when, from where, and the wording shown.
// Confirmed is zero until the double opt-in link is followed;
// Unsubscribed ends it.
type Follower struct {
	ID           string
	MerchantID   string
	Email        string
	Lang         string
	ConsentText  string
	ConsentAt    time.Time
	Confirmed    time.Time
	Unsubscribed time.Time
	CreatedAt    time.Time
	// UnsubscribeToken is written into every mail to the follower (the
	// one-click unsubscribe link); it never expires.
	UnsubscribeToken string
}

// PhotoURL is the public address of one stored width of p
// ("/media/photos/<merchant>/<photo>-640.jpg"), served by GET /media/*key.
// A width p does not have is replaced by the nearest stored one above it
// (the largest when none is above); "" for a photo without widths.
func PhotoURL(p *PagePhoto, width int) string {
	if p == nil || len(p.Widths) == 0 {
		return ""
	}
	w := p.Widths[len(p.Widths)-1]
	for _, have := range p.Widths {
		if have >= width {
			w = have
			break
		}
	}
	return "/media/" + PhotoKey(p, w)
}

// PhotoKey is the FileStore key of one width of p.
func PhotoKey(p *PagePhoto, width int) string {
	return p.Key + "-" + strconv.Itoa(width) + ".jpg"
}

// PhotoSrcset is the srcset attribute of p: every stored width with its
// URL ("/media/…-320.jpg 320w, /media/…-640.jpg 640w"); "" without widths.
func PhotoSrcset(p *PagePhoto) string {
	if p == nil {
		return ""
	}
	parts := make([]string, len(p.Widths))
	for i, w := range p.Widths {
		parts[i] = "/media/" + PhotoKey(p, w) + " " + strconv.Itoa(w) + "w"
	}
	return strings.Join(parts, ", ")
}

// CoverWidth is the width of the cover photo on merchant cards.
const CoverWidth = 640
