package frontend

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// The organiser side, made for a laptop: events (create, edit, cancel or
// postpone with a preview and a confirmation, then the live tally of the
// holders' choices) and campaigns (create, the dashboard of their share
// links, the share kit and its printable poster). Who may do what is the
// API's business: these pages are the forms and the frames, rendered here
// with every string, and the organiser island fills them from the API
// with the visitor's session (GET /api/v1/auth/me, then the organiser
// routes), and sends what the forms say. Without JavaScript they say that
// they need it; the holders' pages, which must work on any phone, do not.

// organiserData is an organiser page.
type organiserData struct {
	View   string // events, event, campaigns, campaign, programmes, programme
	ID     string // the event's id ("" for a new one), or the campaign's slug
	SignIn string // the sign-in page, back here after
	Script string // the organiser bundle; "" without a bundle
	// Text is the island's strings (what it writes in lists, charts and
	// dialogs), from the messages table, in the page's language.
	Text map[string]string

	Event    *eventFields
	Cancel   *choicesFields
	Postpone *choicesFields
	Campaign *campaignFields
	Link     *linkFields
	Channels []option
	Networks []option      // the networks a campaign's mentions come from
	Source   *sourceFields // a new source of mentions
	Until    *formField    // a programme's settlement: until when
}

// eventFields are the inputs of an event's form.
type eventFields struct {
	Title, Summary, Description, StartsAt, Solidarity *formField
	Locked                                            string // why the date cannot be changed here; "" for a new event
}

// choicesFields are the inputs of a cancellation or a postponement.
type choicesFields struct {
	Prefix              string // the ids' prefix: annulation or report
	StartsAt            *formField
	Bonus, Deadline     *formField
	Reason              *formField
	Cancelling          bool
	Submit, Go, Confirm string
}

// campaignFields are the inputs of a new campaign.
type campaignFields struct {
	Title, Slug, Description, Hashtags, StartsAt, EndsAt, Goal *formField
}

// linkFields are the inputs of a new share link.
type linkFields struct {
	Label, Ambassador *formField
}

// sourceFields are the inputs of a new source of mentions: a Mastodon
// instance, a Bluesky server (optional), a feed's address.
type sourceFields struct {
	Instance, Host, URL *formField
}

// islandTexts are the prefixes of the messages the organiser island uses.
var islandTexts = []string{"org.", "share.kit.", "channel.", "holders.", "tickets.one", "tickets.other", "status.", "supporters.", "orders.", "clicks.", "mentions.", "network.", "share.mastodon"}

// organiserPage is an organiser page of view, for id.
func (p *Pages) organiserPage(r *http.Request, l *locale, view, id, heading string) *page {
	text := map[string]string{}
	for key := range messages {
		for _, prefix := range islandTexts {
			if strings.HasPrefix(key, prefix) {
				text[key], _ = l.T(key)
			}
		}
	}
	d := &organiserData{View: view, ID: id, Text: text, Script: p.assets.url("organiser.js"),
		SignIn: "/connexion?" + url.Values{"next": {r.URL.Path}}.Encode()}
	return &page{view: "organiser", Title: l.must("org.title", heading), Description: l.must("site.description"),
		Path: r.URL.EscapedPath(), NoIndex: true, private: true, Data: d}
}

// organiserEvents is /organisation: the events of the venues the visitor
// organises.
func (p *Pages) organiserEvents(r *http.Request, l *locale) (*page, error) {
	return p.organiserPage(r, l, "events", "", l.must("org.events.heading")), nil
}

// organiserNewEvent is /organisation/evenements/nouveau: the form of a new
// event.
func (p *Pages) organiserNewEvent(r *http.Request, l *locale) (*page, error) {
	pg := p.organiserPage(r, l, "event", "", l.must("org.event.new"))
	pg.Data.(*organiserData).Event = newEventFields(l, false)
	return pg, nil
}

// organiserEvent is /organisation/evenements/{id}: an event's form, its
// cancellation and postponement, and the tally of its holders' choices.
func (p *Pages) organiserEvent(r *http.Request, l *locale) (*page, error) {
	id := r.PathValue("id")
	if !strings.HasPrefix(id, "evt_") || len(id) > 100 {
		return nil, market.NotFound("Événement")
	}
	pg := p.organiserPage(r, l, "event", id, l.must("org.event.info"))
	d := pg.Data.(*organiserData)
	d.Event = newEventFields(l, true)
	d.Cancel = newChoicesFields(l, true)
	d.Postpone = newChoicesFields(l, false)
	return pg, nil
}

