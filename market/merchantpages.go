package market

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"time"
)

// PageStore is the persistence of merchants' own pages. Every write
// records who changed what (page_changes) in its own transaction.
type PageStore interface {
	// UpdateProfile writes m's page fields (texts, links, hours, amounts)
	// and records one change per name in changed.
	UpdateProfile(ctx context.Context, m *Merchant, actorID string, changed []string) error
	// SetOpenStatus sets (or, with "", clears) today's status.
	SetOpenStatus(ctx context.Context, merchantID, actorID string, s OpenStatus, note string, until, now time.Time) error
	// AddPhoto stores p at the end of the merchant's photos; EConflict
	// when it has MaxPagePhotos already, whatever the concurrency.
	AddPhoto(ctx context.Context, p *PagePhoto, actorID string) error
	// MovePhoto moves a photo to a position (0 is the cover), the others
	// following; ENotFound unless it is the merchant's.
	MovePhoto(ctx context.Context, merchantID, photoID string, position int, actorID string) (*PagePhoto, error)
	// DeletePhoto removes a photo (posts showing it lose it) and returns
	// it; ENotFound unless it is the merchant's.
	DeletePhoto(ctx context.Context, merchantID, photoID, actorID string) (*PagePhoto, error)
	// HidePhoto and HidePost hide one of the merchant's photos or posts,
	// with the reason the merchant reads; ENotFound unless it is theirs.
	HidePhoto(ctx context.Context, merchantID, photoID, actorID, reason string) error
	HidePost(ctx context.Context, merchantID, postID, actorID, reason string) error
	// CreatePost stores a post and queues, in the same transaction, one
	// mail per confirmed follower written by compose. EInvalid when its
	// photo is not one of the merchant's.
	CreatePost(ctx context.Context, p *NewsPost, compose func(*Follower) (*Mail, error)) error
	// DeletePost removes one of the merchant's posts; ENotFound otherwise.
	DeletePost(ctx context.Context, merchantID, postID, actorID string) error
	// MailFollowers queues one mail per confirmed follower of the
	// merchant, written by compose, in one transaction.
	MailFollowers(ctx context.Context, merchantID string, compose func(*Follower) (*Mail, error)) (int, error)
}

// CatalogueInvalidator tells every instance that the public catalogue
// changed, so that cached listings are dropped.
type CatalogueInvalidator interface {
	InvalidateCatalogue(ctx context.Context)
}

// FollowerMailComposer writes the mails of a merchant's followers (the
// mail package). Every mail but the confirmation carries the follower's
// one-click unsubscribe (List-Unsubscribe headers).
type FollowerMailComposer interface {
	FollowConfirmation(f *Follower, m *Merchant, link string) (*Mail, error)
	FollowerNews(f *Follower, m *Merchant, p *NewsPost, links FollowerLinks) (*Mail, error)
	FollowerEvent(f *Follower, m *Merchant, e *Event, links FollowerLinks) (*Mail, error)
	FollowerProgramme(f *Follower, m *Merchant, p *Programme, links FollowerLinks) (*Mail, error)
}

// FollowerLinks are the addresses a follower's mail holds: the thing
// announced, the unsubscribe page, and the RFC 8058 one-click address.
type FollowerLinks struct {
	Page        string
	Unsubscribe string
	OneClick    string
}

// MerchantPages lets a merchant run its public page: profile, today's
// status, photos and news. The caller has checked that the actor may
// (PermPage).
type MerchantPages struct {
	Store   PageStore
	Resizer ImageResizer
	Files   FileStore
	Mail    FollowerMailComposer
	// Invalidate, when set, is told of every change the directory shows.
	Invalidate CatalogueInvalidator
	BaseURL    string
	Log        *slog.Logger
	Now        func() time.Time
}

func (s *MerchantPages) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *MerchantPages) changed(ctx context.Context) {
	if s.Invalidate != nil {
		s.Invalidate.InvalidateCatalogue(ctx)
	}
}

