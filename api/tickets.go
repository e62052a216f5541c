package api

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Tickets is the events service (market.CancellationService) and the ticket reads.
type Tickets interface {
	Cancel(ctx context.Context, eventID string, o market.CancelOptions, dryRun bool) (*market.CancelPreview, error)
	Postpone(ctx context.Context, eventID string, o market.CancelOptions, dryRun bool) (*market.CancelPreview, error)
	View(ctx context.Context, code string) (*market.ChoiceView, error)
	Choose(ctx context.Context, code string, c market.Choice) (*market.Ticket, error)
	ChooseAll(ctx context.Context, code, key string, c market.Choice) (*market.ChoiceBatch, error)
	Tally(ctx context.Context, eventID string) (*market.ChoiceTally, error)
}

// TicketStore reads and writes what the ticket routes need (store.DB).
type TicketStore interface {
	Event(ctx context.Context, id string) (*market.Event, error)
	CreateEvent(ctx context.Context, e *market.Event) error
	UpdateEvent(ctx context.Context, e *market.Event) error
	OrganiserEvents(ctx context.Context, merchantID string) ([]*market.Event, error)
	Ticket(ctx context.Context, code string) (*market.Ticket, error)
	OrderTickets(ctx context.Context, orderID string) ([]*market.Ticket, error)
	CheckIn(ctx context.Context, merchantID, code, by string, at time.Time) (*market.Ticket, error)
	UndoCheckIn(ctx context.Context, merchantID, code string) (*market.Ticket, error)
}

type ticketJSON struct {
	Code        string              `json:"code"`
	DisplayCode string              `json:"display_code"`
	Kind        market.ItemKind     `json:"kind"`
	Event       eventRef            `json:"event"`
	Type        string              `json:"ticket_type,omitempty"`
	Price       market.Money        `json:"price"`
	Status      market.TicketStatus `json:"status"`
	CheckedInAt *time.Time          `json:"checked_in_at"`
	Choice      market.Choice       `json:"choice,omitempty"`
	ChoiceRef   string              `json:"choice_ref,omitempty"`
	QRURL       string              `json:"qr_url,omitempty"`
	URL         string              `json:"url"`
}

type eventRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func (s *Server) newTicketJSON(t *market.Ticket) ticketJSON {
	out := ticketJSON{Code: t.Code, DisplayCode: market.GroupCode(t.Code), Kind: t.Kind, Event: eventRef{t.EventID, t.EventTitle},
		Type: t.TypeName, Price: market.Money{Amount: t.Price, Currency: t.Currency}, Status: t.Status, Choice: t.Choice,
		ChoiceRef: t.ChoiceRef, URL: s.cfg.BaseURL + "/billet/" + t.Code}
	if !t.CheckedInAt.IsZero() {
		out.CheckedInAt = &t.CheckedInAt
	}
	if t.Kind == market.KindTicket {
		out.QRURL = s.cfg.BaseURL + "/api/v1/tickets/" + t.Code + "/qr.png"
	}
	if t.Choice == market.ChoiceCredit && t.ChoiceRef != "" {
		out.ChoiceRef = s.cfg.BaseURL + "/v/" + t.ChoiceRef
	}
	return out
}