// organiserCampaigns is /organisation/campagnes: the visitor's campaigns
// and the form of a new one.
func (p *Pages) organiserCampaigns(r *http.Request, l *locale) (*page, error) {
	pg := p.organiserPage(r, l, "campaigns", "", l.must("org.campaigns.heading"))
	pg.Data.(*organiserData).Campaign = &campaignFields{
		Title: &formField{ID: "campagne-titre", Name: "title", Type: "text", Required: true, MaxLength: 120,
			Label: l.must("org.campaign.title"), Message: l.must("org.campaign.error.title"), API: "title campaign"},
		Slug: &formField{ID: "campagne-adresse", Name: "slug", Type: "text", MaxLength: 60, Autocomplete: "off",
			Label: l.must("org.campaign.slug"), Hint: l.must("org.campaign.slug.hint"), Message: l.must("org.campaign.error.slug"), API: "slug"},
		Description: &formField{ID: "campagne-description", Name: "description", Type: "textarea", MaxLength: 4000,
			Label: l.must("org.campaign.description"), Hint: l.must("org.event.description.hint"), Message: l.must("org.campaign.error.title"), API: "description"},
		Hashtags: &formField{ID: "campagne-motsclics", Name: "hashtags", Type: "text", Required: true, Autocomplete: "off", MaxLength: 300,
			Label: l.must("org.campaign.hashtags"), Hint: l.must("org.campaign.hashtags.hint"), Message: l.must("org.campaign.error.hashtags"), API: "hashtags"},
		StartsAt: &formField{ID: "campagne-debut", Name: "starts_at", Type: "date",
			Label: l.must("org.campaign.starts"), Message: l.must("org.campaign.error.ends"), API: "starts_at"},
		EndsAt: &formField{ID: "campagne-fin", Name: "ends_at", Type: "date",
			Label: l.must("org.campaign.ends"), Message: l.must("org.campaign.error.ends"), API: "ends_at"},
		Goal: &formField{ID: "campagne-objectif", Name: "goal", Type: "text", InputMode: "decimal", Autocomplete: "off", MaxLength: 20,
			Label: l.must("org.campaign.goal"), Hint: l.must("org.campaign.goal.hint"), Message: l.must("org.campaign.error.goal"), API: "goal"},
	}
	return pg, nil
}

// organiserCampaign is /organisation/campagnes/{slug}: the campaign's
// dashboard and its share kit.
func (p *Pages) organiserCampaign(r *http.Request, l *locale) (*page, error) {
	slug := r.PathValue("slug")
	if slug == "" || slug != market.Slugify(slug) {
		return nil, market.NotFound("Campagne")
	}
	pg := p.organiserPage(r, l, "campaign", slug, l.must("org.dash.totals"))
	d := pg.Data.(*organiserData)
	d.Link = &linkFields{
		Label: &formField{ID: "lien-libelle", Name: "label", Type: "text", MaxLength: 100, Autocomplete: "off",
			Label: l.must("share.kit.label"), Hint: l.must("share.kit.label.hint"), Message: l.must("share.kit.error"), API: "label"},
		Ambassador: &formField{ID: "lien-ambassadeur", Name: "ambassador", Type: "text", MaxLength: 100, Autocomplete: "off",
			Label: l.must("share.kit.ambassador"), Hint: l.must("share.kit.ambassador.hint"), Message: l.must("share.kit.error"), API: "ambassador"},
	}
	for _, c := range market.Channels {
		if c != "other" {
			d.Channels = append(d.Channels, option{Value: string(c), Label: l.must("channel." + string(c))})
		}
	}
	for _, n := range []market.Network{market.NetworkMastodon, market.NetworkBluesky, market.NetworkFeed} {
		d.Networks = append(d.Networks, option{Value: string(n), Label: networkName(l, n)})
	}
	d.Source = &sourceFields{
		Instance: &formField{ID: "source-instance", Name: "instance", Type: "text", InputMode: "url", Autocomplete: "off", MaxLength: 253,
			Label: l.must("mentions.source.instance"), Hint: l.must("mentions.source.instance.hint"),
			Message: l.must("mentions.source.error.instance"), API: "instance"},
		Host: &formField{ID: "source-serveur", Name: "host", Type: "text", InputMode: "url", Autocomplete: "off", MaxLength: 253,
			Label: l.must("mentions.source.host"), Hint: l.must("mentions.source.host.hint"),
			Message: l.must("mentions.source.error.instance"), API: "instance"},
		URL: &formField{ID: "source-flux", Name: "url", Type: "url", InputMode: "url", Autocomplete: "off", MaxLength: 2000,
			Label: l.must("mentions.source.url"), Hint: l.must("mentions.source.url.hint"),
			Message: l.must("mentions.source.error.url"), API: "url"},
	}
	return pg, nil
}

