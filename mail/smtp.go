// Package mail writes Solidaire's emails and sends them: Composer turns a
// voucher into the mails that announce it (French first, then English),
// and SMTP delivers a market.Mail through an SMTP server, for the outbox
// worker of package market.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

// The TLS modes of an SMTP URL's tls parameter. STARTTLS (port 587) is the
// default; implicit TLS is port 465's; none is for a relay on the same
// machine or a test server, where credentials are refused unless the host
// is a loopback name.
const (
	TLSStartTLS TLSMode = "starttls"
	TLSImplicit TLSMode = "tls"
	TLSNone     TLSMode = "none"
)

// DefaultTimeout bounds one Send, connection and conversation together,
// when the caller's context has no earlier deadline.
const DefaultTimeout = 30 * time.Second

// SMTPConfig is where and how to send mail, as read by ParseSMTPURL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	// From is the sender shown to recipients; its address is also the
	// envelope sender, where bounces go.
	From netmail.Address
	TLS  TLSMode
	// Hello is the name given in EHLO; "localhost" when empty.
	Hello string
	// Timeout bounds one Send; DefaultTimeout when zero.
	Timeout time.Duration
}

// ParseSMTPURL reads an SMTP server's configuration from a URL such as
// smtp://user:pass@host:587?from=Solidaire%20<bonjour@example.org>&tls=starttls.
// The from parameter is required; tls is starttls (the default), tls or
// none, and the scheme smtps means tls; helo and timeout (a Go duration)
// are optional. The port defaults to 587, 465 or 25 by TLS mode. User and
// password are URL-escaped; errors never show the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the URL, password included.
		return SMTPConfig{}, errors.New("mail: SMTP URL is not a URL")
	}
	fail := func(format string, args ...any) (SMTPConfig, error) {
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL %s: %s", u.Redacted(), fmt.Sprintf(format, args...))
	}
	var cfg SMTPConfig
	switch u.Scheme {
	case "smtp":
		cfg.TLS = TLSStartTLS
	case "smtps":
		cfg.TLS = TLSImplicit
	default:
		return fail("scheme must be smtp or smtps")
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return fail("no host")
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return fail("unexpected path %q", u.Path)
	}
	q := u.Query()
	for key := range q {
		switch key {
		case "from", "tls", "helo", "timeout":
		default:
			return fail("unknown parameter %q", key)
		}
	}
	if v := q.Get("tls"); v != "" {
		switch mode := TLSMode(strings.ToLower(v)); mode {
		case TLSStartTLS, TLSImplicit, TLSNone:
			if u.Scheme == "smtps" && mode != TLSImplicit {
				return fail("smtps means tls=tls, not %s", v)
			}
			cfg.TLS = mode
		default:
			return fail("tls must be starttls, tls or none, not %q", v)
		}
	}
	from, err := netmail.ParseAddress(q.Get("from"))
	if err != nil {
		return fail("from must be an address such as Solidaire <bonjour@example.org>: %v", err)
	}
	cfg.From = *from
	cfg.Hello = q.Get("helo")
	if v := q.Get("timeout"); v != "" {
		if cfg.Timeout, err = time.ParseDuration(v); err != nil || cfg.Timeout <= 0 {
			return fail("timeout must be a positive duration such as 30s, not %q", v)
		}
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port <= 0 || cfg.Port > 65535 {
			return fail("bad port %q", p)
		}
	} else {
		cfg.Port = map[TLSMode]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	return cfg, nil
}

// SMTP sends mails through an SMTP server; it implements market.Mailer.
// Each Send opens its own connection: Solidaire's mails are few, and a
// connection held between them would only go stale.
type SMTP struct {
	Config SMTPConfig
	// TLSConfig, when set, is used for STARTTLS and implicit TLS (tests use
	// it to trust their server's certificate); its ServerName defaults to
	// Config.Host.
	TLSConfig *tls.Config
	// Now gives the Date header; time.Now when nil.
	Now func() time.Time
}

