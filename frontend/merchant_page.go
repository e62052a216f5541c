package frontend

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// MerchantPages reads what a merchant's own page shows beyond the
// catalogue: its photos and follower count, its news posts, and the news
// of a city or of everyone (store.DB implements it). Posts and photos are
// the visible ones only; NewsPost returns ENotFound for a hidden post.
type MerchantPages interface {
	MerchantPage(ctx context.Context, merchantID string) (*market.MerchantPage, error)
	MerchantPosts(ctx context.Context, merchantID string, p market.Page) ([]*market.NewsPost, string, error)
	NewsPost(ctx context.Context, id string) (*market.NewsPost, error)
	CityPosts(ctx context.Context, cityKey string, limit int) ([]*market.NewsPost, error)
	LatestPosts(ctx context.Context, limit int) ([]*market.NewsPost, error)
}

// Followers takes a citizen's address for a merchant's news (a
// confirmation mail follows: double opt-in, with the consent's wording
// recorded in lang), confirms it and ends it by the tokens that mails
// carry (market.FollowerService). Follow returns EInvalid for an address
// that is not one and ERateLimited when asked too often; ConfirmFollower
// EInvalid for a token unknown or expired; Unsubscribe EInvalid for an
// unknown token.
type Followers interface {
	Follow(ctx context.Context, m *market.Merchant, email, lang string) error
	ConfirmFollower(ctx context.Context, token string) (*market.Merchant, error)
	Unsubscribe(ctx context.Context, token string) (*market.Merchant, error)
}

// postsOnPage is how many news posts a merchant page and the home page
// show.
const postsOnPage = 5

// statusView is today's status as a badge shows it: its kind (the badge's
// colour), its words (never the colour alone), its note and its end.
type statusView struct {
	Status   string
	Label    string
	Note     string
	Until    string // "jusqu'au 15 avril 2026", "" without an end
	UntilISO string
}

// openStatus is m's status today, nil when it has none or it lapsed.
func (l *locale) openStatus(m *market.Merchant) *statusView {
	if m == nil {
		return nil
	}
	s := m.StatusAt(l.now())
	if s == "" || !s.Valid() {
		return nil
	}
	v := &statusView{Status: string(s), Label: l.must("status.open." + string(s)), Note: m.StatusNote}
	if !m.StatusUntil.IsZero() {
		v.Until = l.must("status.until", l.Day(m.StatusUntil, m.Currency))
		v.UntilISO = m.StatusUntil.UTC().Format(time.RFC3339)
	}
	return v
}

// hoursRow is one day of a merchant's opening hours.
type hoursRow struct {
	Day   string
	Spans []string // "8 h à 18 h"; none when closed
	Today bool
}

// openingHours is m's week, Monday first, today marked in the merchant's
// zone; nil when m gave no hours.
func (l *locale) openingHours(m *market.Merchant) []hoursRow {
	if m == nil || len(m.Hours) == 0 {
		return nil
	}
	today := int(l.now().In(zoneOf(m.Currency)).Weekday())
	if today == 0 {
		today = 7
	}
	rows := make([]hoursRow, 7)
	for d := 1; d <= 7; d++ {
		rows[d-1] = hoursRow{Day: l.must("weekday." + strconv.Itoa(d)), Today: d == today}
	}
	for _, h := range m.Hours {
		if h.Day < 1 || h.Day > 7 {
			continue
		}
		rows[h.Day-1].Spans = append(rows[h.Day-1].Spans, l.must("hours.span", l.clock(h.Opens), l.clock(h.Closes)))
	}
	return rows
}

// clock writes an HH:MM time as people read it: "8 h 30", "8:30 a.m.".
func (l *locale) clock(hhmm string) string {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return hhmm
	}
	if l.lang == langFR {
		if t.Minute() == 0 {
			return fmt.Sprintf("%d h", t.Hour())
		}
		return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
	}
	return strings.NewReplacer("AM", "a.m.", "PM", "p.m.").Replace(t.Format("3:04 PM"))
}

