package market

import (
	"context"
	"time"
)

// Mail is an email waiting in the outbox or already sent. The outbox is a
// table: a mail is written in the same transaction as what it announces,
// so a voucher never exists without its email, and a worker sends it with
// retries.
type Mail struct {
	ID          string
	To          string
	Subject     string
	Text        string // plain-text body
	HTML        string // HTML body; may reference attachments by cid:NAME
	Attachments []Attachment
	// Headers are extra headers the sender writes: only
	// List-Unsubscribe and List-Unsubscribe-Post (RFC 2369, RFC 8058),
	// on the mails of a merchant's followers.
	Headers     map[string]string
	Status      MailStatus
	Attempts    int
	LastError   string
	NextAttempt time.Time
	CreatedAt   time.Time
	SentAt      time.Time
}

// Attachment is a file in a mail; Inline ones are shown in the HTML body
// (the voucher's QR code).
type Attachment struct {
	Name        string // also the Content-ID of an inline part
	ContentType string
	Data        []byte
	Inline      bool
	// QRText, when Data is empty, asks the sender to render the QR code of
	// this text as the attachment's PNG: rendering is left to the mail
	// worker, out of the payment webhook's path.
	QRText string
}

// MailStatus is where a mail stands.
type MailStatus string

// Mail statuses. Held mails wait because no SMTP server is configured; an
// admin can read them, and they are sent once one is.
const (
	MailPending MailStatus = "pending"
	MailSent    MailStatus = "sent"
	MailFailed  MailStatus = "failed" // gave up after the last attempt
	MailHeld    MailStatus = "held"
)

// Outbox is the store side of the mail worker. ClaimMail takes up to n due
// mails and hides them from other workers until lease has passed, so
// several instances can run workers safely.
type Outbox interface {
	ClaimMail(ctx context.Context, n int, lease time.Duration) ([]*Mail, error)
	MailSent(ctx context.Context, id string) error
	MailFailed(ctx context.Context, id string, reason string, retryAt time.Time, final bool) error
}

// Mailer delivers one mail; the mail package's SMTP sender implements it.
type Mailer interface {
	Send(ctx context.Context, m *Mail) error
}
