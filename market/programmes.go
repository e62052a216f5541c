package market

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// ProgrammeStore keeps programmes, their merchants, their funds and their
// settlements (store.DB).
type ProgrammeStore interface {
	CreateProgramme(ctx context.Context, p *Programme, organisers []string) error
	Programme(ctx context.Context, slug string) (*Programme, error)
	ProgrammeByID(ctx context.Context, id string) (*Programme, error)
	Programmes(ctx context.Context, userID string) ([]*Programme, error)
	ProgrammesInCity(ctx context.Context, city string, currency Currency) ([]*Programme, error)
	Merchant(ctx context.Context, slug string) (*Merchant, error)
	MerchantByID(ctx context.Context, id string) (*Merchant, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	RequestMembership(ctx context.Context, programmeID, merchantID string, at time.Time) error
	DecideMembership(ctx context.Context, programmeID, merchantID string, from, to MembershipStatus, at time.Time) error
	ProgrammeMembers(ctx context.Context, programmeID string, status MembershipStatus) ([]*Membership, error)
	MerchantProgrammes(ctx context.Context, merchantID string) ([]*Membership, error)
	JoinWaitlist(ctx context.Context, programmeID, email, lang string, at time.Time) error
	ProgrammeStats(ctx context.Context, programmeID string) (*ProgrammeStats, error)
	PreviewSettlement(ctx context.Context, programmeID string, until time.Time, feeBPS int64) (*SettlementRun, error)
	SettleProgramme(ctx context.Context, programmeID string, until time.Time, feeBPS int64, by string, at time.Time,
		statement func(*SettlementLine) (*Mail, error)) (*SettlementRun, error)
	SettlementRuns(ctx context.Context, programmeID string, n int) ([]*SettlementRun, error)
	ClaimSettlementLines(ctx context.Context, now, dueBy time.Time, n int, lease time.Duration) ([]*SettlementLine, error)
	SettlementAttempted(ctx context.Context, id string) error
	SettlementPaid(ctx context.Context, id, transferID string, at time.Time) error
	SettlementFailed(ctx context.Context, id, reason string, retryAt time.Time) error
	ExpireBonuses(ctx context.Context, now time.Time, n int) (int, error)
}

// ProgrammeMailComposer writes the merchants' settlement statements.
type ProgrammeMailComposer interface {
	SettlementStatement(p *Programme, m *Merchant, l *SettlementLine) (*Mail, error)
}

// Programmes runs towns' solidarity cards: an admin creates a programme
// and names its organisers, merchants ask to join and organisers accept
// them, and settlement runs pay each merchant what the cards spent at its
// till, the paid part from the money held since the sale and the bonus
// part from the sponsor's fund, each transfer once.
type Programmes struct {
	Store    ProgrammeStore
	Payments PaymentProvider
	Mail     ProgrammeMailComposer
	// FeeBasisPoints is the platform's fee on what is settled.
	FeeBasisPoints int64
	Log            *slog.Logger
	Now            func() time.Time
}

func (s *Programmes) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Programmes) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Create validates and stores a programme and gives its organisers (the
// emails of existing accounts) the organiser role. EInvalid for a wrong
// field or an unknown organiser; EConflict when the slug is taken.
func (s *Programmes) Create(ctx context.Context, p *Programme, organisers []string) error {
	p.Name, p.City, p.Description = strings.TrimSpace(p.Name), strings.TrimSpace(p.City), strings.TrimSpace(p.Description)
	if p.Slug == "" {
		p.Slug = Slugify(p.Name)
	}
	if err := p.Validate(s.now()); err != nil {
		return err
	}
	var ids []string
	for i, email := range organisers {
		u, err := s.Store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
		if ErrorCode(err) == ENotFound {
			return Invalid("organisers["+strconv.Itoa(i)+"]", "no account has this email")
		}
		if err != nil {
			return err
		}
		ids = append(ids, u.ID)
	}
	return s.Store.CreateProgramme(ctx, p, ids)
}

// ProgrammeView is a programme as its public page shows it.
type ProgrammeView struct {
	Programme *Programme
	Merchants []*Merchant // accepted, approved
	Stats     *ProgrammeStats
}

// View returns a programme by slug with its participating merchants and its
// figures. ENotFound when unknown.
func (s *Programmes) View(ctx context.Context, slug string) (*ProgrammeView, error) {
	p, err := s.Store.Programme(ctx, slug)
	if err != nil {
		return nil, err
	}
	members, err := s.Store.ProgrammeMembers(ctx, p.ID, MemberAccepted)
	if err != nil {
		return nil, err
	}
	v := &ProgrammeView{Programme: p}
	for _, m := range members {
		if m.Merchant.Status == MerchantApproved {
			v.Merchants = append(v.Merchants, m.Merchant)
		}
	}
	if v.Stats, err = s.Store.ProgrammeStats(ctx, p.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// Join asks for a merchant to be in a programme. Only approved merchants of
// the programme's currency may ask. ENotFound for an unknown programme;
// MayTrade's codes for a merchant not approved; EInvalid for another currency;
// EConflict when it is in or asked already.
func (s *Programmes) Join(ctx context.Context, m *Merchant, slug string) (*Programme, error) {
	p, err := s.Store.Programme(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := m.MayTrade(); err != nil || m.Status == MerchantProgramme {
		if err == nil {
			err = &Error{Code: EForbidden, Message: "Un programme ne rejoint pas un programme."}
		}
		return nil, err
	}
	if m.Currency != p.Currency {
		return nil, &Error{Code: EInvalid, Message: "Ce programme n'est pas dans la devise de votre commerce.",
			Fields: map[string]string{"currency": "must be " + string(p.Currency)}}
	}
	if p.Status != ProgrammeActive {
		return nil, &Error{Code: EProgrammeClosed, Message: "Ce programme est terminé."}
	}
	return p, s.Store.RequestMembership(ctx, p.ID, m.ID, s.now().UTC())
}

// Leave takes a merchant out of a programme: its cards are no longer taken
// there, and it is still paid what it is owed at the next settlement.
// EConflict when it is not a member.
func (s *Programmes) Leave(ctx context.Context, m *Merchant, slug string) error {
	p, err := s.Store.Programme(ctx, slug)
	if err != nil {
		return err
	}
	return s.Store.DecideMembership(ctx, p.ID, m.ID, MemberAccepted, MemberLeft, s.now().UTC())
}

// ProgrammeFor returns a programme by slug if the actor organises it (or is
// an admin); ENotFound otherwise, so that programmes cannot be probed.
func (s *Programmes) ProgrammeFor(ctx context.Context, a *Actor, slug string) (*Programme, error) {
	p, err := s.Store.Programme(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !a.Organises(p.ID) {
		return nil, NotFound("Programme")
	}
	return p, nil
}

// Accept lets a merchant that asked into the programme: its till takes the
// programme's cards from now on. The merchant must still be approved and
// of the programme's currency. EConflict when it did not ask.
func (s *Programmes) Accept(ctx context.Context, p *Programme, merchantSlug string) (*Merchant, error) {
	m, err := s.Store.Merchant(ctx, merchantSlug)
	if err != nil {
		return nil, err
	}
	if m.Status != MerchantApproved || m.Currency != p.Currency {
		return nil, &Error{Code: EConflict, Message: "Ce commerce n'est pas approuvé, ou pas dans la devise du programme."}
	}
	return m, s.Store.DecideMembership(ctx, p.ID, m.ID, MemberRequested, MemberAccepted, s.now().UTC())
}

// Remove takes an accepted merchant out of the programme (the organiser's
// decision); it is still paid what it is owed.
func (s *Programmes) Remove(ctx context.Context, p *Programme, merchantSlug string) error {
	m, err := s.Store.Merchant(ctx, merchantSlug)
	if err != nil {
		return err
	}
	return s.Store.DecideMembership(ctx, p.ID, m.ID, MemberAccepted, MemberLeft, s.now().UTC())
}

// Settle settles a programme until until (at most now less the reversal
// window, so that nothing settled can still be undone at a till), or with
// dryRun only previews it. The run is recorded in one transaction; the
// transfers follow at once, and those that fail are retried by the
// settlement pass, never made twice. nil when nothing is owed.
func (s *Programmes) Settle(ctx context.Context, a *Actor, p *Programme, until time.Time, dryRun bool) (*SettlementRun, error) {
	now := s.now().UTC()
	if latest := now.Add(-ReverseWindow); until.IsZero() || until.After(latest) {
		until = latest
	}
	if dryRun {
		return s.Store.PreviewSettlement(ctx, p.ID, until, s.FeeBasisPoints)
	}
	var statement func(*SettlementLine) (*Mail, error)
	if s.Mail != nil {
		statement = func(l *SettlementLine) (*Mail, error) {
			m, err := s.Store.MerchantByID(ctx, l.MerchantID)
			if err != nil {
				return nil, err
			}
			return s.Mail.SettlementStatement(p, m, l)
		}
	}
	run, err := s.Store.SettleProgramme(ctx, p.ID, until, s.FeeBasisPoints, a.ID(), now, statement)
	if err != nil || run == nil {
		return run, err
	}
	s.log().InfoContext(ctx, "programme settled", "programme", p.Slug, "run", run.ID, "merchants", len(run.Lines))
	if _, err := s.PayTransfers(ctx); err != nil {
		s.log().WarnContext(ctx, "settlement transfers put off", "run", run.ID, "err", err)
	}
	runs, err := s.Store.SettlementRuns(ctx, p.ID, 1)
	if err == nil && len(runs) == 1 && runs[0].ID == run.ID {
		return runs[0], nil
	}
	return run, err
}

// PayTransfers pays the settlement lines due, each by one transfer to the
// merchant's connected account (one transfer_group per run): a line whose
// outcome is unknown is looked up before it is paid again; a failure is put
// off with a growing delay and the others go on. It returns how many it
// paid.
func (s *Programmes) PayTransfers(ctx context.Context) (int, error) {
	paid := 0
	failed := map[string]bool{}
	for ctx.Err() == nil {
		now := s.now().UTC()
		lines, err := s.Store.ClaimSettlementLines(ctx, now, now, 20, 2*time.Minute)
		if err != nil || len(lines) == 0 {
			return paid, err
		}
		fresh := 0
		for _, l := range lines {
			if failed[l.ID] {
				continue
			}
			fresh++
			if err := s.payLine(ctx, l); err != nil {
				failed[l.ID] = true
				s.log().WarnContext(ctx, "settlement transfer put off", "line", l.ID, "merchant", l.MerchantSlug, "err", err)
				retry := s.now().UTC().Add(Backoff(l.Attempts + 1))
				if ferr := s.Store.SettlementFailed(ctx, l.ID, err.Error(), retry); ferr != nil {
					return paid, ferr
				}
				continue
			}
			paid++
		}
		if len(lines) < 20 || fresh == 0 {
			return paid, nil
		}
	}
	return paid, ctx.Err()
}

func (s *Programmes) payLine(ctx context.Context, l *SettlementLine) error {
	if l.Attempts > 0 {
		t, err := s.Payments.FindTransfer(ctx, l.RunID, l.ID)
		switch {
		case err == nil:
			return s.Store.SettlementPaid(ctx, l.ID, t.ID, s.now().UTC())
		case ErrorCode(err) != ENotFound:
			return err
		}
	}
	if s.Payments.Name() != "demo" && l.Account == "" {
		return &Error{Code: EMerchantNotReady, Message: "Ce commerce n'a pas encore relié ses paiements : le virement attend."}
	}
	if err := s.Store.SettlementAttempted(ctx, l.ID); err != nil {
		return err
	}
	// A new key each attempt: Stripe keeps a refusal under its key for a
	// day, and the lookup above guards against paying twice.
	t, err := s.Payments.Transfer(ctx, TransferRequest{Destination: l.Account, Amount: l.Amount, Currency: l.Currency, Group: l.RunID,
		IdempotencyKey: "settle-" + l.ID + "-" + strconv.Itoa(l.Attempts+1), Description: "Règlement Solidaire " + l.RunID,
		Metadata: map[string]string{TransferMetadataKey: l.ID, "programme": l.ProgrammeID, "run": l.RunID}})
	if err != nil {
		return err
	}
	return s.Store.SettlementPaid(ctx, l.ID, t.ID, s.now().UTC())
}

// ExpireBonuses takes what is left of expired bonuses off the cards (and
// off credits), giving a programme card's back to its fund: one round of
// the bonus pass.
func (s *Programmes) ExpireBonuses(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := s.Store.ExpireBonuses(ctx, s.now().UTC(), 200)
		total += n
		if err != nil || n < 200 {
			return total, err
		}
	}
	return total, ctx.Err()
}

// SettleDue settles every active programme whose last run is a week old
// (or that never had one): the weekly settlement, one round of its pass.
func (s *Programmes) SettleDue(ctx context.Context) error {
	list, err := s.Store.Programmes(ctx, "")
	if err != nil {
		return err
	}
	system := &Actor{UserID: "weekly", Admin: true}
	for _, p := range list {
		runs, err := s.Store.SettlementRuns(ctx, p.ID, 1)
		if err != nil {
			return err
		}
		if len(runs) == 1 && s.now().Sub(runs[0].CreatedAt) < 7*24*time.Hour {
			continue
		}
		if _, err := s.Settle(ctx, system, p, time.Time{}, false); err != nil {
			s.log().ErrorContext(ctx, "weekly settlement", "programme", p.Slug, "err", err)
		}
	}
	_, err = s.PayTransfers(ctx)
	return err
}
