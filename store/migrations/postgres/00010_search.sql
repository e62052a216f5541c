-- +goose Up
-- The directory's search, through an index rather than a scan of every
-- merchant: each term of a query must begin a word of the merchant's
-- search text (market.SearchText: name, summary, city, category names,
-- folded, words separated by one space). search_words holds those words
-- as a tsvector ('simple': no stemming, no stop words), computed by
-- PostgreSQL on every write of search; its GIN index answers prefix
-- queries ('boul':* & 'montreal':*). Full-text search is built in: no
-- extension, so no superuser, is needed.
--
-- The search text of merchants written before kept their punctuation: it
-- becomes the spaces SearchText writes now, so that every row splits into
-- words the same way.
UPDATE merchants SET search = btrim(regexp_replace(search, '[[:punct:][:space:]’‘“”«»–—…·•  ]+', ' ', 'g'));
ALTER TABLE merchants ADD COLUMN search_words tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search)) STORED;
CREATE INDEX merchants_search_words ON merchants USING gin (search_words);
-- A search that matches many merchants walks them in slug order: this
-- index holds what that walk tests, so that it never reads the table.
CREATE INDEX merchants_search_listing ON merchants (status, slug) INCLUDE (category, city_key, search_words);

-- The cities merchants can be in, one per key (market.CityKey: folded),
-- written as the list writes them: a business applying picks one, an admin
-- adds the others. Seeded with the cities of the merchants already here
-- (their most used spelling) and the demo's.
CREATE TABLE cities (
    city_key   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    country    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

INSERT INTO cities (city_key, name, country, created_at)
SELECT city_key, city, CASE WHEN currency = 'eur' THEN 'FR' ELSE 'CA' END, (extract(epoch FROM now()) * 1000)::bigint
FROM (
    SELECT city_key, city, currency, ROW_NUMBER() OVER (PARTITION BY city_key ORDER BY n DESC, city) AS nth
    FROM (SELECT city_key, city, MIN(currency) AS currency, COUNT(*) AS n FROM merchants
          WHERE city_key <> '' GROUP BY city_key, city) AS spellings
) AS ranked
WHERE nth = 1
ON CONFLICT (city_key) DO NOTHING;

INSERT INTO cities (city_key, name, country, created_at) VALUES
    ('montreal', 'Montréal', 'CA', (extract(epoch FROM now()) * 1000)::bigint),
    ('quebec', 'Québec', 'CA', (extract(epoch FROM now()) * 1000)::bigint),
    ('sherbrooke', 'Sherbrooke', 'CA', (extract(epoch FROM now()) * 1000)::bigint),
    ('lyon', 'Lyon', 'FR', (extract(epoch FROM now()) * 1000)::bigint)
ON CONFLICT (city_key) DO NOTHING;

-- +goose Down
DROP TABLE cities;
DROP INDEX merchants_search_listing;
DROP INDEX merchants_search_words;
ALTER TABLE merchants DROP COLUMN search_words;
