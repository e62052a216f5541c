package frontend

import (
	"encoding/json"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Search engines and maps read a page's schema.org data (JSON-LD) to show
// a business's address, hours and today's closure, and an event's date and
// whether it was cancelled or moved: the eventStatus values they
// introduced in 2020 for exactly that. The layout writes it in the head
// (templates/jsonld.html); frontend/jsonld_test.go checks it against the
// vocabulary in testdata/schemaorg.json.

// schemaContext is the vocabulary every JSON-LD document names.
const schemaContext = "https://schema.org"

// ldObject is one node of a JSON-LD document, properties by name. A map,
// not structs: the test validates whatever the pages write, property by
// property, against the types they claim.
type ldObject map[string]any

// jsonLD encodes doc for a <script type="application/ld+json">. The
// encoder escapes <, > and & (\u003c…), so no text of a merchant's
// ("</script>…") can end the script element; the template writes the
// result as is.
func jsonLD(doc ldObject) template.JS {
	if doc == nil {
		return ""
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "" // maps of strings and numbers always encode
	}
	return template.JS(b)
}

// businessTypes maps the catalogue's categories to the most specific
// schema.org LocalBusiness subtype that fits; a category missing here is a
// plain LocalBusiness.
var businessTypes = map[market.Category]string{
	"restaurant":  "Restaurant",
	"cafe":        "CafeOrCoffeeShop",
	"boulangerie": "Bakery",
	"epicerie":    "GroceryStore",
	"librairie":   "BookStore",
	"spectacle":   "EntertainmentBusiness",
	"boutique":    "Store",
	"fleuriste":   "Florist",
	"bien-etre":   "HealthAndBeautyBusiness",
	"artisanat":   "Store",
}

// schemaDays are schema.org's DayOfWeek members, Monday first as
// market.OpeningHours counts (1 Monday … 7 Sunday).
var schemaDays = [8]string{"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// countryOf is the country of a merchant, from its currency: Solidaire
// sells in Canada (cad) and France (eur).
func countryOf(c market.Currency) string {
	if c == market.EUR {
		return "FR"
	}
	return "CA"
}

// postalCode finds a Canadian (H2J 1Y6) or French (69001) postal code at
// the end of an address as merchants write it ("1375, avenue du
// Mont-Royal Est, H2J 1Y6").
var postalCode = regexp.MustCompile(`(?i)(?:,\s*|\s+)([A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{5})\s*$`)

// postalAddress is the schema.org PostalAddress of an address and a city.
func postalAddress(address, city string, c market.Currency) ldObject {
	a := ldObject{"@type": "PostalAddress", "addressLocality": city, "addressCountry": countryOf(c)}
	street := strings.TrimSpace(address)
	if m := postalCode.FindStringSubmatchIndex(street); m != nil {
		a["postalCode"] = strings.ToUpper(street[m[2]:m[3]])
		street = strings.TrimSpace(street[:m[0]])
	}
	if street != "" {
		a["streetAddress"] = street
	}
	return a
}

// merchantJSONLD is a merchant page's LocalBusiness (or subtype): name,
// address, hours, links, and when it says it is closed until a date, a
// special opening hours entry that closes it from today until then. base
// is the site's public URL, image the share image's path, used when the
// merchant has no cover photo.
func merchantJSONLD(m *market.Merchant, base, image string, now time.Time) ldObject {
	typ := businessTypes[m.Category]
	if typ == "" {
		typ = "LocalBusiness"
	}
	url := base + "/m/" + m.Slug
	img := base + image
	if m.Cover != nil {
		img = base + market.PhotoURL(m.Cover, 1280)
	}
	doc := ldObject{"@context": schemaContext, "@type": typ, "@id": url + "#commerce", "name": m.Name, "url": url,
		"image": img, "address": postalAddress(m.Address, m.City, m.Currency),
		"currenciesAccepted": strings.ToUpper(string(m.Currency))}
	if m.Summary != "" {
		doc["description"] = m.Summary
	}
	var hours []ldObject
	for _, h := range m.Hours {
		if h.Day < 1 || h.Day > 7 || !validClock(h.Opens) || !validClock(h.Closes) {
			continue
		}
		hours = append(hours, ldObject{"@type": "OpeningHoursSpecification",
			"dayOfWeek": schemaContext + "/" + schemaDays[h.Day], "opens": h.Opens, "closes": h.Closes})
	}
	if hours != nil {
		doc["openingHoursSpecification"] = hours
	}
	if m.StatusAt(now) == market.StatusClosed && !m.StatusUntil.IsZero() {
		// Closed from today through the last day before it reopens: an
		// opening and a closing at midnight say "closed all day" (Google's
		// reading of OpeningHoursSpecification).
		zone := m.Location()
		through := m.StatusUntil.In(zone).Add(-time.Nanosecond)
		doc["specialOpeningHoursSpecification"] = []ldObject{{"@type": "OpeningHoursSpecification",
			"opens": "00:00", "closes": "00:00",
			"validFrom": now.In(zone).Format(time.DateOnly), "validThrough": through.Format(time.DateOnly)}}
	}
	var same []string
	for _, link := range []string{m.Website, m.Facebook, m.Instagram} {
		if strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
			same = append(same, link)
		}
	}
	if same != nil {
		doc["sameAs"] = same
	}
	return doc
}

// validClock reports whether s is an HH:MM time of day.
func validClock(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// eventStatus is the schema.org eventStatus of e, and the previous start
// to name with it (zero when none): a cancelled event is EventCancelled; a
// postponed one EventRescheduled when the date it moved from is known
// (market.CancelOptions.PreviousStartsAt), else EventPostponed, its
// startDate the date it was planned for.
func eventStatus(e *market.Event) (string, time.Time) {
	switch e.Status {
	case market.EventCancelled:
		return "EventCancelled", time.Time{}
	case market.EventPostponed:
		if e.Choices != nil && !e.Choices.PreviousStartsAt.IsZero() && !e.Choices.PreviousStartsAt.Equal(e.StartsAt) {
			return "EventRescheduled", e.Choices.PreviousStartsAt
		}
		return "EventPostponed", time.Time{}
	}
	return "EventScheduled", time.Time{}
}

// eventJSONLD is an event page's Event: name, date, status, the venue as
// its place and organiser, and its ticket types as offers.
func eventJSONLD(e *market.Event, venue *market.Merchant, base, image string) ldObject {
	zone := zoneOf(e.Currency)
	url := base + "/e/" + e.ID
	venueURL := base + "/m/" + venue.Slug
	status, previous := eventStatus(e)
	doc := ldObject{"@context": schemaContext, "@type": "Event", "@id": url + "#evenement", "name": e.Title, "url": url,
		"image": base + image, "startDate": e.StartsAt.In(zone).Format(time.RFC3339),
		"eventStatus": schemaContext + "/" + status, "eventAttendanceMode": schemaContext + "/OfflineEventAttendanceMode",
		"location": ldObject{"@type": "Place", "name": venue.Name, "url": venueURL,
			"address": postalAddress(venue.Address, venue.City, venue.Currency)},
		"organizer": ldObject{"@type": "Organization", "name": venue.Name, "url": venueURL}}
	if e.Summary != "" {
		doc["description"] = e.Summary
	}
	if !previous.IsZero() {
		// schema.org's previousStartDate is a Date, not a DateTime.
		doc["previousStartDate"] = previous.In(zone).Format(time.DateOnly)
	}
	if e.Status != market.EventCancelled {
		var offers []ldObject
		for _, t := range e.TicketTypes {
			availability := "InStock"
			if t.SeatsLeft <= 0 {
				availability = "SoldOut"
			}
			offers = append(offers, ldObject{"@type": "Offer", "name": t.Name, "url": url + "#billets",
				"price": decimalPrice(t.Price), "priceCurrency": strings.ToUpper(string(e.Currency)),
				"availability": schemaContext + "/" + availability})
		}
		if offers != nil {
			doc["offers"] = offers
		}
	}
	return doc
}

// decimalPrice writes minor units as schema.org wants a price: digits and
// a dot ("25.00"), no currency sign.
func decimalPrice(minor int64) string {
	return strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(minor%100/10, 10) + strconv.FormatInt(minor%10, 10)
}
