package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/qrcode"
)

func TestParseSMTPURL(t *testing.T) {
	cfg, err := ParseSMTPURL("smtp://bonjour%40example.org:p%40ss%3Aw@mail.example.org:2525?from=Solidaire%20%C3%89quipe%20%3Cbonjour@example.org%3E&tls=none&helo=web1.example.org&timeout=10s")
	if err != nil {
		t.Fatal(err)
	}
	want := SMTPConfig{
		Host: "mail.example.org", Port: 2525, Username: "bonjour@example.org", Password: "p@ss:w",
		From: netmail.Address{Name: "Solidaire Équipe", Address: "bonjour@example.org"},
		TLS:  TLSNone, Hello: "web1.example.org", Timeout: 10 * time.Second,
	}
	if cfg != want {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}

	for raw, port := range map[string]int{
		"smtp://mail.example.org?from=a@example.org":          587,
		"smtp://mail.example.org?from=a@example.org&tls=tls":  465,
		"smtps://mail.example.org?from=a@example.org":         465,
		"smtp://mail.example.org?from=a@example.org&tls=none": 25,
	} {
		cfg, err := ParseSMTPURL(raw)
		if err != nil || cfg.Port != port {
			t.Errorf("%s: port %d (%v), want %d", raw, cfg.Port, err, port)
		}
	}
	if cfg, _ := ParseSMTPURL("smtp://h?from=a@example.org"); cfg.TLS != TLSStartTLS {
		t.Errorf("default TLS mode %q, want starttls", cfg.TLS)
	}

	for name, raw := range map[string]string{
		"ErrScheme":    "http://h?from=a@example.org",
		"ErrNoHost":    "smtp://?from=a@example.org",
		"ErrNoFrom":    "smtp://h",
		"ErrFrom":      "smtp://h?from=nobody",
		"ErrTLS":       "smtp://h?from=a@example.org&tls=maybe",
		"ErrSMTPSNone": "smtps://h?from=a@example.org&tls=none",
		"ErrPort":      "smtp://h:0?from=a@example.org",
		"ErrParam":     "smtp://h?from=a@example.org&tsl=none",
		"ErrTimeout":   "smtp://h?from=a@example.org&timeout=soon",
		"ErrPath":      "smtp://h/x?from=a@example.org",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSMTPURL(strings.Replace(raw, "://", "://user:hunter2@", 1))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

// sinkSender is an SMTP sender that talks to sink, with STARTTLS when
// startTLS is set.
func sinkSender(t *testing.T, sink *testenv.SMTPSink, startTLS bool) *SMTP {
	t.Helper()
	host, port, _ := net.SplitHostPort(sink.Addr())
	raw := "smtp://bonjour%40example.org:secret@" + host + ":" + port + "?from=" + "Solidaire%20%C3%A0%20Montr%C3%A9al%20%3Cbonjour@example.org%3E"
	if !startTLS {
		raw += "&tls=none"
	}
	cfg, err := ParseSMTPURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	return &SMTP{Config: cfg, TLSConfig: sink.ClientTLSConfig(), Now: func() time.Time {
		return time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("EDT", -4*3600))
	}}
}

// mimePart is a parsed MIME entity: its media type and decoded body, or its
// parts.
type mimePart struct {
	header    textproto.MIMEHeader
	mediaType string
	params    map[string]string
	body      []byte
	parts     []mimePart
}

func parseEntity(t *testing.T, header textproto.MIMEHeader, body io.Reader) mimePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", header.Get("Content-Type"), err)
	}
	p := mimePart{header: header, mediaType: mt, params: params}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			p.parts = append(p.parts, parseEntity(t, part.Header, part))
		}
		return p
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch cte := header.Get("Content-Transfer-Encoding"); cte {
	case "quoted-printable":
		p.body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	case "base64":
		p.body, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
	default:
		t.Fatalf("part %s has transfer encoding %q", mt, cte)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", mt, err)
	}
	return p
}

