package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// MaxMentionSources bounds the sources of one campaign.
const MaxMentionSources = 20

// wallReports is how many reports take a post off the wall until an
// organiser approves it again.
const wallReports = 3

const sourceColumns = `s.id, s.campaign_id, s.network, s.instance, s.url, s.cursor, s.last_read_at, s.last_error,
	s.next_read_at, s.failures, s.created_at`

func scanSource(sc scanner, extra ...any) (*market.MentionSource, error) {
	var s market.MentionSource
	var network string
	var read, next, created int64
	dest := append([]any{&s.ID, &s.CampaignID, &network, &s.Instance, &s.URL, &s.Cursor, &read, &s.LastError,
		&next, &s.Failures, &created}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	s.Network = market.Network(network)
	s.LastReadAt, s.NextReadAt, s.CreatedAt = fromMillis(read), fromMillis(next), fromMillis(created)
	return &s, nil
}

// AddMentionSource stores a new source of a campaign, due at once.
// EConflict when the campaign already has it or has MaxMentionSources.
func (db *DB) AddMentionSource(ctx context.Context, s *market.MentionSource) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		// The campaign's row is the lock that makes the count and the
		// insert one step when two organisers add at once.
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET id = id WHERE id = $1`, s.CampaignID); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mention_sources WHERE campaign_id = $1 AND network = $2
			AND instance = $3 AND url = $4`, s.CampaignID, string(s.Network), s.Instance, s.URL).Scan(&have); err != nil {
			return err
		}
		if have > 0 {
			return &market.Error{Code: market.EConflict, Message: "Cette campagne suit déjà cette source."}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO mention_sources (id, campaign_id, network, instance, url, next_read_at, created_at)
			SELECT $1, $2, $3, $4, $5, 0, $6
			WHERE (SELECT COUNT(*) FROM mention_sources WHERE campaign_id = $2) < $7`,
			s.ID, s.CampaignID, string(s.Network), s.Instance, s.URL, millis(s.CreatedAt), MaxMentionSources)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.EConflict,
				Message: "Une campagne suit " + strconv.Itoa(MaxMentionSources) + " sources au plus : retirez-en une d'abord."}
		}
		return nil
	})
}

// RemoveMentionSource deletes a campaign's source; the mentions it found
// stay. ENotFound when it is not the campaign's.
func (db *DB) RemoveMentionSource(ctx context.Context, campaignID, id string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mention_sources WHERE id = $1 AND campaign_id = $2`, id, campaignID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Source")
		}
		return nil
	})
}

// MentionSources lists a campaign's sources, oldest first, with the count
// of mentions each found.
func (db *DB) MentionSources(ctx context.Context, campaignID string) ([]*market.MentionSource, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sourceColumns+`,
		(SELECT COUNT(*) FROM mentions m WHERE m.source_id = s.id)
		FROM mention_sources s WHERE s.campaign_id = $1 ORDER BY s.created_at, s.id`, campaignID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	list := []*market.MentionSource{}
	for rows.Next() {
		var n int64
		s, err := scanSource(rows, &n)
		if err != nil {
			return nil, translate(err)
		}
		s.Mentions = n
		list = append(list, s)
	}
	return list, translate(rows.Err())
}

