-- +goose Up
-- The directory's search at the size of a province (#14). A term is a
-- prefix of a word, and FTS5 answers a prefix longer than its prefix
-- indexes (2 and 3 characters) by reading the whole doclist of every word
-- that begins with it and merging them before the first match: some
-- 10,000 rows for "boulangerie" at each request. search_words lists the
-- words of the merchants' search texts, so that the store can turn such a
-- term into the few words it begins ("fleur" → fleuriste OR fleurs),
-- which FTS5 reads lazily, skipping ahead to the matches of the other
-- terms. It may hold words no merchant has any more (they match nothing);
-- it never lacks one a merchant has.
CREATE TABLE search_words (
    word TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- The words as FTS5 read them, and as the search texts write them (the
-- same for every text that market.SearchText wrote; texts written before
-- it may hold punctuation, which the tokenizer splits on).
CREATE VIRTUAL TABLE merchant_search_vocab USING fts5vocab (merchant_search_fts, row);
INSERT INTO search_words (word) SELECT term FROM merchant_search_vocab WHERE true ON CONFLICT DO NOTHING;
DROP TABLE merchant_search_vocab;

-- A search text is words separated by one space (market.SearchText): the
-- words are the items of a JSON array written from it. A text that would
-- not make one (quotes, control characters: never written by the store)
-- adds no word; see store.searchExpansions for why a search stays right.
-- +goose StatementBegin
CREATE TRIGGER search_words_insert AFTER INSERT ON merchant_search BEGIN
    INSERT INTO search_words (word)
    SELECT value FROM json_each(CASE WHEN json_valid('["' || replace(new.search, ' ', '","') || '"]')
        THEN '["' || replace(new.search, ' ', '","') || '"]' ELSE '[]' END)
    WHERE value <> '' ON CONFLICT DO NOTHING;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_words_update AFTER UPDATE OF search ON merchant_search
WHEN old.search IS NOT new.search BEGIN
    INSERT INTO search_words (word)
    SELECT value FROM json_each(CASE WHEN json_valid('["' || replace(new.search, ' ', '","') || '"]')
        THEN '["' || replace(new.search, ' ', '","') || '"]' ELSE '[]' END)
    WHERE value <> '' ON CONFLICT DO NOTHING;
END;
-- +goose StatementEnd
INSERT INTO search_words (word)
SELECT j.value FROM merchant_search, json_each(CASE WHEN json_valid('["' || replace(merchant_search.search, ' ', '","') || '"]')
    THEN '["' || replace(merchant_search.search, ' ', '","') || '"]' ELSE '[]' END) AS j
WHERE j.value <> '' ON CONFLICT DO NOTHING;

-- A city's merchants of one category, in slug order, without reading the
-- rows of the city's other categories.
CREATE INDEX merchants_city_category ON merchants (city_key, category, status, slug);

-- +goose Down
DROP INDEX merchants_city_category;
DROP TRIGGER search_words_update;
DROP TRIGGER search_words_insert;
DROP TABLE search_words;