// getTicket answers GET /api/v1/tickets/{code}: the ticket (the code is the
// bearer), its event's status and the choices open to the holder.
func (s *Server) getTicket(c *gin.Context) error {
	if err := s.limit(c, "voucher:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	v, err := s.cfg.Tickets.View(c.Request.Context(), c.Param("code"))
	if err != nil {
		return err
	}
	choices := []market.Choice{}
	choices = append(choices, v.Choices...)
	out := gin.H{"ticket": s.newTicketJSON(v.Ticket), "event": newEventJSON(v.Event), "choices": choices}
	if o := v.Event.Choices; o != nil {
		out["options"] = gin.H{"reason": o.Reason, "credit_bonus_percent": o.CreditBonusPercent, "deadline": o.Deadline, "default": o.Default}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// choiceRequest is a holder's choice: for the ticket of the path, or with
// all and the holder's key (from the holder's mail), for all their tickets
// of the event.
type choiceRequest struct {
	Choice market.Choice `json:"choice"`
	All    bool          `json:"all"`
	Key    string        `json:"key"`
}

// chooseForTicket answers POST /api/v1/tickets/{code}/choice {"choice"}:
// the outcome (refund id, credit voucher, or donation). The same choice
// again returns the first outcome; another is 409 choice_already_made.
// With "all": true and the holder's "key", the choice is applied to every
// ticket of the same holder and event that has no other choice yet, and
// the answer lists the tickets chosen and those skipped, with why; a key
// that is not this ticket's holder's is 404.
func (s *Server) chooseForTicket(c *gin.Context) error {
	var req choiceRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.All && strings.TrimSpace(req.Key) == "" {
		return market.Invalid("key", "the holder's key (from the mail) is required with all")
	}
	switch req.Choice {
	case market.ChoiceRefund, market.ChoiceCredit, market.ChoiceDonate, market.ChoiceKeep:
	default:
		return market.Invalid("choice", "must be refund, credit, donate or keep")
	}
	if err := s.limit(c, "voucher:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	// The holder's choice must be carried out even if the phone hangs up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 30*time.Second)
	defer cancel()
	if req.All {
		b, err := s.cfg.Tickets.ChooseAll(ctx, c.Param("code"), req.Key, req.Choice)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, s.batchAnswer(b))
		return nil
	}
	claimAnswer(c, http.StatusOK, s.choiceAnswer)
	t, err := s.cfg.Tickets.Choose(ctx, c.Param("code"), req.Choice)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.choiceAnswer(t))
	return nil
}

// choiceAnswer is the answer to a holder's choice: the ticket and the
// outcome so far (settled once the refund is paid, the credit issued, the
// donation recorded).
func (s *Server) choiceAnswer(t *market.Ticket) any {
	return gin.H{"ticket": s.newTicketJSON(t), "outcome": gin.H{"choice": t.Choice, "status": t.Status,
		"settled": t.Status != market.TicketValid || t.Choice == market.ChoiceKeep}}
}

// batchAnswer is the answer to a holder's choice for all their tickets.
func (s *Server) batchAnswer(b *market.ChoiceBatch) any {
	chosen := []any{}
	for _, t := range b.Chosen {
		chosen = append(chosen, s.choiceAnswer(t))
	}
	skipped := []any{}
	for _, k := range b.Skipped {
		skipped = append(skipped, gin.H{"ticket": s.newTicketJSON(k.Ticket), "reason": k.Reason})
	}
	return gin.H{"chosen": chosen, "skipped": skipped}
}

// rechoose answers a repeated choice (same Idempotency-Key) with the
// outcome as it stands now: the first choice, carried further (for all of
// a holder's tickets, the batch again, which is idempotent).
func (s *Server) rechoose(c *gin.Context) error {
	var req choiceRequest
	if err := bindJSON(c, &req); err == nil && req.All {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 30*time.Second)
		defer cancel()
		b, err := s.cfg.Tickets.ChooseAll(ctx, c.Param("code"), req.Key, req.Choice)
		if err != nil {
			return err
		}
		c.Header("Idempotent-Replayed", "true")
		c.JSON(http.StatusOK, s.batchAnswer(b))
		return nil
	}
	v, err := s.cfg.Tickets.View(c.Request.Context(), c.Param("code"))
	if err != nil {
		return err
	}
	c.Header("Idempotent-Replayed", "true")
	c.JSON(http.StatusOK, s.choiceAnswer(v.Ticket))
	return nil
}

// ticketQR answers GET /api/v1/tickets/{code}/qr.png.
func (s *Server) ticketQR(c *gin.Context) error {
	code := market.NormalizeCode(c.Param("code"))
	if code == "" {
		return market.NotFound("Billet")
	}
	if err := s.limit(c, "voucher:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	return s.serveQR(c, market.TicketURL(s.cfg.BaseURL, code), func() error {
		_, err := s.cfg.TicketStore.Ticket(c.Request.Context(), code)
		return err
	})
}

// checkIn answers POST /api/v1/merchant/tickets/{code}/checkin: 200 the
// first time, 409 already_checked_in (with when and by whom) after.
func (s *Server) checkIn(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermScan)
	if err != nil {
		return err
	}
	if err := s.lookupLimits(c); err != nil {
		return err
	}
	code := market.NormalizeCode(c.Param("code"))
	if code == "" {
		return market.NotFound("Billet")
	}
	a := actor(c)
	t, err := s.cfg.TicketStore.CheckIn(c.Request.Context(), m.ID, code, a.Name, time.Now().UTC())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"ticket": s.newTicketJSON(t), "checked_in": true})
	return nil
}

// undoCheckIn answers POST /api/v1/merchant/tickets/{code}/checkin/undo.
func (s *Server) undoCheckIn(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermScan)
	if err != nil {
		return err
	}
	t, err := s.cfg.TicketStore.UndoCheckIn(c.Request.Context(), m.ID, market.NormalizeCode(c.Param("code")))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"ticket": s.newTicketJSON(t), "checked_in": false})
	return nil
}