// DueMentionSources returns up to limit sources whose next read has come,
// the longest waiting first, with their campaign's hashtags; sources of
// campaigns ended more than a week ago are no longer read.
func (db *DB) DueMentionSources(ctx context.Context, now time.Time, limit int) ([]*market.SourceRead, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sourceColumns+`, c.hashtags, c.starts_at
		FROM mention_sources s JOIN campaigns c ON c.id = s.campaign_id
		WHERE s.next_read_at <= $1 AND (c.ends_at = 0 OR c.ends_at > $2)
		ORDER BY s.next_read_at, s.id LIMIT $3`, millis(now), millis(now.Add(-7*24*time.Hour)), limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.SourceRead
	for rows.Next() {
		var tags string
		var starts int64
		s, err := scanSource(rows, &tags, &starts)
		if err != nil {
			return nil, translate(err)
		}
		r := &market.SourceRead{Source: s, Starts: fromMillis(starts)}
		if err := json.Unmarshal([]byte(tags), &r.Hashtags); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, translate(rows.Err())
}

// RecordMentions stores what one read of a source found, in one
// transaction: each post once per campaign (a post found again is left as
// it is), hidden at once when its author is blocked, and the source's new
// cursor and next read. It returns how many posts were new.
func (db *DB) RecordMentions(ctx context.Context, src *market.MentionSource, found []*market.Mention, cursor string, next, now time.Time) (int, error) {
	added := 0
	err := db.tx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, m := range found {
			n, err := insertMention(ctx, tx, src.CampaignID, m, now)
			if err != nil {
				return err
			}
			added += n
		}
		if src.ID == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE mention_sources SET cursor = $1, last_read_at = $2, last_error = '',
			failures = 0, next_read_at = $3 WHERE id = $4`, cursor, millis(now), millis(next), src.ID)
		return err
	})
	return added, err
}

// insertMention stores one post of a campaign unless it is there already;
// its share link and merchant are kept only when they are the campaign's
// link and a known merchant.
func insertMention(ctx context.Context, tx *sql.Tx, campaignID string, m *market.Mention, now time.Time) (int, error) {
	if m.FoundAt.IsZero() {
		m.FoundAt = now
	}
	status := m.Status
	if status == "" {
		status = market.MentionPending
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO mentions (id, campaign_id, source_id, network, post_id, url, author_handle,
		author_name, posted_at, excerpt, lang, media_count, share_link, merchant_id, status, found_at)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
		  COALESCE((SELECT code FROM share_links WHERE code = $13 AND campaign_id = $2), ''),
		  COALESCE((SELECT id FROM merchants WHERE slug = $14 AND status = 'approved'), ''),
		  CASE WHEN EXISTS (SELECT 1 FROM mention_blocks b WHERE b.campaign_id = $2 AND b.network = $4 AND b.handle = $7)
		    THEN 'hidden' ELSE $15 END, $16
		ON CONFLICT (campaign_id, network, post_id) DO NOTHING`,
		m.ID, campaignID, m.SourceID, string(m.Network), m.Post.ID, m.URL, m.AuthorHandle, m.AuthorName,
		millis(m.PostedAt), m.Text, m.Lang, m.MediaCount, m.ShareLink, m.Merchant, string(status), millis(m.FoundAt))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// MentionReadFailed records why a read of a source failed and when to try
// again.
func (db *DB) MentionReadFailed(ctx context.Context, sourceID, reason string, next time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mention_sources SET last_error = $1, failures = failures + 1, next_read_at = $2
			WHERE id = $3`, reason, millis(next), sourceID)
		return err
	})
}

// WallPostsToCheck returns, at most every interval per source, the network
// ids of the source's mentions on the wall (approved and not gone, newest
// first, at most limit), so the poller can ask whether their authors
// deleted them; it records the check's time in the same step.
func (db *DB) WallPostsToCheck(ctx context.Context, sourceID string, now time.Time, interval time.Duration, limit int) ([]string, error) {
	var ids []string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mention_sources SET gone_checked_at = $1 WHERE id = $2 AND gone_checked_at <= $3`,
			millis(now), sourceID, millis(now.Add(-interval)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT post_id FROM mentions WHERE source_id = $1 AND status = 'approved' AND gone = 0
			ORDER BY posted_at DESC LIMIT $2`, sourceID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// MarkMentionsGone takes posts their authors deleted off the wall, for
// every campaign that stored them from that network.
func (db *DB) MarkMentionsGone(ctx context.Context, network market.Network, postIDs []string) error {
	if len(postIDs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		args := []any{string(network)}
		for _, id := range postIDs {
			args = append(args, id)
		}
		_, err := tx.ExecContext(ctx, `UPDATE mentions SET gone = 1 WHERE network = $1 AND post_id IN (`+
			placeholders(2, len(postIDs))+`)`, args...)
		return err
	})
}

// PurgeMentions deletes the mentions of campaigns that ended more than
// keep ago, and returns how many went.
func (db *DB) PurgeMentions(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mentions WHERE campaign_id IN
			(SELECT id FROM campaigns WHERE ends_at > 0 AND ends_at < $1)`, millis(now.Add(-keep)))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

const mentionColumns = `id, campaign_id, source_id, network, post_id, url, author_handle, author_name, posted_at, excerpt,
	lang, media_count, share_link, COALESCE((SELECT slug FROM merchants WHERE merchants.id = mentions.merchant_id), ''),
	status, reports, gone, found_at`

func scanMention(sc scanner) (*market.Mention, error) {
	var m market.Mention
	var network, status string
	var posted, found int64
	var gone int
	if err := sc.Scan(&m.ID, &m.CampaignID, &m.SourceID, &network, &m.Post.ID, &m.URL, &m.AuthorHandle, &m.AuthorName,
		&posted, &m.Text, &m.Lang, &m.MediaCount, &m.ShareLink, &m.Merchant, &status, &m.Reports, &gone, &found); err != nil {
		return nil, err
	}
	m.Network, m.Status, m.Gone = market.Network(network), market.MentionStatus(status), gone == 1
	m.PostedAt, m.FoundAt = fromMillis(posted), fromMillis(found)
	return &m, nil
}

// Mentions lists a campaign's mentions, newest first, filtered by network
// and status, a page at a time.
func (db *DB) Mentions(ctx context.Context, campaignID string, f market.MentionFilter) ([]*market.Mention, string, error) {
	q := `SELECT ` + mentionColumns + ` FROM mentions WHERE campaign_id = $1`
	args := []any{campaignID}
	if f.Network != "" {
		args = append(args, string(f.Network))
		q += ` AND network = $` + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		q += ` AND status = $` + strconv.Itoa(len(args))
	}
	if f.Page.Cursor != "" {
		ms, id, err := decodeTimeCursor(f.Page.Cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, ms, id)
		n := len(args)
		q += ` AND (posted_at < $` + strconv.Itoa(n-1) + ` OR (posted_at = $` + strconv.Itoa(n-1) + ` AND id < $` + strconv.Itoa(n) + `))`
	}
	max := f.Page.Limit
	if max <= 0 {
		max = market.DefaultLimit
	}
	args = append(args, max+1)
	q += ` ORDER BY posted_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", translate(err)
	}
	defer rows.Close()
	list := []*market.Mention{}
	for rows.Next() {
		m, err := scanMention(rows)
		if err != nil {
			return nil, "", translate(err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(list) > max {
		list = list[:max]
		last := list[max-1]
		next = encodeCursor(strconv.FormatInt(millis(last.PostedAt), 10), last.ID)
	}
	return list, next, nil
}

// SetMentionStatus approves or hides a campaign's mention and returns it;
// approving clears its reports. ENotFound when it is not the campaign's;
// EConflict when approving a post its author deleted or an author the
// campaign blocked.
func (db *DB) SetMentionStatus(ctx context.Context, campaignID, id string, status market.MentionStatus) (*market.Mention, error) {
	var m *market.Mention
	err := db.tx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE mentions SET status = $1, reports = 0 WHERE id = $2 AND campaign_id = $3 RETURNING ` + mentionColumns
		if status == market.MentionApproved {
			q = `UPDATE mentions SET status = $1, reports = 0 WHERE id = $2 AND campaign_id = $3 AND gone = 0
				AND NOT EXISTS (SELECT 1 FROM mention_blocks b WHERE b.campaign_id = mentions.campaign_id
				  AND b.network = mentions.network AND b.handle = mentions.author_handle)
				RETURNING ` + mentionColumns
		}
		var err error
		m, err = scanMention(tx.QueryRowContext(ctx, q, string(status), id, campaignID))
		if errors.Is(err, sql.ErrNoRows) {
			var gone int
			if err := tx.QueryRowContext(ctx, `SELECT gone FROM mentions WHERE id = $1 AND campaign_id = $2`, id, campaignID).
				Scan(&gone); errors.Is(err, sql.ErrNoRows) {
				return market.NotFound("Mention")
			} else if err != nil {
				return err
			}
			if gone == 1 {
				return &market.Error{Code: market.EConflict, Message: "Son auteur a supprimé cette publication : elle ne peut plus être affichée."}
			}
			return &market.Error{Code: market.EConflict, Message: "Cet auteur est bloqué : débloquez-le d'abord."}
		}
		return err
	})
	return m, err
}

