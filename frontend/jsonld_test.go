package frontend

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// vocabulary is the curated subset of schema.org in testdata/schemaorg.json.
type vocabulary struct {
	Datatypes []string `json:"datatypes"`
	Types     map[string]struct {
		Parents    []string            `json:"parents"`
		Properties map[string][]string `json:"properties"`
	} `json:"types"`
	Enumerations map[string][]string `json:"enumerations"`
	Required     map[string][]string `json:"required"`
}

var vocab struct {
	once sync.Once
	v    vocabulary
	err  error
}

func loadVocabulary(t testing.TB) *vocabulary {
	t.Helper()
	vocab.once.Do(func() {
		b, err := os.ReadFile("testdata/schemaorg.json")
		if err != nil {
			vocab.err = err
			return
		}
		vocab.err = json.Unmarshal(b, &vocab.v)
	})
	if vocab.err != nil {
		t.Fatal(vocab.err)
	}
	return &vocab.v
}

// isA reports whether typ is want or one of its subtypes.
func (v *vocabulary) isA(typ, want string) bool {
	if typ == want {
		return true
	}
	for _, p := range v.Types[typ].Parents {
		if v.isA(p, want) {
			return true
		}
	}
	return false
}

// expected returns the types a property of typ expects, looking through
// its supertypes; ok is false when no supertype defines it.
func (v *vocabulary) expected(typ, prop string) ([]string, bool) {
	t, known := v.Types[typ]
	if !known {
		return nil, false
	}
	if e, ok := t.Properties[prop]; ok {
		return e, true
	}
	for _, p := range t.Parents {
		if e, ok := v.expected(p, prop); ok {
			return e, true
		}
	}
	return nil, false
}

var (
	isoDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	isoTime     = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$`)
	schemaValue = regexp.MustCompile(`^https://schema\.org/([A-Za-z]+)$`)
)

// validateJSONLD checks a JSON-LD document against the vocabulary: every
// node has a known @type, every property is defined on its type or a
// supertype, every value is one of the property's expected types
// (datatypes by their format, enumeration members by name, nodes by
// their type, recursively), and the properties search engines require are
// there. It returns every problem found.
func validateJSONLD(t testing.TB, doc []byte) []string {
	v := loadVocabulary(t)
	var root map[string]any
	if err := json.Unmarshal(doc, &root); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	var problems []string
	if root["@context"] != "https://schema.org" {
		problems = append(problems, fmt.Sprintf("@context is %v, want https://schema.org", root["@context"]))
	}
	problems = append(problems, v.node(root, "$")...)
	return problems
}

func (v *vocabulary) node(n map[string]any, path string) []string {
	typ, _ := n["@type"].(string)
	if _, ok := v.Types[typ]; !ok {
		return []string{fmt.Sprintf("%s: unknown @type %q", path, typ)}
	}
	var problems []string
	for want, props := range v.Required {
		if !v.isA(typ, want) {
			continue
		}
		for _, p := range props {
			if _, ok := n[p]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %s needs %s", path, typ, p))
			}
		}
	}
	for prop, val := range n {
		if strings.HasPrefix(prop, "@") {
			if prop != "@type" && prop != "@id" && prop != "@context" {
				problems = append(problems, fmt.Sprintf("%s: unexpected keyword %s", path, prop))
			}
			continue
		}
		exp, ok := v.expected(typ, prop)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s has no property %s", path, typ, prop))
			continue
		}
		vals, many := val.([]any)
		if !many {
			vals = []any{val}
		}
		for i, x := range vals {
			p := path + "." + prop
			if many {
				p += "[" + strconv.Itoa(i) + "]"
			}
			problems = append(problems, v.value(x, exp, p)...)
		}
	}
	return problems
}