// Send delivers m to m.To. The error says whether trying again may help:
// IsPermanent reports true for a message the server refused for good (a 5xx
// reply to the recipient or the content) and for a mail that cannot be
// written (a malformed address), false for network failures, timeouts and
// 4xx replies. Refusals of the sender or the credentials are not permanent
// either: they are the configuration's fault, not the mail's, and the mail
// can go once it is fixed.
func (s *SMTP) Send(ctx context.Context, m *market.Mail) error {
	if s.Config.Host == "" || s.Config.Port == 0 || s.Config.From.Address == "" {
		// The configuration's fault, not the mail's: not permanent.
		return &SendError{Op: "config", Err: errors.New("no host, port or sender address (see ParseSMTPURL)")}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	msg, rcpt, err := buildMessage(s.Config.From, m, now())
	if err != nil {
		return &SendError{Op: "message", Err: err, permanent: true}
	}

	timeout := s.Config.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(op string, err error) error {
		if ctx.Err() != nil { // the real cause of a closed connection
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return &SendError{Op: op, Err: err, permanent: permanentReply(op, err)}
	}

	addr := net.JoinHostPort(s.Config.Host, strconv.Itoa(s.Config.Port))
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail("dial", err)
	}
	// Closing the connection when the context ends interrupts a read or
	// write in progress at once; the connection's own deadline, a little
	// later, is only a backstop, so that errors name the context's.
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline.Add(time.Second))
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	defer raw.Close()
	conn := raw

	if s.Config.TLS == TLSImplicit {
		tc := tls.Client(conn, s.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("tls", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.Config.Host)
	if err != nil {
		return fail("greeting", err)
	}
	defer c.Close()
	hello := s.Config.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fail("hello", err)
	}
	if s.Config.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fail("starttls", errors.New("the server does not offer STARTTLS (tls=none in the SMTP URL would send in clear)"))
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fail("starttls", err)
		}
	}
	if s.Config.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Config.Username, s.Config.Password, s.Config.Host)); err != nil {
			return fail("auth", err)
		}
	}
	if err := c.Mail(s.Config.From.Address); err != nil {
		return fail("mail", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fail("rcpt", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("data", err)
	}
	if err := w.Close(); err != nil { // the server's verdict on the message
		return fail("data", err)
	}
	// The message is accepted: a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

func (s *SMTP) tlsConfig() *tls.Config {
	var conf *tls.Config
	if s.TLSConfig != nil {
		conf = s.TLSConfig.Clone()
	} else {
		conf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if conf.ServerName == "" {
		conf.ServerName = s.Config.Host
	}
	return conf
}

// SendError is an error of SMTP.Send: the step that failed ("config",
// "message", "dial", "tls", "greeting", "hello", "starttls", "auth", "mail", "rcpt",
// "data") and why, with the server's reply (a *textproto.Error) when it
// gave one.
type SendError struct {
	Op        string
	Err       error
	permanent bool
}

// Error implements the error interface.
func (e *SendError) Error() string { return "mail: smtp " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause, so that errors.As finds a *textproto.Error.
func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports whether sending the same mail again is bound to fail;
// the outbox worker of package market reads it to stop retrying.
func (e *SendError) Permanent() bool { return e.permanent }

// IsPermanent reports whether err says a mail can never be delivered (see
// SMTP.Send), so that the outbox worker gives up on it at once instead of
// retrying.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// permanentReply tells a refusal of this message for good: a 5xx reply to
// RCPT or to the message itself. 552 to RCPT is the exception RFC 5321
// (4.5.3.1.10) asks clients to treat as the temporary 452.
func permanentReply(op string, err error) bool {
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code < 500 || reply.Code > 599 {
		return false
	}
	switch op {
	case "rcpt":
		return reply.Code != 552
	case "data":
		return true
	}
	return false
}
