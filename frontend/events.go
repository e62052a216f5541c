package frontend

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// eventListPage is how many events /evenements lists before "more".
const eventListPage = 20

// eventsData is the events page: the filters as chosen, and one page of
// upcoming events.
type eventsData struct {
	City       string
	Cities     []string
	Categories []option
	When       []option
	From, To   string // the typed dates, YYYY-MM-DD, as the date inputs want them
	BadDate    bool   // a typed date could not be read and was ignored
	Filtered   bool
	Events     []*market.Event
	Summary    string // how many events are listed, for people and screen readers
	More       string // URL of the next page; empty on the last
}

func init() { viewNames = append(viewNames, "events") }

// eventWhen are the periods of the "When" filter, in the order shown.
var eventWhen = []string{"today", "week", "month"}

// events is /evenements: the upcoming events of approved venues, filtered
// by the venue's city and category and by date (today, this week, this
// month, or between two days). A plain GET form, so it works without
// JavaScript and every list has its own URL to share. Dates are days of
// the city's zone (Québec's when no city is chosen or its country is not
// known); a malformed date or category is ignored, not an error, as on the
// home page.
func (p *Pages) events(r *http.Request, l *locale) (*page, error) {
	ctx := r.Context()
	q := r.URL.Query()
	d := &eventsData{City: strings.TrimSpace(q.Get("city")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	cat := market.Category(q.Get("category"))
	if !cat.Valid() {
		cat = ""
	}
	when := q.Get("when")

	var err error
	if d.Cities, err = p.cfg.Catalogue.Cities(ctx); err != nil {
		return nil, err
	}
	for _, c := range d.Cities {
		if market.CityKey(c) == market.CityKey(d.City) {
			d.City = c // "quebec" is shown, and linked, as the list writes it
		}
	}
	d.Categories = []option{{Value: "", Label: l.must("filters.category.all")}}
	for _, c := range market.Categories {
		d.Categories = append(d.Categories, option{Value: string(c.Slug), Label: l.Category(c.Slug), Selected: c.Slug == cat})
	}
	d.When = []option{{Value: "", Label: l.must("events.when.all")}}
	known := false
	for _, w := range eventWhen {
		d.When = append(d.When, option{Value: w, Label: l.must("events.when." + w), Selected: w == when})
		known = known || w == when
	}
	if !known {
		when = ""
	}

	f := market.EventFilter{Upcoming: true, City: d.City, Category: cat, Page: market.Page{Limit: eventListPage, Cursor: q.Get("after")}}
	zone := p.cityZone(r, d.City)
	f.From, f.To = period(when, l.now().In(zone))
	from, okFrom := parseDay(d.From, zone)
	to, okTo := parseDay(d.To, zone)
	d.BadDate = !okFrom || !okTo
	if !okFrom {
		d.From = ""
	}
	if !okTo {
		d.To = ""
	}
	if !from.IsZero() || !to.IsZero() {
		// Typed days win over the period: the form can hold both.
		f.From, f.To = from, time.Time{}
		if !to.IsZero() {
			f.To = to.AddDate(0, 0, 1) // the last day is included
		}
	}
	d.Filtered = d.City != "" || cat != "" || when != "" || d.From != "" || d.To != ""

	events, next, err := p.cfg.Catalogue.ListEvents(ctx, f)
	if market.ErrorCode(err) == market.EInvalid {
		// Only a forged cursor gets here: start again from the first page.
		f.Page.Cursor = ""
		events, next, err = p.cfg.Catalogue.ListEvents(ctx, f)
	}
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if !e.Draft { // the store lists published events only; a draft must never show
			d.Events = append(d.Events, e)
		}
	}
	switch {
	case len(d.Events) == 0:
		d.Summary = l.must("events.results.none")
	case next != "":
		d.Summary = l.must("events.results.more", l.Number(int64(len(d.Events))))
	default:
		d.Summary, _ = l.Plural("events.results", int64(len(d.Events)))
	}
	if next != "" {
		more := url.Values{}
		for k, v := range map[string]string{"city": d.City, "category": string(cat), "when": when, "from": d.From, "to": d.To, "after": next} {
			if v != "" {
				more.Set(k, v)
			}
		}
		d.More = "/evenements?" + more.Encode() + "#evenements"
	}
	return &page{view: "events", Title: l.must("events.title"), Description: l.must("events.description"),
		Path: "/evenements", Section: "events", Data: d}, nil
}

// period returns the bounds of a "When" choice around now, in now's zone:
// today, the rest of this week (to Sunday night), the rest of this month;
// zero bounds for any date.
func period(when string, now time.Time) (from, to time.Time) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch when {
	case "today":
		return day, day.AddDate(0, 0, 1)
	case "week":
		untilMonday := (8 - int(day.Weekday())) % 7
		if untilMonday == 0 {
			untilMonday = 7
		}
		return day, day.AddDate(0, 0, untilMonday)
	case "month":
		return day, time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())
	}
	return time.Time{}, time.Time{}
}

// parseDay reads a date input's value (YYYY-MM-DD) as the start of that day
// in zone; ok is false for a value that is not a date, zero for "".
func parseDay(s string, zone *time.Location) (t time.Time, ok bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(time.DateOnly, s, zone)
	if err != nil || t.Year() < 2000 || t.Year() > 2999 {
		return time.Time{}, false
	}
	return t, true
}

// cityZone is the zone in which the events page counts days: the chosen
// city's country's, when the catalogue can tell it, Québec's otherwise.
func (p *Pages) cityZone(r *http.Request, city string) *time.Location {
	if finder, ok := p.cfg.Catalogue.(market.CityFinder); ok && city != "" {
		if c, err := finder.City(r.Context(), city); err == nil && c.Country == "FR" {
			return zoneOf(market.EUR)
		}
	}
	return zoneOf(market.CAD)
}