// received parses the one message the sink got.
func received(t *testing.T, sink *testenv.SMTPSink) (testenv.SinkMessage, *netmail.Message, mimePart) {
	t.Helper()
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("the sink has %d messages, want 1", len(msgs))
	}
	for i, line := range strings.Split(string(msgs[0].Data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d has %d characters: %q", i+1, len(line), line)
		}
		for _, c := range []byte(line) {
			if c >= 0x80 || c == '\n' || c == '\r' {
				t.Fatalf("line %d is not 7-bit text: %q", i+1, line)
			}
		}
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	return msgs[0], msg, parseEntity(t, textproto.MIMEHeader(msg.Header), msg.Body)
}

func TestSendVoucherMail(t *testing.T) {
	for _, startTLS := range []bool{false, true} {
		t.Run("starttls="+strconv.FormatBool(startTLS), func(t *testing.T) {
			sink := testenv.SMTP(t)
			m, err := composer.VoucherIssued(testVoucher(), "julie@example.org", "Marie-Ève Côté", "fr")
			if err != nil {
				t.Fatal(err)
			}
			if err := sinkSender(t, sink, startTLS).Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			env, msg, top := received(t, sink)

			if env.From != "bonjour@example.org" || len(env.To) != 1 || env.To[0] != "julie@example.org" {
				t.Errorf("envelope %s → %v", env.From, env.To)
			}
			if env.Username != "bonjour@example.org" || env.TLS != startTLS {
				t.Errorf("authenticated as %q, TLS %v", env.Username, env.TLS)
			}
			dec := new(mime.WordDecoder)
			for key, want := range map[string]string{
				"Subject":        "Marie-Ève Côté vous offre un bon solidaire chez Café Névé",
				"From":           "Solidaire à Montréal <bonjour@example.org>",
				"To":             "<julie@example.org>",
				"Message-Id":     "<" + m.ID + "@example.org>",
				"Date":           "Sat, 14 Mar 2026 09:30:00 -0400",
				"Mime-Version":   "1.0",
				"Auto-Submitted": "auto-generated",
			} {
				got, err := dec.DecodeHeader(msg.Header.Get(key))
				if err != nil || got != want {
					t.Errorf("%s: %q (%v), want %q", key, got, err, want)
				}
			}
			if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
				t.Errorf("Subject %q is not RFC 2047 encoded", raw)
			}
			if from, err := msg.Header.AddressList("From"); err != nil || from[0].Name != "Solidaire à Montréal" {
				t.Errorf("From %v (%v)", from, err)
			}

			// related > (alternative > text, html), png
			if top.mediaType != "multipart/related" || top.params["type"] != "multipart/alternative" || len(top.parts) != 2 {
				t.Fatalf("top part %s %v with %d parts, want multipart/related of the alternative and the QR code", top.mediaType, top.params, len(top.parts))
			}
			alt, img := top.parts[0], top.parts[1]
			if alt.mediaType != "multipart/alternative" || len(alt.parts) != 2 {
				t.Fatalf("first part %s with %d parts, want text and HTML", alt.mediaType, len(alt.parts))
			}
			text, html := alt.parts[0], alt.parts[1]
			if text.mediaType != "text/plain" || text.params["charset"] != "utf-8" || strings.ReplaceAll(string(text.body), "\r\n", "\n") != m.Text {
				t.Errorf("text part %s %v:\n%s", text.mediaType, text.params, text.body)
			}
			if html.mediaType != "text/html" || html.params["charset"] != "utf-8" || strings.ReplaceAll(string(html.body), "\r\n", "\n") != m.HTML {
				t.Errorf("HTML part %s %v differs", html.mediaType, html.params)
			}
			if img.mediaType != "image/png" || img.header.Get("Content-Id") != "<qr.png>" ||
				!strings.HasPrefix(img.header.Get("Content-Disposition"), "inline") || !bytes.Equal(img.body, wantQR(t, m.Attachments[0])) {
				t.Errorf("image part %s, Content-ID %q, %q, %d bytes", img.mediaType, img.header.Get("Content-Id"), img.header.Get("Content-Disposition"), len(img.body))
			}
			if !strings.Contains(string(html.body), `src="cid:qr.png"`) {
				t.Error("the HTML does not show the inline image")
			}
		})
	}
}