// photoHeight is the height a photo shows at width, for the img's
// attributes (no layout shift while it loads).
func photoHeight(p *market.PagePhoto, width int) int {
	if p == nil || p.Width <= 0 {
		return width * 3 / 4
	}
	return width * p.Height / p.Width
}

// postView is a news post as pages show it.
type postView struct {
	Post     *market.NewsPost
	Merchant *market.Merchant
	Photo    *market.PagePhoto
	URL      string // its page
	When     string
	Named    bool // shown with its merchant's name, among others' posts
}

// followForm is the merchant page's "Suivre ce commerce" form, empty or as
// it was sent.
type followForm struct {
	Action  string
	Email   formField
	Consent string // the wording the citizen agrees to, which the backend records
	Error   string // "the box is not ticked"
	Checked bool
	Sent    bool // the confirmation mail is on its way
}

// newFollowForm is the follow form of m.
func newFollowForm(l *locale, m *market.Merchant) *followForm {
	f := &followForm{Action: "/m/" + m.Slug + "/suivre", Consent: market.FollowConsent(l.lang),
		Email: input(l, "suivre-courriel", "email", "email", "follow.email", "follow.email.hint", "follow.email.error", "email", "email")}
	return f
}

// pageExtras fills the merchant page's own parts: photos, followers,
// news, and the follow form.
func (p *Pages) pageExtras(r *http.Request, l *locale, d *merchantData) error {
	m := d.Merchant
	d.Status = l.openStatus(m)
	d.Hours = l.openingHours(m)
	if l.lang == langEN && strings.TrimSpace(m.DescriptionEN) != "" {
		d.Description, d.DescriptionLang = m.DescriptionEN, ""
	} else {
		d.Description = m.Description
		if l.lang == langEN {
			d.DescriptionLang = "fr"
		}
	}
	if p.cfg.Followers != nil {
		d.Follow = newFollowForm(l, m)
		d.Script = p.assets.url("holder.js")
	}
	if p.cfg.MerchantPages == nil {
		return nil
	}
	ctx := r.Context()
	mp, err := p.cfg.MerchantPages.MerchantPage(ctx, m.ID)
	if err != nil && market.ErrorCode(err) != market.ENotFound {
		return err
	}
	if mp != nil {
		d.Photos, d.Followers = mp.Photos, mp.Followers
	}
	posts, _, err := p.cfg.MerchantPages.MerchantPosts(ctx, m.ID, market.Page{Limit: postsOnPage})
	if err != nil {
		return err
	}
	for _, post := range posts {
		if !post.Hidden {
			d.Posts = append(d.Posts, l.postView(post, m, d.Photos))
		}
	}
	d.Feed = "/m/" + m.Slug + "/nouvelles.atom"
	return nil
}

// postView dresses a post of m, its photo found among photos.
func (l *locale) postView(post *market.NewsPost, m *market.Merchant, photos []*market.PagePhoto) postView {
	v := postView{Post: post, Merchant: m, URL: "/m/" + m.Slug + "/nouvelles/" + post.ID, When: l.Day(post.CreatedAt, m.Currency)}
	for _, ph := range photos {
		if ph.ID == post.PhotoID && post.PhotoID != "" {
			v.Photo = ph
		}
	}
	return v
}