// newEventFields returns the inputs of an event's form; editing, the date
// is locked (a new date is a postponement, which tells the holders).
func newEventFields(l *locale, editing bool) *eventFields {
	f := &eventFields{
		Title: &formField{ID: "evenement-titre", Name: "title", Type: "text", Required: true, MaxLength: 140,
			Label: l.must("org.event.title"), Message: l.must("org.event.error.title"), API: "title"},
		Summary: &formField{ID: "evenement-resume", Name: "summary", Type: "textarea", MaxLength: 280, Counter: true,
			Label: l.must("org.event.summary"), Hint: l.must("org.event.summary.hint"), Message: l.must("org.event.error.summary"), API: "summary"},
		Description: &formField{ID: "evenement-description", Name: "description", Type: "textarea", MaxLength: 8000,
			Label: l.must("org.event.description"), Hint: l.must("org.event.description.hint"), Message: l.must("org.event.error.description"), API: "description"},
		StartsAt: &formField{ID: "evenement-date", Name: "starts_at", Type: "datetime-local", Required: !editing,
			Label: l.must("org.event.starts"), Message: l.must("org.event.error.starts"), API: "starts_at"},
		Solidarity: &formField{ID: "evenement-solidaire", Name: "solidarity_min", Type: "text", InputMode: "decimal", Autocomplete: "off", MaxLength: 20,
			Label: l.must("org.event.solidarity"), Hint: l.must("org.event.solidarity.hint"), Message: l.must("org.event.error.solidarity"), API: "solidarity_min"},
	}
	if editing {
		f.Locked = l.must("org.event.starts.locked")
	}
	return f
}

// newChoicesFields returns the inputs of a cancellation (or, when not
// cancelling, of a postponement).
func newChoicesFields(l *locale, cancelling bool) *choicesFields {
	prefix := "report"
	if cancelling {
		prefix = "annulation"
	}
	bonus, _ := l.T("org.cancel.bonus")
	f := &choicesFields{Prefix: prefix, Cancelling: cancelling,
		Bonus: &formField{ID: prefix + "-bonus", Name: "credit_bonus_percent", Type: "number", InputMode: "numeric", Autocomplete: "off",
			Label: bonus, Hint: l.must("org.cancel.bonus.hint"), API: "credit_bonus_percent", MaxLength: 3},
		Deadline: &formField{ID: prefix + "-limite", Name: "deadline", Type: "datetime-local",
			Label: l.must("org.cancel.deadline"), Hint: l.must("org.cancel.deadline.hint"), Message: l.must("org.error.deadline"), API: "deadline"},
		Reason: &formField{ID: prefix + "-motif", Name: "reason", Type: "textarea", MaxLength: 500, Counter: true,
			Label: l.must("org.cancel.reason"), Hint: l.must("org.cancel.reason.hint"), Message: l.must("org.error.reason"), API: "reason"},
		Submit: l.must("org.cancel.preview"), Go: l.must("org.cancel.go"), Confirm: l.must("org.cancel.confirm.yes"),
	}
	f.Bonus.Message, _ = l.T("org.error.bonus")
	if !cancelling {
		f.StartsAt = &formField{ID: prefix + "-date", Name: "starts_at", Type: "datetime-local", Required: true,
			Label: l.must("org.postpone.starts"), Message: l.must("org.error.starts"), API: "starts_at"}
		f.Go, f.Confirm = l.must("org.postpone.go"), l.must("org.postpone.confirm.yes")
	}
	return f
}

// organiserProgrammes is /organisation/programmes: the towns' programmes
// the visitor organises.
func (p *Pages) organiserProgrammes(r *http.Request, l *locale) (*page, error) {
	return p.programmePageOf(r, l, "programmes", "", l.must("org.prog.list.heading")), nil
}

// organiserProgramme is /organisation/programmes/{slug}: a programme's
// dashboard (cards sold, the fund, what was spent where, the waiting list),
// its shops and their requests, and its settlements.
func (p *Pages) organiserProgramme(r *http.Request, l *locale) (*page, error) {
	slug := r.PathValue("slug")
	if slug == "" || slug != market.Slugify(slug) {
		return nil, market.NotFound("Programme")
	}
	pg := p.programmePageOf(r, l, "programme", slug, l.must("org.prog.heading"))
	pg.Data.(*organiserData).Until = &formField{ID: "reglement-jusquau", Name: "until", Type: "date", Required: true,
		Label: l.must("org.prog.settle.until"), Hint: l.must("org.prog.settle.until.hint"), Message: l.must("org.prog.settle.error.until"),
		API: "until"}
	return pg, nil
}

// programmePageOf is an organiser page of a programme's view, whose island
// also names categories.
func (p *Pages) programmePageOf(r *http.Request, l *locale, view, id, heading string) *page {
	pg := p.organiserPage(r, l, view, id, heading)
	d := pg.Data.(*organiserData)
	for _, c := range market.Categories {
		d.Text["category."+string(c.Slug)] = l.Category(c.Slug)
	}
	return pg
}