func TestSendShapes(t *testing.T) {
	pdf := market.Attachment{Name: "recu.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 reçu")}
	qr := market.Attachment{Name: "qr.png", ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}, Inline: true}
	for name, tc := range map[string]struct {
		mail  market.Mail
		shape string
	}{
		"TextOnly":      {market.Mail{Text: "Bonjour."}, "text/plain"},
		"HTMLOnly":      {market.Mail{HTML: "<p>Bonjour.</p>"}, "text/html"},
		"Alternative":   {market.Mail{Text: "Bonjour.", HTML: "<p>Bonjour.</p>"}, "multipart/alternative(text/plain text/html)"},
		"Everything":    {market.Mail{Text: "Bonjour.", HTML: `<img src="cid:qr.png">`, Attachments: []market.Attachment{qr, pdf}}, "multipart/mixed(multipart/related(multipart/alternative(text/plain text/html) image/png) application/pdf)"},
		"InlineNoHTML":  {market.Mail{Text: "Bonjour.", Attachments: []market.Attachment{qr}}, "multipart/mixed(text/plain image/png)"},
		"AttachmentOnl": {market.Mail{Text: "Bonjour.", Attachments: []market.Attachment{pdf}}, "multipart/mixed(text/plain application/pdf)"},
	} {
		t.Run(name, func(t *testing.T) {
			sink := testenv.SMTP(t)
			m := tc.mail
			m.To, m.Subject = "a@example.org", "Reçu"
			if err := sinkSender(t, sink, false).Send(context.Background(), &m); err != nil {
				t.Fatal(err)
			}
			_, _, top := received(t, sink)
			if got := shape(top); got != tc.shape {
				t.Errorf("shape %s, want %s", got, tc.shape)
			}
		})
	}
}

func shape(p mimePart) string {
	if len(p.parts) == 0 {
		return p.mediaType
	}
	var kids []string
	for _, k := range p.parts {
		kids = append(kids, shape(k))
	}
	return p.mediaType + "(" + strings.Join(kids, " ") + ")"
}

func TestSendHeaderInjection(t *testing.T) {
	sink := testenv.SMTP(t)
	m := &market.Mail{ID: "mail_x", To: "a@example.org", Subject: "Bonjour\r\nBcc: evil@example.org", Text: "x"}
	if err := sinkSender(t, sink, false).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	env, msg, _ := received(t, sink)
	if msg.Header.Get("Bcc") != "" || len(env.To) != 1 {
		t.Errorf("a subject added a recipient: Bcc %q, envelope %v", msg.Header.Get("Bcc"), env.To)
	}
	if got := msg.Header.Get("Subject"); got != "Bonjour Bcc: evil@example.org" {
		t.Errorf("subject %q", got)
	}

	for name, bad := range map[string]*market.Mail{
		"ErrTo":             {To: "a@example.org\r\nBcc: evil@example.org", Text: "x"},
		"ErrNoBody":         {To: "a@example.org"},
		"ErrAttachmentName": {To: "a@example.org", Text: "x", Attachments: []market.Attachment{{Name: "a>\r\nX: y", ContentType: "image/png"}}},
		"ErrContentType":    {To: "a@example.org", Text: "x", Attachments: []market.Attachment{{Name: "a.png", ContentType: "image/png; x"}}},
	} {
		t.Run(name, func(t *testing.T) {
			err := sinkSender(t, sink, false).Send(context.Background(), bad)
			if err == nil || !IsPermanent(err) {
				t.Errorf("error %v, want a permanent one", err)
			}
		})
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("malformed mails reached the server: %d messages", n)
	}
}