// eventFor returns the event of the route if the actor may manage the
// venue's events; 404 otherwise.
func (s *Server) eventFor(c *gin.Context) (*market.Event, error) {
	e, err := s.cfg.TicketStore.Event(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if !actor(c).Can(e.MerchantID, market.PermEvents) {
		return nil, market.NotFound("Événement")
	}
	return e, nil
}

type eventRequest struct {
	Merchant      string     `json:"merchant"`
	Title         *string    `json:"title"`
	Summary       *string    `json:"summary"`
	Description   *string    `json:"description"`
	City          *string    `json:"city"`
	StartsAt      *time.Time `json:"starts_at"`
	SolidarityMin *int64     `json:"solidarity_min"`
	Draft         *bool      `json:"draft"`
	TicketTypes   []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Price    int64  `json:"price"`
		Capacity *int   `json:"capacity"`
	} `json:"ticket_types"`
}

// apply copies the request's fields onto e; ticket types are added or
// resized (a type's price cannot change once on sale).
func (r *eventRequest) apply(e *market.Event) error {
	set := func(dst *string, v *string, field string, max int) error {
		if v == nil {
			return nil
		}
		if utf8.RuneCountInString(*v) > max {
			return market.Invalid(field, "too long")
		}
		*dst = strings.TrimSpace(*v)
		return nil
	}
	if err := set(&e.Title, r.Title, "title", 140); err != nil {
		return err
	}
	if err := set(&e.Summary, r.Summary, "summary", 280); err != nil {
		return err
	}
	if err := set(&e.Description, r.Description, "description", 8000); err != nil {
		return err
	}
	if err := set(&e.City, r.City, "city", 100); err != nil {
		return err
	}
	if r.StartsAt != nil {
		e.StartsAt = *r.StartsAt
	}
	if r.SolidarityMin != nil {
		e.SolidarityMin = *r.SolidarityMin
	}
	if r.Draft != nil {
		e.Draft = *r.Draft
	}
	if len(r.TicketTypes) > 20 {
		return market.Invalid("ticket_types", "at most 20")
	}
	for _, t := range r.TicketTypes {
		if t.Capacity != nil && (*t.Capacity < 0 || *t.Capacity > 100000) {
			return market.Invalid("ticket_types", "capacity must be 0 to 100000")
		}
		if t.ID == "" {
			if err := market.CheckAmount("ticket_types.price", t.Price, 0); err != nil {
				return err
			}
			if t.Capacity == nil {
				return market.Invalid("ticket_types", "a new ticket type needs a capacity")
			}
			e.TicketTypes = append(e.TicketTypes, &market.TicketType{Name: strings.TrimSpace(t.Name), Price: t.Price, Capacity: *t.Capacity, SeatsLeft: *t.Capacity})
			continue
		}
		found := false
		for _, tt := range e.TicketTypes {
			if tt.ID == t.ID {
				found = true
				if t.Name != "" {
					tt.Name = strings.TrimSpace(t.Name)
				}
				if t.Capacity != nil {
					tt.Capacity = *t.Capacity
				}
			}
		}
		if !found {
			return market.Invalid("ticket_types", "unknown ticket type "+t.ID)
		}
	}
	return nil
}

// createEvent answers POST /api/v1/organiser/events: an event of a venue
// the actor organises (owner or organiser). A venue not approved may only
// prepare drafts (Event.MayPublish's 403s).
func (s *Server) createEvent(c *gin.Context) error {
	var req eventRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	m, err := s.cfg.Merchants.Merchant(ctx, req.Merchant)
	if err != nil || !actor(c).Can(m.ID, market.PermEvents) {
		return market.Invalid("merchant", "unknown venue, or not yours")
	}
	e := &market.Event{MerchantID: m.ID, City: m.City, Currency: m.Currency, Status: market.EventScheduled}
	if err := req.apply(e); err != nil {
		return err
	}
	if e.StartsAt.Before(time.Now()) {
		return market.Invalid("starts_at", "must be in the future")
	}
	if err := e.MayPublish(m); err != nil {
		return err
	}
	if err := s.cfg.TicketStore.CreateEvent(ctx, e); err != nil {
		return err
	}
	created, err := s.cfg.TicketStore.Event(ctx, e.ID)
	if err != nil {
		return err
	}
	s.announceEvent(ctx, m, created)
	c.JSON(http.StatusCreated, newEventJSON(created))
	return nil
}