// BlockAuthor keeps an author's posts off a campaign's wall: those stored
// are hidden in the same step, and those found later are stored hidden.
func (db *DB) BlockAuthor(ctx context.Context, campaignID string, b *market.BlockedAuthor, by string) error {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mention_blocks (campaign_id, network, handle, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (campaign_id, network, handle) DO NOTHING`,
			campaignID, string(b.Network), b.Handle, by, millis(b.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE mentions SET status = 'hidden'
			WHERE campaign_id = $1 AND network = $2 AND author_handle = $3`, campaignID, string(b.Network), b.Handle)
		return err
	})
}

// UnblockAuthor lets an author's posts be approved again (those hidden
// stay hidden until an organiser approves them). ENotFound when the
// author was not blocked.
func (db *DB) UnblockAuthor(ctx context.Context, campaignID string, network market.Network, handle string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mention_blocks WHERE campaign_id = $1 AND network = $2 AND handle = $3`,
			campaignID, string(network), handle)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Auteur")
		}
		return nil
	})
}

// BlockedAuthors lists a campaign's blocked authors, latest first.
func (db *DB) BlockedAuthors(ctx context.Context, campaignID string) ([]*market.BlockedAuthor, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT network, handle, created_at FROM mention_blocks WHERE campaign_id = $1
		ORDER BY created_at DESC, handle`, campaignID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	list := []*market.BlockedAuthor{}
	for rows.Next() {
		var b market.BlockedAuthor
		var network string
		var created int64
		if err := rows.Scan(&network, &b.Handle, &created); err != nil {
			return nil, translate(err)
		}
		b.Network, b.CreatedAt = market.Network(network), fromMillis(created)
		list = append(list, &b)
	}
	return list, translate(rows.Err())
}