// value checks x against the types a property expects: it must be one.
func (v *vocabulary) value(x any, exp []string, path string) []string {
	if obj, ok := x.(map[string]any); ok {
		typ, _ := obj["@type"].(string)
		for _, e := range exp {
			if _, isClass := v.Types[e]; isClass && v.isA(typ, e) {
				return v.node(obj, path)
			}
		}
		return []string{fmt.Sprintf("%s: a %s, want one of %v", path, typ, exp)}
	}
	for _, e := range exp {
		if v.datum(x, e) {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: %v is none of %v", path, x, exp)}
}

// datum reports whether x is a value of the datatype or enumeration e.
func (v *vocabulary) datum(x any, e string) bool {
	if members, ok := v.Enumerations[e]; ok {
		s, _ := x.(string)
		m := schemaValue.FindStringSubmatch(s)
		return m != nil && slices.Contains(members, m[1])
	}
	s, isString := x.(string)
	switch e {
	case "Text":
		return isString && s != ""
	case "URL":
		return isString && (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://"))
	case "Number":
		if _, ok := x.(float64); ok {
			return true
		}
		_, err := strconv.ParseFloat(s, 64)
		return isString && err == nil
	case "Boolean":
		_, ok := x.(bool)
		return ok
	case "Date":
		_, err := time.Parse(time.DateOnly, s)
		return isString && isoDate.MatchString(s) && err == nil
	case "DateTime":
		_, err := time.Parse(time.RFC3339, s)
		return isString && err == nil
	case "Time":
		return isString && isoTime.MatchString(s)
	}
	return false
}

// fullMerchant is a merchant with every field the JSON-LD reads.
func fullMerchant(category market.Category, now time.Time) *market.Merchant {
	return &market.Merchant{Slug: "chez-awa", Name: "Chez Awa", Category: category, City: "Montréal",
		Address: "1375, avenue du Mont-Royal Est, H2J 1Y6", Summary: "Du pain au levain.", Currency: market.CAD,
		Status: market.MerchantApproved, Website: "https://chez-awa.example.org", Facebook: "https://facebook.com/chezawa",
		Instagram: "https://instagram.com/chezawa",
		Hours: []market.OpeningHours{{Day: 1, Opens: "08:00", Closes: "18:00"}, {Day: 6, Opens: "09:00", Closes: "12:00"},
			{Day: 6, Opens: "13:00", Closes: "17:00"}},
		OpenStatus: market.StatusClosed, StatusUntil: now.Add(72 * time.Hour),
		Cover: &market.PagePhoto{Key: "photos/m1/p1", Widths: []int{320, 640, 1280}, Width: 1280, Height: 960}}
}

func TestMerchantJSONLD(t *testing.T) {
	now := time.Date(2026, 3, 16, 15, 0, 0, 0, time.UTC)
	for _, c := range market.Categories {
		t.Run(string(c.Slug), func(t *testing.T) {
			m := fullMerchant(c.Slug, now)
			doc := merchantJSONLD(m, "https://solidaire.example", "/og/m/chez-awa.png", now)
			b := []byte(jsonLD(doc))
			if problems := validateJSONLD(t, b); len(problems) > 0 {
				t.Errorf("%s\n%s", strings.Join(problems, "\n"), b)
			}
			if !loadVocabulary(t).isA(doc["@type"].(string), "LocalBusiness") {
				t.Errorf("@type %s is no LocalBusiness", doc["@type"])
			}
		})
	}

	m := fullMerchant("boulangerie", now)
	doc := merchantJSONLD(m, "https://solidaire.example", "/og/m/chez-awa.png", now)
	if doc["@type"] != "Bakery" {
		t.Errorf("a bakery is a %v", doc["@type"])
	}
	if doc["image"] != "https://solidaire.example/media/photos/m1/p1-1280.jpg" {
		t.Errorf("image %v, want the cover", doc["image"])
	}
	addr := doc["address"].(ldObject)
	for k, want := range map[string]string{"streetAddress": "1375, avenue du Mont-Royal Est", "postalCode": "H2J 1Y6",
		"addressLocality": "Montréal", "addressCountry": "CA"} {
		if addr[k] != want {
			t.Errorf("address.%s = %v, want %q", k, addr[k], want)
		}
	}
	hours := doc["openingHoursSpecification"].([]ldObject)
	if len(hours) != 3 || hours[0]["dayOfWeek"] != "https://schema.org/Monday" || hours[2]["opens"] != "13:00" {
		t.Errorf("hours %v", hours)
	}
	// Closed for three days from Monday afternoon: Monday through Thursday
	// (it reopens Thursday 11:00 in Montréal).
	special := doc["specialOpeningHoursSpecification"].([]ldObject)
	if len(special) != 1 || special[0]["validFrom"] != "2026-03-16" || special[0]["validThrough"] != "2026-03-19" ||
		special[0]["opens"] != "00:00" || special[0]["closes"] != "00:00" {
		t.Errorf("special hours %v", special)
	}
	if same := doc["sameAs"].([]string); len(same) != 3 {
		t.Errorf("sameAs %v", same)
	}

	// Without a cover, the share image; a status lapsed or other than
	// closed says nothing of today; a French merchant is in France.
	m.Cover, m.StatusUntil = nil, now.Add(-time.Hour)
	m.Currency, m.Address = market.EUR, "12, rue des Tables-Claudiennes, 69001"
	doc = merchantJSONLD(m, "https://solidaire.example", "/og/m/chez-awa.png", now)
	if doc["image"] != "https://solidaire.example/og/m/chez-awa.png" {
		t.Errorf("image %v, want the share image", doc["image"])
	}
	if _, ok := doc["specialOpeningHoursSpecification"]; ok {
		t.Error("a lapsed closure still shows")
	}
	if a := doc["address"].(ldObject); a["addressCountry"] != "FR" || a["postalCode"] != "69001" {
		t.Errorf("address %v", a)
	}
	m.OpenStatus, m.StatusUntil = market.StatusTakeout, now.Add(time.Hour)
	if _, ok := merchantJSONLD(m, "https://s.example", "/x.png", now)["specialOpeningHoursSpecification"]; ok {
		t.Error("takeout is not closed")
	}
}

func TestEventJSONLD(t *testing.T) {
	venue := fullMerchant("spectacle", time.Now())
	starts := time.Date(2026, 5, 2, 0, 30, 0, 0, time.UTC) // 20:30 the day before in Montréal
	previous := time.Date(2026, 4, 11, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		status   market.EventStatus
		choices  *market.CancelOptions
		want     string
		previous string
		offers   bool
	}{
		{"scheduled", market.EventScheduled, nil, "EventScheduled", "", true},
		{"cancelled", market.EventCancelled, &market.CancelOptions{Reason: "x"}, "EventCancelled", "", false},
		{"postponed, the old date unknown", market.EventPostponed, nil, "EventPostponed", "", true},
		{"rescheduled", market.EventPostponed, &market.CancelOptions{StartsAt: starts, PreviousStartsAt: previous}, "EventRescheduled", "2026-04-10", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &market.Event{ID: "evt_1", MerchantSlug: venue.Slug, MerchantName: venue.Name, Title: "Veillée de contes",
				Summary: "Des contes.", City: venue.City, StartsAt: starts, Status: tc.status, Currency: market.CAD, Choices: tc.choices,
				TicketTypes: []*market.TicketType{{Name: "Régulier", Price: 2500, Capacity: 100, SeatsLeft: 3},
					{Name: "Balcon", Price: 1850, Capacity: 10, SeatsLeft: 0}}}
			doc := eventJSONLD(e, venue, "https://solidaire.example", "/og/m/chez-awa.png")
			b := []byte(jsonLD(doc))
			if problems := validateJSONLD(t, b); len(problems) > 0 {
				t.Fatalf("%s\n%s", strings.Join(problems, "\n"), b)
			}
			if doc["eventStatus"] != "https://schema.org/"+tc.want {
				t.Errorf("eventStatus %v, want %s", doc["eventStatus"], tc.want)
			}
			if got, _ := doc["previousStartDate"].(string); got != tc.previous {
				t.Errorf("previousStartDate %q, want %q", got, tc.previous)
			}
			if doc["startDate"] != "2026-05-01T20:30:00-04:00" {
				t.Errorf("startDate %v, want the venue's time with its offset", doc["startDate"])
			}
			offers, _ := doc["offers"].([]ldObject)
			if !tc.offers {
				if offers != nil {
					t.Errorf("a cancelled event offers %v", offers)
				}
				return
			}
			if len(offers) != 2 || offers[0]["price"] != "25.00" || offers[1]["price"] != "18.50" || offers[0]["priceCurrency"] != "CAD" ||
				offers[0]["availability"] != "https://schema.org/InStock" || offers[1]["availability"] != "https://schema.org/SoldOut" {
				t.Errorf("offers %v", offers)
			}
		})
	}
}

// TestValidatorCatches makes sure the validator fails what it should: a
// test that cannot fail proves nothing.
func TestValidatorCatches(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"@context":"https://schema.org","@type":"Bakery","name":"x"}`, "needs address"},
		{`{"@context":"https://schema.org","@type":"Bakery","name":"x","address":"y","startDate":"2026-01-01"}`, "has no property startDate"},
		{`{"@context":"https://schema.org","@type":"Event","name":"x","startDate":"1 mai","location":"y"}`, "is none of"},
		{`{"@context":"https://schema.org","@type":"Event","name":"x","startDate":"2026-05-01","location":"y","eventStatus":"https://schema.org/EventDelayed"}`, "is none of"},
		{`{"@context":"https://schema.org","@type":"Event","name":"x","startDate":"2026-05-01","location":{"@type":"Offer"}}`, "a Offer"},
		{`{"@context":"https://schema.org","@type":"Store","name":"x","address":{"@type":"PostalAddress","city":"y"}}`, "has no property city"},
		{`{"@context":"https://schema.org","@type":"Store","name":"x","address":"y","openingHoursSpecification":[{"@type":"OpeningHoursSpecification","dayOfWeek":"https://schema.org/Lundi"}]}`, "is none of"},
		{`{"@context":"https://schema.org","@type":"Shop","name":"x"}`, "unknown @type"},
	} {
		problems := strings.Join(validateJSONLD(t, []byte(tc.doc)), "\n")
		if !strings.Contains(problems, tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.doc, problems, tc.want)
		}
	}
}
