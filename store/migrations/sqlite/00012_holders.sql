-- +goose Up
-- A holder told of a cancelled or postponed event gets one mail for all
-- their tickets, with a key that chooses for all of them at once. The key
-- is the holder's (an event and a holder email), never a ticket's: a
-- ticket code given away opens only that ticket. Only its hash is kept.
CREATE TABLE holder_keys (
    hash         TEXT PRIMARY KEY,
    event_id     TEXT NOT NULL REFERENCES events (id),
    holder_email TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE holder_keys;