// ReportMention counts a visitor's report of a post on the wall; the
// wallReports-th report takes it off the wall (back to pending) until an
// organiser approves it again. ENotFound when it is not on the wall.
func (db *DB) ReportMention(ctx context.Context, campaignID, id string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mentions SET reports = reports + 1,
			status = CASE WHEN reports + 1 >= $1 THEN 'pending' ELSE status END
			WHERE id = $2 AND campaign_id = $3 AND status = 'approved' AND gone = 0`, wallReports, id, campaignID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Publication")
		}
		return nil
	})
}

// CampaignWall returns the latest approved posts of a campaign that are
// still online, newest first.
func (db *DB) CampaignWall(ctx context.Context, campaignID string, limit int) ([]*market.Mention, error) {
	rows, err := db.query(ctx, `SELECT `+mentionColumns+` FROM mentions WHERE campaign_id = $1 AND status = 'approved' AND gone = 0
		AND NOT EXISTS (SELECT 1 FROM mention_blocks b WHERE b.campaign_id = mentions.campaign_id
		  AND b.network = mentions.network AND b.handle = mentions.author_handle)
		ORDER BY posted_at DESC, id DESC LIMIT $2`, campaignID, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	list := []*market.Mention{}
	for rows.Next() {
		m, err := scanMention(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, m)
	}
	return list, translate(rows.Err())
}

// MentionStats counts a campaign's mentions: in all, by network, by day
// (UTC), by share link, and its ten most prolific authors.
func (db *DB) MentionStats(ctx context.Context, campaignID string) (*market.MentionStats, error) {
	st := &market.MentionStats{ByNetwork: map[market.Network]int64{}, ByLink: map[string]int64{}, ByDay: []market.MentionDay{},
		TopAuthors: []market.MentionAuthor{}}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT network, posted_at FROM mentions WHERE campaign_id = $1`, campaignID)
		if err != nil {
			return err
		}
		days := map[string]*market.MentionDay{}
		for rows.Next() {
			var network string
			var posted int64
			if err := rows.Scan(&network, &posted); err != nil {
				rows.Close()
				return err
			}
			n := market.Network(network)
			st.Total++
			st.ByNetwork[n]++
			day := fromMillis(posted).Format("2006-01-02")
			d := days[day]
			if d == nil {
				d = &market.MentionDay{Day: day, ByNetwork: map[market.Network]int64{}}
				days[day] = d
			}
			d.Total++
			d.ByNetwork[n]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range days {
			st.ByDay = append(st.ByDay, *d)
		}
		sort.Slice(st.ByDay, func(i, j int) bool { return st.ByDay[i].Day < st.ByDay[j].Day })

		rows, err = tx.QueryContext(ctx, `SELECT share_link, COUNT(*) FROM mentions WHERE campaign_id = $1 AND share_link <> ''
			GROUP BY share_link`, campaignID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code string
			var n int64
			if err := rows.Scan(&code, &n); err != nil {
				rows.Close()
				return err
			}
			st.ByLink[code] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = tx.QueryContext(ctx, `SELECT network, author_handle, MAX(author_name), COUNT(*) AS n FROM mentions
			WHERE campaign_id = $1 GROUP BY network, author_handle ORDER BY n DESC, author_handle LIMIT 10`, campaignID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a market.MentionAuthor
			var network string
			if err := rows.Scan(&network, &a.Handle, &a.Name, &a.Posts); err != nil {
				return err
			}
			a.Network = market.Network(network)
			st.TopAuthors = append(st.TopAuthors, a)
		}
		return rows.Err()
	})
	return st, err
}
