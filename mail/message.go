package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/qrcode"
)

// safeName is what an attachment's name (also its Content-ID) and a mail's
// id (in its Message-ID) may be made of: nothing that could end a header
// or a msg-id.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// buildMessage writes m as an RFC 5322 message from from, with CRLF line
// ends and 7-bit content only (quoted-printable text, base64 files, RFC
// 2047 headers), so that any server relays it unchanged. It returns the
// message and the recipient's bare address for the envelope.
//
// The body nests only the parts it needs:
//
//	multipart/mixed             when there are files to attach
//	  multipart/related         when the HTML shows inline images
//	    multipart/alternative   when there is both text and HTML
//	      text/plain; text/html
//	    image/png (Content-ID)
//	  application/pdf…
func buildMessage(from netmail.Address, m *market.Mail, now time.Time) ([]byte, string, error) {
	if from.Address == "" {
		return nil, "", errors.New("no sender address")
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, "", fmt.Errorf("recipient %q: %w", m.To, err)
	}
	if m.Text == "" && m.HTML == "" {
		return nil, "", errors.New("the mail has no body")
	}
	body, err := bodyEntity(m)
	if err != nil {
		return nil, "", err
	}

	var b bytes.Buffer
	writeHeader(&b, "From", from.String())
	writeHeader(&b, "To", to.String())
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	writeHeader(&b, "Date", now.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", messageID(m.ID, from.Address))
	writeHeader(&b, "MIME-Version", "1.0")
	// RFC 3834: out-of-office robots should not answer.
	writeHeader(&b, "Auto-Submitted", "auto-generated")
	// Only the list headers may be added (RFC 2369, RFC 8058), each on
	// one line: a mail's data never writes headers of its own choosing.
	for _, name := range []string{"List-Unsubscribe", "List-Unsubscribe-Post"} {
		if v := m.Headers[name]; v != "" {
			writeHeader(&b, name, v)
		}
	}
	body.write(&b)
	return b.Bytes(), to.Address, nil
}

// messageID derives the Message-ID from the mail's id when it has a usable
// one, so that every attempt to send a mail carries the same Message-ID and
// a receiving server can tell a retry from a new mail.
func messageID(id, fromAddress string) string {
	domain := "solidaire.invalid"
	if at := strings.LastIndexByte(fromAddress, '@'); at >= 0 && safeName.MatchString(fromAddress[at+1:]) {
		domain = fromAddress[at+1:]
	}
	if !safeName.MatchString(id) {
		var r [16]byte
		_, _ = rand.Read(r[:])
		id = hex.EncodeToString(r[:])
	}
	return "<" + id + "@" + domain + ">"
}

// entity is a MIME part: its headers (Content-Type and the like) and its
// encoded body.
type entity struct {
	header textproto.MIMEHeader
	body   []byte
}

func (e entity) write(b *bytes.Buffer) {
	keys := make([]string, 0, len(e.header))
	for k := range e.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range e.header[k] {
			writeHeader(b, k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(e.body)
}

func bodyEntity(m *market.Mail) (entity, error) {
	var parts []entity
	if m.Text != "" {
		parts = append(parts, textEntity("text/plain", m.Text))
	}
	if m.HTML != "" {
		parts = append(parts, textEntity("text/html", m.HTML))
	}
	body := parts[0]
	if len(parts) > 1 {
		body = multipartEntity("alternative", parts, nil)
	}

	var inline, attached []entity
	for _, a := range m.Attachments {
		if len(a.Data) == 0 && a.QRText != "" {
			png, err := qrcode.PNG(a.QRText)
			if err != nil {
				return entity{}, err
			}
			a.Data = png
		}
		part, err := fileEntity(a, a.Inline && m.HTML != "")
		if err != nil {
			return entity{}, err
		}
		if a.Inline && m.HTML != "" {
			inline = append(inline, part)
		} else {
			// An inline image without HTML to show it is still the
			// recipient's: it goes along as a file.
			attached = append(attached, part)
		}
	}
	if len(inline) > 0 {
		// RFC 2387: type names the root part's type.
		body = multipartEntity("related", append([]entity{body}, inline...),
			map[string]string{"type": body.mediaType()})
	}
	if len(attached) > 0 {
		body = multipartEntity("mixed", append([]entity{body}, attached...), nil)
	}
	return body, nil
}

func (e entity) mediaType() string {
	t, _, _ := mime.ParseMediaType(e.header.Get("Content-Type"))
	return t
}

// textEntity is UTF-8 text in quoted-printable: readable in the raw
// message, safe for any relay, and its lines never exceed 76 characters.
func textEntity(mediaType, text string) entity {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(strings.ReplaceAll(text, "\r\n", "\n")))
	_ = w.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType(mediaType, map[string]string{"charset": "utf-8"}))
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	return entity{header: h, body: b.Bytes()}
}

// fileEntity is an attachment in base64; an inline one carries its name as
// its Content-ID, which the HTML refers to as cid:NAME.
func fileEntity(a market.Attachment, inline bool) (entity, error) {
	if !safeName.MatchString(a.Name) {
		return entity{}, fmt.Errorf("attachment name %q: only letters, digits, '.', '-' and '_'", a.Name)
	}
	mediaType, params, err := mime.ParseMediaType(a.ContentType)
	if err != nil {
		return entity{}, fmt.Errorf("attachment %s: content type %q: %w", a.Name, a.ContentType, err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType(mediaType, params))
	h.Set("Content-Transfer-Encoding", "base64")
	disposition := "attachment"
	if inline {
		disposition = "inline"
		h["Content-ID"] = []string{"<" + a.Name + ">"} // not Set's "Content-Id"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))

	encoded := base64.StdEncoding.EncodeToString(a.Data)
	var b bytes.Buffer
	for len(encoded) > 76 {
		b.WriteString(encoded[:76])
		b.WriteString("\r\n")
		encoded = encoded[76:]
	}
	b.WriteString(encoded)
	b.WriteString("\r\n")
	return entity{header: h, body: b.Bytes()}, nil
}

// multipartEntity encloses parts in a multipart/subtype entity. Its
// boundary starts with "=_", which neither quoted-printable nor base64 can
// produce, so no part can contain it.
func multipartEntity(subtype string, parts []entity, params map[string]string) entity {
	var r [12]byte
	_, _ = rand.Read(r[:])
	boundary := "=_" + hex.EncodeToString(r[:])
	var b bytes.Buffer
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n")
		p.write(&b)
		// The CRLF before a boundary belongs to the delimiter (RFC 2046
		// 5.1.1): this one keeps the body's own last line end.
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	all := map[string]string{"boundary": boundary}
	for k, v := range params {
		all[k] = v
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType("multipart/"+subtype, all))
	return entity{header: h, body: b.Bytes()}
}

// oneLine keeps a header value on one line, whatever a name or a subject
// held: a CR or LF in it could otherwise add headers of its own.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == '\r' || r == '\n' || r == '\t' || r == ' '
	}), " ")
}

// writeHeader writes "Name: value", folded at spaces so that lines stay
// within 78 characters where the value allows (RFC 5322 2.1.1).
func writeHeader(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for _, word := range strings.Split(oneLine(value), " ") {
		// A long first word goes on a line of its own: RFC 2047 limits a
		// line holding an encoded word to 76 characters.
		if len(line)+1+len(word) > 78 && line != "" {
			b.WriteString(line)
			b.WriteString("\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
