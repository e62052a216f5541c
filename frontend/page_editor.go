package frontend

import (
	"net/http"
	"strconv"

	"github.com/solidaire-app/solidaire/market"
)

// The merchant's own page, run from a phone: /commerce/page (profile,
// photos, hours, links, amounts, today's status) and /commerce/nouvelles
// (news posts). Like the dashboard they are shells that the merchant
// island (src/merchant_page.ts, src/merchant_news.ts) fills from the API.
func init() {
	islandPrefixes["commerce"] = append(islandPrefixes["commerce"], "page.", "status.", "news.", "weekday.")
}

// weekday is one day of the hours editor.
type weekday struct {
	Day   int
	Label string
}

// pageEditorData is what /commerce/page adds to the side's data: the week
// of the hours editor and the open statuses.
type pageEditorData struct {
	Week     []weekday
	Statuses []option
}

// statusOptions are the five statuses a merchant picks with one tap.
func statusOptions(l *locale) []option {
	var out []option
	for _, s := range market.OpenStatuses {
		out = append(out, option{Value: string(s), Label: l.must("status.open." + string(s))})
	}
	return out
}

// editPage is /commerce/page: the public page's text, photos, hours,
// links, amounts and today's status.
func (p *Pages) editPage(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "commerce", "page", "page.title", "/commerce/page")
	optional := func(f formField, max int) formField {
		f.Required, f.MaxLength = false, max
		return f
	}
	amount := func(id, name, label, hint, message, api string) formField {
		f := optional(input(l, id, name, "text", label, hint, message, api, "off"), 20)
		f.InputMode = "decimal"
		return f
	}
	summary := optional(input(l, "page-resume", "summary", "text", "page.summary", "page.summary.hint", "page.error.summary", "summary", "off"), 160)
	summary.Counter = true
	d.Fields = map[string]formField{
		"summary": summary,
		"description": optional(input(l, "page-description", "description", "textarea", "page.description", "page.description.hint",
			"page.error.description", "description", "off"), 4000),
		"description_en": optional(input(l, "page-description-en", "description_en", "textarea", "page.description_en",
			"page.description_en.hint", "page.error.description", "description_en", "off"), 4000),
		"address": optional(input(l, "page-adresse", "address", "text", "page.address", "page.address.hint", "page.error.address",
			"address", "street-address"), 200),
		"website": optional(input(l, "page-site", "website", "url", "page.website", "page.link.hint", "page.error.link",
			"website links.website links", "url"), 300),
		"facebook": optional(input(l, "page-facebook", "facebook", "url", "page.facebook", "page.facebook.hint", "page.error.link",
			"facebook links.facebook", "off"), 300),
		"instagram": optional(input(l, "page-instagram", "instagram", "url", "page.instagram", "page.instagram.hint", "page.error.link",
			"instagram links.instagram", "off"), 300),
		"suggested": amount("page-montants", "suggested_amounts", "page.suggested", "page.suggested.hint", "page.error.suggested",
			"suggested_amounts suggested"),
		"min": amount("page-min", "min_amount", "page.min", "", "page.error.amounts", "min_amount"),
		"max": amount("page-max", "max_amount", "page.max", "page.max.hint", "page.error.amounts", "max_amount"),
	}
	for k, f := range statusFields(l) {
		d.Fields[k] = f
	}
	d.Fields["suggested"] = func(f formField) formField { f.MaxLength = 80; return f }(d.Fields["suggested"])
	e := &pageEditorData{Statuses: statusOptions(l)}
	for i := 1; i <= 7; i++ {
		e.Week = append(e.Week, weekday{Day: i, Label: l.must("weekday." + strconv.Itoa(i))})
	}
	d.Page = e
	return pg, nil
}

// editNews is /commerce/nouvelles: write a post, see the posts with their
// share links, delete one, and how many people follow.
func (p *Pages) editNews(r *http.Request, l *locale) (*page, error) {
	pg, d := p.sidePage(l, "commerce", "news", "news.title", "/commerce/nouvelles")
	body := input(l, "nouvelle-texte", "body", "textarea", "news.body", "news.body.hint", "news.error.body", "body", "off")
	body.MaxLength, body.Counter = market.MaxNewsPost, true
	d.Fields = map[string]formField{"body": body}
	return pg, nil
}

// statusFields are the note and the end date of a temporary closure.
func statusFields(l *locale) map[string]formField {
	note := input(l, "statut-note", "note", "text", "status.note", "status.note.hint", "status.error.note", "note", "off")
	note.Required, note.MaxLength = false, market.MaxStatusNote
	until := input(l, "statut-fin", "until", "date", "status.until.label", "status.until.hint", "status.error.until", "until", "off")
	until.Required = false
	return map[string]formField{"note": note, "until": until}
}
