package store

import (
	"context"
	"database/sql"

	"github.com/solidaire-app/solidaire/market"
)

// What a pending order holds, taken when it is created (or when a late
// payment revives it) and given back when it expires: the seats of its
// tickets, the bonus its programme cards reserve from the fund, and its
// share of the buyer's caps. Each is a conditional update, so that no
// seat, bonus or cap is ever promised twice, whatever runs concurrently on
// any instance.

// holdOrder takes what an order's items need, within tx: ESoldOut,
// EFundExhausted or ECapReached when it cannot. With caps false the
// buyer's caps are counted without being checked (a late payment: the
// buyer has paid).
func holdOrder(ctx context.Context, tx *sql.Tx, orderID, buyer string, items []*market.OrderItem, caps bool, at int64) error {
	if err := holdSeats(ctx, tx, items); err != nil {
		return err
	}
	type share struct{ cards, amount int64 }
	shares := map[string]*share{}
	var order []string
	for _, it := range items {
		if it.Kind != market.KindProgrammeCard {
			continue
		}
		q := int64(it.Quantity)
		ok, err := fundMove(ctx, tx, it.ProgrammeID, market.FundReserve, it.Bonus*q, orderID, at)
		if err != nil {
			return err
		}
		if !ok {
			return &market.Error{Code: market.EFundExhausted,
				Message: "Le fonds de bonification est épuisé : la carte reste en vente sans bonus.",
				Fields:  map[string]string{"items": "fund exhausted"}}
		}
		if shares[it.ProgrammeID] == nil {
			shares[it.ProgrammeID] = &share{}
			order = append(order, it.ProgrammeID)
		}
		shares[it.ProgrammeID].cards += q
		shares[it.ProgrammeID].amount += it.Amount * q
	}
	for _, programme := range order {
		sh := shares[programme]
		if _, err := tx.ExecContext(ctx, `INSERT INTO programme_buyers (programme_id, buyer) VALUES ($1, $2)
			ON CONFLICT (programme_id, buyer) DO NOTHING`, programme, buyer); err != nil {
			return err
		}
		check := ""
		if caps {
			check = ` AND ((SELECT cards_per_buyer FROM programmes WHERE id = $1) = 0
					OR cards + $3 <= (SELECT cards_per_buyer FROM programmes WHERE id = $1))
				AND ((SELECT amount_per_buyer FROM programmes WHERE id = $1) = 0
					OR amount + $4 <= (SELECT amount_per_buyer FROM programmes WHERE id = $1))`
		}
		res, err := tx.ExecContext(ctx, `UPDATE programme_buyers SET cards = cards + $3, amount = amount + $4
			WHERE programme_id = $1 AND buyer = $2`+check, programme, buyer, sh.cards, sh.amount)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.ECapReached,
				Message: "Vous avez atteint la limite d'achat de ce programme (commandes en attente comprises).",
				Fields:  map[string]string{"items": "cap reached"}}
		}
	}
	return nil
}

// releaseOrder gives back what an order held, within tx.
func releaseOrder(ctx context.Context, tx *sql.Tx, orderID string, at int64) error {
	if err := releaseSeats(ctx, tx, orderID); err != nil {
		return err
	}
	var buyer string
	if err := tx.QueryRowContext(ctx, `SELECT buyer_key FROM orders WHERE id = $1`, orderID).Scan(&buyer); err != nil {
		return err
	}
	items, err := itemsOf(ctx, tx, orderID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind != market.KindProgrammeCard {
			continue
		}
		q := int64(it.Quantity)
		if _, err := fundMove(ctx, tx, it.ProgrammeID, market.FundRelease, it.Bonus*q, orderID, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programme_buyers SET cards = cards - $3, amount = amount - $4
			WHERE programme_id = $1 AND buyer = $2 AND cards >= $3 AND amount >= $4`, it.ProgrammeID, buyer, q, it.Amount*q); err != nil {
			return err
		}
	}
	return nil
}

// holdSeats takes the seats an order's ticket items need, with one
// conditional update per ticket type: the database, not the application,
// makes overselling impossible.
func holdSeats(ctx context.Context, tx *sql.Tx, items []*market.OrderItem) error {
	for i, it := range items {
		if it.Kind != market.KindTicket {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE ticket_types SET seats_left = seats_left - $1
			WHERE id = $2 AND event_id = $3 AND seats_left >= $1`, it.Quantity, it.TicketTypeID, it.EventID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.ESoldOut, Message: "Plus assez de places pour ce tarif.",
				Fields: map[string]string{"items[" + itoa(i) + "].quantity": "not enough seats left"}}
		}
	}
	return nil
}

// releaseSeats gives back the seats held by an order's ticket items.
func releaseSeats(ctx context.Context, tx *sql.Tx, orderID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE ticket_types SET seats_left = seats_left + (
			SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i
			WHERE i.order_id = $1 AND i.kind = 'ticket' AND i.ticket_type_id = ticket_types.id)
		WHERE id IN (SELECT ticket_type_id FROM order_items WHERE order_id = $1 AND kind = 'ticket')`, orderID)
	return err
}

// itemsOf reads an order's items within tx, in their order.
func itemsOf(ctx context.Context, tx *sql.Tx, orderID string) ([]*market.OrderItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, amount, quantity, recipient_name, recipient_email,
		message, event_id, ticket_type_id, programme_id, bonus, deliver_at FROM order_items WHERE order_id = $1 ORDER BY position`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []*market.OrderItem
	for rows.Next() {
		var it market.OrderItem
		var kind string
		var deliverAt int64
		if err := rows.Scan(&it.ID, &kind, &it.Amount, &it.Quantity, &it.RecipientName, &it.RecipientEmail,
			&it.Message, &it.EventID, &it.TicketTypeID, &it.ProgrammeID, &it.Bonus, &deliverAt); err != nil {
			return nil, err
		}
		it.Kind, it.DeliverAt = market.ItemKind(kind), fromMillis(deliverAt)
		items = append(items, &it)
	}
	return items, rows.Err()
}