// updateEvent answers PATCH /api/v1/organiser/events/{id}.
func (s *Server) updateEvent(c *gin.Context) error {
	e, err := s.eventFor(c)
	if err != nil {
		return err
	}
	var req eventRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Merchant != "" && req.Merchant != e.MerchantSlug {
		return market.Invalid("merchant", "an event cannot change venue")
	}
	if e.Status == market.EventCancelled {
		return &market.Error{Code: market.EConflict, Message: "Un événement annulé ne se modifie plus."}
	}
	if req.StartsAt != nil && !req.StartsAt.Equal(e.StartsAt) {
		return market.Invalid("starts_at", "a new date is a postponement: use /postpone, so holders are told")
	}
	if err := req.apply(e); err != nil {
		return err
	}
	ctx := c.Request.Context()
	venue, err := s.cfg.Merchants.MerchantByID(ctx, e.MerchantID)
	if err != nil {
		return err
	}
	if err := e.MayPublish(venue); err != nil {
		return err
	}
	if err := s.cfg.TicketStore.UpdateEvent(ctx, e); err != nil {
		return err
	}
	updated, err := s.cfg.TicketStore.Event(ctx, e.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newEventJSON(updated))
	return nil
}

// organiserEvents answers GET /api/v1/organiser/events?merchant=: every
// event of a venue, drafts too.
func (s *Server) organiserEvents(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermEvents)
	if err != nil {
		return err
	}
	events, err := s.cfg.TicketStore.OrganiserEvents(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	out := make([]eventJSON, len(events))
	for i, e := range events {
		out[i] = newEventJSON(e)
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}

type choicesRequest struct {
	Reason             string          `json:"reason"`
	Options            []market.Choice `json:"options"`
	CreditBonusPercent int             `json:"credit_bonus_percent"`
	Deadline           *time.Time      `json:"deadline"`
	Default            market.Choice   `json:"default"`
	DryRun             bool            `json:"dry_run"`
	StartsAt           *time.Time      `json:"starts_at"`
}

func (r choicesRequest) options() market.CancelOptions {
	o := market.CancelOptions{Reason: r.Reason, Options: r.Options, CreditBonusPercent: r.CreditBonusPercent, Default: r.Default}
	if r.Deadline != nil {
		o.Deadline = *r.Deadline
	}
	if r.StartsAt != nil {
		o.StartsAt = *r.StartsAt
	}
	return o
}

func previewJSON(p *market.CancelPreview, dry bool) gin.H {
	return gin.H{"dry_run": dry, "holders": p.Holders, "tickets": p.Tickets, "amount": market.Money{Amount: p.Amount, Currency: p.Currency},
		"options": p.Options.Options, "credit_bonus_percent": p.Options.CreditBonusPercent, "deadline": p.Options.Deadline,
		"default": p.Options.Default}
}

// cancelEvent answers POST /api/v1/organiser/events/{id}/cancel: with
// dry_run the preview (holders, tickets, amount), otherwise the event is
// cancelled and every holder is told, with their choices.
func (s *Server) cancelEvent(c *gin.Context) error {
	e, err := s.eventFor(c)
	if err != nil {
		return err
	}
	var req choicesRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.StartsAt != nil {
		return market.Invalid("starts_at", "a cancellation has no new date")
	}
	p, err := s.cfg.Tickets.Cancel(c.Request.Context(), e.ID, req.options(), req.DryRun)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, previewJSON(p, req.DryRun))
	return nil
}

// postponeEvent answers POST /api/v1/organiser/events/{id}/postpone
// {"starts_at", "deadline"}.
func (s *Server) postponeEvent(c *gin.Context) error {
	e, err := s.eventFor(c)
	if err != nil {
		return err
	}
	var req choicesRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.StartsAt == nil {
		return market.Invalid("starts_at", "is required")
	}
	p, err := s.cfg.Tickets.Postpone(c.Request.Context(), e.ID, req.options(), req.DryRun)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, previewJSON(p, req.DryRun))
	return nil
}

// eventChoices answers GET /api/v1/organiser/events/{id}/choices: how
// holders chose (counts and amounts), how many were told, and the
// solidarity total.
func (s *Server) eventChoices(c *gin.Context) error {
	e, err := s.eventFor(c)
	if err != nil {
		return err
	}
	t, err := s.cfg.Tickets.Tally(c.Request.Context(), e.ID)
	if err != nil {
		return err
	}
	per := gin.H{}
	for _, ch := range []market.Choice{market.ChoiceRefund, market.ChoiceCredit, market.ChoiceDonate, market.ChoiceKeep} {
		per[string(ch)] = gin.H{"count": t.Counts[ch], "amount": market.Money{Amount: t.Amounts[ch], Currency: t.Currency}}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"event": gin.H{"id": e.ID, "title": e.Title, "status": e.Status}, "tickets": t.Tickets,
		"notified": t.Notified, "pending": t.Pending, "choices": per,
		"solidarity_total": market.Money{Amount: t.SolidarityTotal, Currency: t.Currency}})
	return nil
}