// UpdateProfile applies c to m and stores it; EInvalid with French field
// messages for wrong fields.
func (s *MerchantPages) UpdateProfile(ctx context.Context, a *Actor, m *Merchant, c ProfileChange) (*Merchant, error) {
	cp := *m
	changed, err := c.Apply(&cp)
	if err != nil {
		return nil, err
	}
	if len(changed) == 0 {
		return &cp, nil
	}
	if err := s.Store.UpdateProfile(ctx, &cp, a.ID(), changed); err != nil {
		return nil, err
	}
	s.changed(ctx)
	return &cp, nil
}

// SetStatus sets today's status ("" clears it); EInvalid for an unknown
// status, a long note or an until date in the past.
func (s *MerchantPages) SetStatus(ctx context.Context, a *Actor, m *Merchant, st OpenStatus, note string, until time.Time) (*Merchant, error) {
	now := s.now()
	note = strings.TrimSpace(note)
	if err := CheckStatus(st, note, until, now); err != nil {
		return nil, err
	}
	if st == "" {
		note, until = "", time.Time{}
	}
	if err := s.Store.SetOpenStatus(ctx, m.ID, a.ID(), st, note, until, now); err != nil {
		return nil, err
	}
	s.changed(ctx)
	cp := *m
	cp.OpenStatus, cp.StatusNote, cp.StatusUntil = st, note, until.UTC()
	if until.IsZero() {
		cp.StatusUntil = time.Time{}
	}
	return &cp, nil
}

// AddPhoto resizes an upload (EUnsupportedMedia for anything but JPEG,
// PNG or WebP, EInvalid for too many pixels), stores each width, then the
// photo; EConflict when the page has MaxPagePhotos, EUnavailable without a
// file store.
func (s *MerchantPages) AddPhoto(ctx context.Context, a *Actor, m *Merchant, r io.Reader) (*PagePhoto, error) {
	if s.Resizer == nil || s.Files == nil {
		return nil, &Error{Code: EUnavailable, Message: "Les photos ne sont pas configurées sur ce serveur."}
	}
	img, err := s.Resizer.Resize(r)
	if err != nil {
		return nil, err
	}
	if len(img.Variants) == 0 {
		return nil, Invalid("photo", "Image vide.")
	}
	p := &PagePhoto{ID: NewID("pho"), MerchantID: m.ID, CreatedAt: s.now()}
	p.Key = "photos/" + m.ID + "/" + p.ID
	for _, v := range img.Variants {
		p.Widths = append(p.Widths, v.Width)
		p.Width, p.Height = v.Width, v.Height
	}
	var stored []string
	cleanup := func() {
		for _, k := range stored {
			if err := s.Files.Delete(context.WithoutCancel(ctx), k); err != nil && s.Log != nil {
				s.Log.Warn("photo cleanup", "key", k, "err", err)
			}
		}
	}
	for _, v := range img.Variants {
		key := PhotoKey(p, v.Width)
		if err := s.Files.Put(ctx, key, bytes.NewReader(v.JPEG), int64(len(v.JPEG)), "image/jpeg"); err != nil {
			cleanup()
			return nil, err
		}
		stored = append(stored, key)
	}
	if err := s.Store.AddPhoto(ctx, p, a.ID()); err != nil {
		cleanup()
		return nil, err
	}
	s.changed(ctx)
	return p, nil
}

// MovePhoto moves a photo to position (0: the cover).
func (s *MerchantPages) MovePhoto(ctx context.Context, a *Actor, m *Merchant, photoID string, position int) (*PagePhoto, error) {
	if position < 0 || position >= MaxPagePhotos {
		return nil, Invalid("position", "Position de 0 (couverture) à 5.")
	}
	p, err := s.Store.MovePhoto(ctx, m.ID, photoID, position, a.ID())
	if err == nil {
		s.changed(ctx)
	}
	return p, err
}

