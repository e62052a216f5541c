-- +goose Up
-- A choice the organiser's default made for a holder who did not answer:
-- a defaulted credit can still become a refund when the holder asks.
ALTER TABLE tickets ADD COLUMN choice_by_default INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tickets DROP COLUMN choice_by_default;