func TestSendErrors(t *testing.T) {
	m := &market.Mail{ID: "mail_x", To: "a@example.org", Subject: "x", Text: "x"}

	t.Run("Err451", func(t *testing.T) {
		sink := testenv.SMTP(t)
		sink.FailNext(451, 1)
		err := sinkSender(t, sink, false).Send(context.Background(), m)
		var reply *textproto.Error
		if !errors.As(err, &reply) || reply.Code != 451 || IsPermanent(err) {
			t.Errorf("error %v, want a temporary 451", err)
		}
		if err := sinkSender(t, sink, false).Send(context.Background(), m); err != nil {
			t.Errorf("the retry failed: %v", err)
		}
	})
	t.Run("Err550", func(t *testing.T) {
		sink := testenv.SMTP(t)
		sink.FailNext(550, 1)
		err := sinkSender(t, sink, false).Send(context.Background(), m)
		var se *SendError
		if !errors.As(err, &se) || se.Op != "rcpt" || !IsPermanent(err) {
			t.Errorf("error %v, want a permanent refusal of the recipient", err)
		}
	})
	t.Run("Err552AtRcpt", func(t *testing.T) {
		sink := testenv.SMTP(t)
		sink.FailNext(552, 1)
		if err := sinkSender(t, sink, false).Send(context.Background(), m); err == nil || IsPermanent(err) {
			t.Errorf("error %v, want a temporary one (RFC 5321 treats 552 to RCPT as 452)", err)
		}
	})
	t.Run("ErrNoConfig", func(t *testing.T) {
		// A sender left unconfigured must not make mails fail for good.
		if err := (&SMTP{}).Send(context.Background(), m); err == nil || IsPermanent(err) {
			t.Errorf("error %v, want a temporary one", err)
		}
	})
	t.Run("ErrRefused", func(t *testing.T) {
		sink := testenv.SMTP(t)
		s := sinkSender(t, sink, false)
		sink.Close()
		if err := s.Send(context.Background(), m); err == nil || IsPermanent(err) {
			t.Errorf("error %v, want a temporary one", err)
		}
	})
	t.Run("ErrSilentServer", func(t *testing.T) {
		// A server that accepts and never greets: Send gives up at the
		// timeout, and the failure is temporary.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		p, _ := strconv.Atoi(port)
		s := &SMTP{Config: SMTPConfig{Host: "127.0.0.1", Port: p, From: netmail.Address{Address: "a@example.org"}, TLS: TLSNone, Timeout: 200 * time.Millisecond}}
		start := time.Now()
		err = s.Send(context.Background(), m)
		if err == nil || IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want a temporary deadline error", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v with a 200ms timeout", d)
		}

		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		s.Config.Timeout = time.Minute
		start = time.Now()
		if err := s.Send(ctx, m); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v to notice its context was cancelled", d)
		}
	})
	t.Run("ErrNoStartTLSTrust", func(t *testing.T) {
		// STARTTLS to a server whose certificate we do not trust fails,
		// and is not sent in clear instead.
		sink := testenv.SMTP(t)
		s := sinkSender(t, sink, true)
		s.TLSConfig = nil
		if err := s.Send(context.Background(), m); err == nil || IsPermanent(err) {
			t.Errorf("error %v, want a temporary TLS failure", err)
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("%d messages sent without trusted TLS", n)
		}
	})
}

// wantQR is the image an attachment goes out as: its data, or the QR code
// the sender renders for it.
func wantQR(t *testing.T, a market.Attachment) []byte {
	t.Helper()
	if len(a.Data) > 0 {
		return a.Data
	}
	png, err := qrcode.PNG(a.QRText)
	if err != nil {
		t.Fatal(err)
	}
	return png
}
