package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

const eventColumns = `e.id, e.merchant_id, m.slug, m.name, e.title, e.summary, e.description, e.city,
	e.starts_at, e.status, e.status_note, e.currency, e.solidarity_min, e.published, e.cancel_options, e.created_at`

// queryer is what reads need from a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ListEvents returns one page of the published events of approved venues
// matching f, by start time, with their ticket types, and the cursor of the
// next page. City and category are the venue's. EInvalid for a bad cursor.
func (db *DB) ListEvents(ctx context.Context, f market.EventFilter) ([]*market.Event, string, error) {
	var afterMs int64 = -1 << 62
	afterID := ""
	if f.Page.Cursor != "" {
		ms, id, err := decodeTimeCursor(f.Page.Cursor)
		if err != nil {
			return nil, "", err
		}
		afterMs, afterID = ms, id
	}
	var from int64 = -1 << 62
	if f.Upcoming {
		from = millis(db.now())
	}
	if !f.From.IsZero() && millis(f.From) > from {
		from = millis(f.From)
	}
	var to int64 = 1 << 62
	if !f.To.IsZero() {
		to = millis(f.To)
	}
	city := market.CityKey(f.City)
	if !utf8.ValidString(city) || strings.ContainsRune(city, 0) {
		return nil, "", nil // no city has that name, and PostgreSQL would refuse it
	}
	n := limit(f.Page)
	var list []*market.Event
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`
			FROM events e JOIN merchants m ON m.id = e.merchant_id
			WHERE e.published = 1 AND m.status = 'approved' AND ($1 = '' OR e.status = $1)
			  AND ($2 = '' OR m.slug = $2)
			  AND e.starts_at >= $3 AND e.starts_at < $7
			  AND ($8 = '' OR m.city_key = $8) AND ($9 = '' OR m.category = $9)
			  AND (e.starts_at > $4 OR (e.starts_at = $4 AND e.id > $5))
			ORDER BY e.starts_at, e.id
			LIMIT $6`,
			string(f.Status), f.Merchant, from, afterMs, afterID, n+1, to, city, string(f.Category))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return err
			}
			list = append(list, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return loadTicketTypes(ctx, tx, list)
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > n {
		list = list[:n]
		last := list[n-1]
		next = encodeCursor(strconv.FormatInt(millis(last.StartsAt), 10), last.ID)
	}
	return list, next, nil
}

// Event returns the event with the given id and its ticket types; ENotFound
// when there is none.
func (db *DB) Event(ctx context.Context, id string) (*market.Event, error) {
	e, err := eventIn(ctx, db.read, id)
	return e, translate(err)
}