// follow is POST /m/{slug}/suivre, the follow form without JavaScript:
// the address and the ticked consent, then a page that says to check the
// mail (the same whether or not the address already follows).
func (p *Pages) follow(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	if p.cfg.Followers == nil {
		return nil, market.NotFound("Abonnement")
	}
	m, err := p.approvedMerchant(r, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return nil, market.Invalid("form", "unreadable")
	}
	f := newFollowForm(l, m)
	typed := strings.TrimSpace(r.PostForm.Get("email"))
	f.Email.Value, f.Checked = typed, r.PostForm.Get("consent") != ""
	email, err := market.CheckEmail("email", typed, true)
	again := func(status int) (*page, error) {
		pg, err := p.merchantPage(r, l, m, nil)
		if err != nil {
			return nil, err
		}
		d := pg.Data.(*merchantData)
		d.Follow, pg.status, pg.private = f, status, true
		pg.Title = l.must("buy.error.title", pg.Title)
		return pg, nil
	}
	switch {
	case err != nil:
		f.Email.Error, f.Email.Autofocus = f.Email.Message, true
		return again(http.StatusBadRequest)
	case !f.Checked:
		f.Error = l.must("follow.consent.error")
		return again(http.StatusBadRequest)
	}
	if pg := p.lookupAllowed(r, l); pg != nil {
		return pg, nil
	}
	if !p.allowWallet(r.Context(), "form:follow:email:"+email) {
		f.Error = l.must("follow.busy")
		return again(http.StatusTooManyRequests)
	}
	switch err := p.cfg.Followers.Follow(r.Context(), m, email, l.lang); market.ErrorCode(err) {
	case "":
	case market.EInvalid:
		f.Email.Error, f.Email.Autofocus = f.Email.Message, true
		return again(http.StatusBadRequest)
	case market.ERateLimited:
		f.Error = l.must("follow.busy")
		return again(http.StatusTooManyRequests)
	default:
		return nil, err
	}
	pg := &page{view: "follow", Title: l.must("follow.sent.title"), Description: l.must("site.description"),
		NoIndex: true, private: true, Data: &followData{Mode: "sent", Merchant: m, Email: email}}
	return pg, nil
}

// followAgain is GET /m/{slug}/suivre (a form's address reloaded): back
// to the page's form.
func (p *Pages) followAgain(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/m/"+r.PathValue("slug")+"#suivre", http.StatusSeeOther)
}

func init() { viewNames = append(viewNames, "follow", "post") }

// followData is the page of a follower's link, or of the sent form.
type followData struct {
	// Mode: "sent" (check your mail), "confirm" and "unsubscribe" (the
	// link's button), "confirmed", "unsubscribed", "invalid".
	Mode     string
	Merchant *market.Merchant
	Email    string
	Token    string
	Action   string
}

// followerLink serves GET and POST of /suivre/confirmer and
// /suivre/desabonner: the GET only shows a button (mail scanners fetch
// links, and must not confirm or unsubscribe anyone), the POST does it.
// The token is a bearer secret: never stored, never logged, never sent on.
func (p *Pages) followerLink(confirm bool) pageFunc {
	return func(r *http.Request, l *locale) (*page, error) {
		if p.cfg.Followers == nil {
			return nil, market.NotFound("Abonnement")
		}
		key, path := "unsubscribe", "/suivre/desabonner"
		if confirm {
			key, path = "confirm", "/suivre/confirmer"
		}
		pg := &page{view: "follow", Title: l.must("follow." + key + ".title"), Description: l.must("site.description"),
			Path: path, NoIndex: true, private: true}
		d := &followData{Mode: key, Action: path}
		pg.Data = d
		token := r.URL.Query().Get("token")
		if r.Method == http.MethodPost {
			if err := p.sameOrigin(r); err != nil {
				return nil, err
			}
			r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
			if err := r.ParseForm(); err == nil && r.PostForm.Get("token") != "" {
				token = r.PostForm.Get("token")
			}
		}
		if !codePattern.MatchString(token) {
			d.Mode, pg.status = "invalid", http.StatusBadRequest
			return pg, nil
		}
		if r.Method != http.MethodPost {
			d.Token = token
			return pg, nil
		}
		var m *market.Merchant
		var err error
		if confirm {
			m, err = p.cfg.Followers.ConfirmFollower(r.Context(), token)
		} else {
			m, err = p.cfg.Followers.Unsubscribe(r.Context(), token)
		}
		switch market.ErrorCode(err) {
		case "":
		case market.EInvalid, market.ENotFound:
			d.Mode, pg.status = "invalid", http.StatusBadRequest
			return pg, nil
		default:
			return nil, err
		}
		d.Merchant = m
		if confirm {
			d.Mode = "confirmed"
		} else {
			d.Mode = "unsubscribed"
		}
		return pg, nil
	}
}
