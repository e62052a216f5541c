-- +goose Up
-- The directory's search at the size of a province (#14). A term is a
-- prefix of a word, and GIN answers a prefix query ('boul':*) by reading
-- the posting list of every word that begins with it into a bitmap before
-- intersecting anything. search_words lists the words of the merchants'
-- search texts (their search_words lexemes), so that the store can turn
-- such a term into the few words it begins ('fleur' → 'fleuriste' |
-- 'fleurs'), whose posting lists GIN intersects skipping ahead. It may
-- hold words no merchant has any more (they match nothing); it never lacks
-- one a merchant has. COLLATE "C": the store looks words up by byte range.
CREATE TABLE search_words (
    word TEXT COLLATE "C" PRIMARY KEY
);

INSERT INTO search_words (word)
SELECT DISTINCT unnest(tsvector_to_array(search_words)) FROM merchants
ON CONFLICT DO NOTHING;

-- One statement's rows at once (a bulk COPY as well as an UPDATE of one
-- merchant). An UPDATE trigger with a column list cannot see its
-- transition table, so every UPDATE adds its rows' words again: they are
-- there already unless the search text changed.
-- +goose StatementBegin
CREATE FUNCTION search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (word)
    SELECT DISTINCT unnest(tsvector_to_array(search_words)) FROM written
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER merchants_search_words_insert AFTER INSERT ON merchants
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION search_words_add();
CREATE TRIGGER merchants_search_words_update AFTER UPDATE ON merchants
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION search_words_add();

-- A city's merchants of one category, in slug order, without reading the
-- rows of the city's other categories.
CREATE INDEX merchants_city_category ON merchants (city_key, category, status, slug);

-- +goose Down
DROP INDEX merchants_city_category;
DROP TRIGGER merchants_search_words_update ON merchants;
DROP TRIGGER merchants_search_words_insert ON merchants;
DROP FUNCTION search_words_add();
DROP TABLE search_words;