// eventIn reads an event with its ticket types through q, in one
// statement (one snapshot, one round trip: every checkout of a ticket
// reads its event); ENotFound when unknown.
func eventIn(ctx context.Context, q queryer, id string) (*market.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+`, COALESCE(t.id, ''), COALESCE(t.name, ''),
			COALESCE(t.price, 0), COALESCE(t.capacity, 0), COALESCE(t.seats_left, 0)
		FROM events e JOIN merchants m ON m.id = e.merchant_id LEFT JOIN ticket_types t ON t.event_id = e.id
		WHERE e.id = $1 ORDER BY t.position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var e *market.Event
	for rows.Next() {
		var t market.TicketType
		row, err := scanEvent(rows, &t.ID, &t.Name, &t.Price, &t.Capacity, &t.SeatsLeft)
		if err != nil {
			return nil, err
		}
		if e == nil {
			e = row
			e.TicketTypes = []*market.TicketType{}
		}
		if t.ID != "" {
			t.EventID = e.ID
			e.TicketTypes = append(e.TicketTypes, &t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if e == nil {
		return nil, market.NotFound("Événement")
	}
	return e, nil
}

// CreateEvent validates and stores e with its ticket types, giving ids and a
// creation time where they are missing. EConflict when the id is taken;
// ENotFound when the merchant is unknown.
func (db *DB) CreateEvent(ctx context.Context, e *market.Event) error {
	if e.Status == "" {
		e.Status = market.EventScheduled
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if e.ID == "" {
		e.ID = market.NewID("evt")
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var slug, name string
		err := tx.QueryRowContext(ctx, `SELECT slug, name FROM merchants WHERE id = $1`, e.MerchantID).Scan(&slug, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Commerce")
		}
		if err != nil {
			return err
		}
		e.MerchantSlug, e.MerchantName = slug, name
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (id, merchant_id, title, summary, description,
			city, starts_at, status, status_note, currency, solidarity_min, published, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			e.ID, e.MerchantID, e.Title, e.Summary, e.Description, e.City, millis(e.StartsAt),
			string(e.Status), e.StatusNote, string(e.Currency), e.SolidarityMin, boolInt(!e.Draft), millis(e.CreatedAt)); err != nil {
			return err
		}
		for i, t := range e.TicketTypes {
			if t.ID == "" {
				t.ID = market.NewID("tt")
			}
			t.EventID = e.ID
			if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_types (id, event_id, position, name, price, capacity, seats_left)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				t.ID, e.ID, i, t.Name, t.Price, t.Capacity, t.SeatsLeft); err != nil {
				return err
			}
		}
		return nil
	})
}

// loadTicketTypes fills the ticket types of events with one query.
func loadTicketTypes(ctx context.Context, q queryer, events []*market.Event) error {
	if len(events) == 0 {
		return nil
	}
	byID := make(map[string]*market.Event, len(events))
	args := make([]any, len(events))
	for i, e := range events {
		byID[e.ID] = e
		e.TicketTypes = []*market.TicketType{}
		args[i] = e.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT id, event_id, name, price, capacity, seats_left
		FROM ticket_types WHERE event_id IN (`+placeholders(1, len(args))+`)
		ORDER BY event_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t market.TicketType
		if err := rows.Scan(&t.ID, &t.EventID, &t.Name, &t.Price, &t.Capacity, &t.SeatsLeft); err != nil {
			return err
		}
		if e := byID[t.EventID]; e != nil {
			e.TicketTypes = append(e.TicketTypes, &t)
		}
	}
	return rows.Err()
}

// scanEvent scans eventColumns, then into extra the columns that follow.
func scanEvent(s scanner, extra ...any) (*market.Event, error) {
	var e market.Event
	var status, currency, choices string
	var starts, created int64
	var published int
	err := s.Scan(append([]any{&e.ID, &e.MerchantID, &e.MerchantSlug, &e.MerchantName, &e.Title, &e.Summary,
		&e.Description, &e.City, &starts, &status, &e.StatusNote, &currency, &e.SolidarityMin, &published, &choices, &created}, extra...)...)
	if err != nil {
		return nil, err
	}
	e.Draft = published == 0
	if choices != "" {
		e.Choices = &market.CancelOptions{}
		if err := json.Unmarshal([]byte(choices), e.Choices); err != nil {
			return nil, err
		}
	}
	e.Status, e.Currency = market.EventStatus(status), market.Currency(currency)
	e.StartsAt, e.CreatedAt = fromMillis(starts), fromMillis(created)
	return &e, nil
}

// UpdateEvent writes an event's editable fields and its ticket types: new
// types are added; a type's capacity changes its seats left by the same
// amount, and cannot go below the seats sold (EConflict).
func (db *DB) UpdateEvent(ctx context.Context, e *market.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE events SET title = $1, summary = $2, description = $3, city = $4, starts_at = $5,
			solidarity_min = $6, published = $7 WHERE id = $8`, e.Title, e.Summary, e.Description, e.City, millis(e.StartsAt),
			e.SolidarityMin, boolInt(!e.Draft), e.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Événement")
		}
		for i, t := range e.TicketTypes {
			if t.ID == "" {
				t.ID, t.EventID, t.SeatsLeft = market.NewID("tt"), e.ID, t.Capacity
				if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_types (id, event_id, position, name, price, capacity, seats_left)
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, e.ID, i, t.Name, t.Price, t.Capacity, t.SeatsLeft); err != nil {
					return err
				}
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE ticket_types SET name = $1, seats_left = seats_left + ($2 - capacity), capacity = $2
				WHERE id = $3 AND event_id = $4 AND seats_left + ($2 - capacity) >= 0`, t.Name, t.Capacity, t.ID, e.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return &market.Error{Code: market.EConflict, Message: "Capacité inférieure aux places déjà vendues, ou tarif inconnu.",
					Fields: map[string]string{"ticket_types": "capacity below the seats sold"}}
			}
		}
		return nil
	})
}

// OrganiserEvents returns every event (drafts too) of a venue, by date.
func (db *DB) OrganiserEvents(ctx context.Context, merchantID string) ([]*market.Event, error) {
	var list []*market.Event
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e JOIN merchants m ON m.id = e.merchant_id
			WHERE e.merchant_id = $1 ORDER BY e.starts_at, e.id`, merchantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return err
			}
			list = append(list, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return loadTicketTypes(ctx, tx, list)
	})
	return list, err
}