// DeletePhoto removes a photo and its files.
func (s *MerchantPages) DeletePhoto(ctx context.Context, a *Actor, m *Merchant, photoID string) error {
	p, err := s.Store.DeletePhoto(ctx, m.ID, photoID, a.ID())
	if err != nil {
		return err
	}
	s.changed(ctx)
	if s.Files != nil {
		for _, w := range p.Widths {
			if err := s.Files.Delete(ctx, PhotoKey(p, w)); err != nil && s.Log != nil {
				s.Log.Warn("photo delete", "key", PhotoKey(p, w), "err", err)
			}
		}
	}
	return nil
}

// HidePhoto hides a photo (an admin), with the reason its merchant reads.
func (s *MerchantPages) HidePhoto(ctx context.Context, a *Actor, m *Merchant, photoID, reason string) error {
	reason, err := CheckHideReason(reason)
	if err != nil {
		return err
	}
	if err := s.Store.HidePhoto(ctx, m.ID, photoID, a.ID(), reason); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// HidePost hides a news post (an admin), with the reason its merchant
// reads.
func (s *MerchantPages) HidePost(ctx context.Context, a *Actor, m *Merchant, postID, reason string) error {
	reason, err := CheckHideReason(reason)
	if err != nil {
		return err
	}
	return s.Store.HidePost(ctx, m.ID, postID, a.ID(), reason)
}

// PostURL is the public address of a news post.
func PostURL(m *Merchant, postID string) string {
	return "/m/" + m.Slug + "/nouvelles/" + postID
}

// followerLinks are the links of a follower's mail about page.
func (s *MerchantPages) followerLinks(f *Follower, page string) FollowerLinks {
	base := strings.TrimRight(s.BaseURL, "/")
	return FollowerLinks{Page: base + page,
		Unsubscribe: base + "/suivre/desabonner?token=" + f.UnsubscribeToken,
		OneClick:    base + "/api/v1/followers/unsubscribe?token=" + f.UnsubscribeToken}
}

// Post publishes a news post (1 to MaxNewsPost characters, optionally one
// of the page's photos) and mails it to the confirmed followers.
func (s *MerchantPages) Post(ctx context.Context, a *Actor, m *Merchant, body, photoID string) (*NewsPost, error) {
	body, err := CheckPostBody(body)
	if err != nil {
		return nil, err
	}
	p := &NewsPost{ID: NewID("post"), MerchantID: m.ID, Body: body, PhotoID: photoID, AuthorID: a.ID(), CreatedAt: s.now()}
	var compose func(*Follower) (*Mail, error)
	if s.Mail != nil {
		compose = func(f *Follower) (*Mail, error) {
			return s.Mail.FollowerNews(f, m, p, s.followerLinks(f, PostURL(m, p.ID)))
		}
	}
	if err := s.Store.CreatePost(ctx, p, compose); err != nil {
		return nil, err
	}
	s.changed(ctx)
	return p, nil
}

// DeletePost removes a news post.
func (s *MerchantPages) DeletePost(ctx context.Context, a *Actor, m *Merchant, postID string) error {
	if err := s.Store.DeletePost(ctx, m.ID, postID, a.ID()); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// AnnounceProgramme mails a merchant's followers that it now takes a
// town's card (a new offer they asked to hear of).
func (s *MerchantPages) AnnounceProgramme(ctx context.Context, m *Merchant, p *Programme) (int, error) {
	if s == nil || s.Mail == nil {
		return 0, nil
	}
	return s.Store.MailFollowers(ctx, m.ID, func(f *Follower) (*Mail, error) {
		return s.Mail.FollowerProgramme(f, m, p, s.followerLinks(f, "/p/"+p.Slug))
	})
}

// AnnounceEvent mails a merchant's new event to its confirmed followers
// (an offer they asked to hear of). Drafts are not announced.
func (s *MerchantPages) AnnounceEvent(ctx context.Context, m *Merchant, e *Event) (int, error) {
	if s == nil || s.Mail == nil || e.Draft {
		return 0, nil
	}
	return s.Store.MailFollowers(ctx, m.ID, func(f *Follower) (*Mail, error) {
		return s.Mail.FollowerEvent(f, m, e, s.followerLinks(f, "/e/"+e.ID))
	})
}
