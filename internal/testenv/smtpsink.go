package testenv

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// SinkMessage is a mail an SMTPSink accepted: the envelope and the message
// as the client sent it (CRLF line ends, dot-stuffing undone).
type SinkMessage struct {
	From string
	To   []string
	Data []byte
	// Username is the name the client authenticated as with AUTH PLAIN
	// (any password is accepted), or "" when it did not authenticate.
	Username string
	// TLS reports whether the session had switched to TLS with STARTTLS.
	TLS bool
}

// SMTPSink is a small SMTP server on a loopback port that keeps what it
// receives, for tests of code that sends mail. It speaks EHLO/HELO,
// STARTTLS (with a certificate that ClientTLSConfig trusts), AUTH PLAIN,
// MAIL, RCPT, DATA, RSET, NOOP and QUIT, and can refuse recipients on
// demand (FailNext) to test retries.
type SMTPSink struct {
	ln  net.Listener
	tls *tls.Config

	mu       sync.Mutex
	msgs     []SinkMessage
	changed  chan struct{} // closed, and replaced, each time a message arrives
	failCode int
	failLeft int
	conns    map[net.Conn]struct{}
	closed   bool
	serving  sync.WaitGroup
}

// Limits of the sink, so that a broken client cannot make a test hang or
// eat the memory.
const (
	sinkIdle     = time.Minute      // per command
	sinkMaxLine  = 4096             // a command line, or a line of DATA
	sinkMaxData  = 20 << 20         // one message
	sinkHostname = "sink.localhost" // how the sink names itself
)

// StartSMTPSink starts an SMTPSink on a free port of 127.0.0.1. Close stops
// it; SMTP, for a test, also closes it when the test ends.
func StartSMTPSink() (*SMTPSink, error) {
	cert, err := sinkCertificate()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testenv: SMTP sink: %w", err)
	}
	s := &SMTPSink{
		ln:      ln,
		tls:     &tls.Config{Certificates: []tls.Certificate{cert.pair}},
		changed: make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
	}
	s.serving.Add(1)
	go s.accept()
	return s, nil
}

// SMTP starts an SMTPSink for one test and closes it when the test ends.
// Each test has its own, so that what one receives or is told to refuse
// never mixes with another's.
func SMTP(t testing.TB) *SMTPSink {
	t.Helper()
	s, err := StartSMTPSink()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Addr returns the sink's address, "127.0.0.1:PORT".
func (s *SMTPSink) Addr() string { return s.ln.Addr().String() }

// ClientTLSConfig returns a TLS configuration for clients of this sink: it
// trusts the sink's certificate, which names 127.0.0.1 and localhost.
func (s *SMTPSink) ClientTLSConfig() *tls.Config {
	cert, _ := sinkCertificate() // made by StartSMTPSink already
	pool := x509.NewCertPool()
	pool.AddCert(cert.leaf)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// Messages returns a copy of the messages received so far, in order.
func (s *SMTPSink) Messages() []SinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SinkMessage, len(s.msgs))
	for i, m := range s.msgs {
		m.To = append([]string(nil), m.To...)
		m.Data = bytes.Clone(m.Data)
		out[i] = m
	}
	return out
}

// WaitFor waits until the sink has received at least n messages, or
// returns an error saying how many came once timeout has passed.
func (s *SMTPSink) WaitFor(n int, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return fmt.Errorf("testenv: SMTP sink received %d messages in %v, want %d", got, timeout, n)
		}
	}
}

// FailNext makes the sink answer the next n RCPT TO commands with code
// (451 for a temporary failure, such as greylisting; 550 for a mailbox that
// does not exist) instead of accepting them.
func (s *SMTPSink) FailNext(code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCode, s.failLeft = code, n
}

// Close stops the sink, drops its connections and waits for them to end.
// It may be called more than once.
func (s *SMTPSink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.serving.Wait()
	return err
}

func (s *SMTPSink) accept() {
	defer s.serving.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.serving.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.serving.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			(&sinkSession{sink: s, conn: c}).serve()
		}()
	}
}

// takeFailure returns the code to refuse a recipient with, if FailNext
// asked for one.
func (s *SMTPSink) takeFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failLeft <= 0 {
		return 0
	}
	s.failLeft--
	return s.failCode
}

func (s *SMTPSink) store(m SinkMessage) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(s.msgs)
}

// sinkSession is one client connection.
type sinkSession struct {
	sink     *SMTPSink
	conn     net.Conn
	r        *bufio.Reader
	w        *bufio.Writer
	tls      bool
	hello    bool
	username string
	from     *string // nil outside a transaction
	to       []string
}

// errSinkLineTooLong ends a session whose client sends an overlong line.
var errSinkLineTooLong = errors.New("line too long")

func (ss *sinkSession) serve() {
	ss.r, ss.w = bufio.NewReader(ss.conn), bufio.NewWriter(ss.conn)
	ss.reply(220, sinkHostname+" ESMTP Solidaire test sink")
	for {
		line, err := ss.readLine()
		if errors.Is(err, errSinkLineTooLong) {
			ss.reply(500, "5.5.2 Line too long")
			return
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ss.hello = true
			ss.reset()
			ext := []string{sinkHostname + " greets " + arg, "8BITMIME", "SMTPUTF8", fmt.Sprintf("SIZE %d", sinkMaxData), "AUTH PLAIN"}
			if !ss.tls {
				ext = append(ext, "STARTTLS")
			}
			ss.reply(250, ext...)
		case "HELO":
			ss.hello = true
			ss.reset()
			ss.reply(250, sinkHostname)
		case "STARTTLS":
			if ss.tls {
				ss.reply(503, "5.5.1 TLS already active")
				continue
			}
			ss.reply(220, "2.0.0 Ready to start TLS")
			tc := tls.Server(ss.conn, ss.sink.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			ss.conn, ss.tls = tc, true
			ss.r, ss.w = bufio.NewReader(tc), bufio.NewWriter(tc)
			// RFC 3207: the client starts over, EHLO included.
			ss.hello, ss.username = false, ""
			ss.reset()
		case "AUTH":
			ss.auth(arg)
		case "MAIL":
			addr, ok := sinkPath(arg, "FROM:")
			switch {
			case !ss.hello:
				ss.reply(503, "5.5.1 EHLO first")
			case ss.from != nil:
				ss.reply(503, "5.5.1 Nested MAIL command")
			case !ok:
				ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
			default:
				ss.from = &addr
				ss.reply(250, "2.1.0 Ok")
			}
		case "RCPT":
			addr, ok := sinkPath(arg, "TO:")
			switch {
			case ss.from == nil:
				ss.reply(503, "5.5.1 MAIL first")
			case !ok || addr == "":
				ss.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
			default:
				if code := ss.sink.takeFailure(); code != 0 {
					ss.reply(code, sinkFailureText(code))
					continue
				}
				ss.to = append(ss.to, addr)
				ss.reply(250, "2.1.5 Ok")
			}
		case "DATA":
			if ss.from == nil || len(ss.to) == 0 {
				ss.reply(503, "5.5.1 RCPT first")
				continue
			}
			ss.reply(354, "End data with <CR><LF>.<CR><LF>")
			data, err := ss.readData()
			if errors.Is(err, errSinkLineTooLong) {
				ss.reply(552, "5.3.4 Message too big")
				ss.reset()
				continue
			}
			if err != nil {
				return
			}
			n := ss.sink.store(SinkMessage{From: *ss.from, To: ss.to, Data: data, Username: ss.username, TLS: ss.tls})
			ss.reset()
			ss.reply(250, fmt.Sprintf("2.0.0 Ok: queued as %d", n))
		case "RSET":
			ss.reset()
			ss.reply(250, "2.0.0 Ok")
		case "NOOP":
			ss.reply(250, "2.0.0 Ok")
		case "VRFY":
			ss.reply(252, "2.5.2 Cannot verify, will attempt delivery")
		case "QUIT":
			ss.reply(221, "2.0.0 Bye")
			return
		default:
			ss.reply(502, "5.5.2 Command not recognized")
		}
	}
}

// auth accepts AUTH PLAIN with any password and remembers the user name.
func (ss *sinkSession) auth(arg string) {
	mech, initial, _ := strings.Cut(arg, " ")
	if !ss.hello {
		ss.reply(503, "5.5.1 EHLO first")
		return
	}
	if !strings.EqualFold(mech, "PLAIN") {
		ss.reply(504, "5.5.4 Unrecognized authentication type")
		return
	}
	if initial == "" {
		ss.reply(334, "")
		line, err := ss.readLine()
		if err != nil {
			return
		}
		initial = line
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 || parts[1] == "" {
		ss.reply(501, "5.5.2 Cannot decode AUTH PLAIN response")
		return
	}
	ss.username = parts[1]
	ss.reply(235, "2.7.0 Authentication successful")
}

// reset ends the mail transaction, if one was open.
func (ss *sinkSession) reset() { ss.from, ss.to = nil, nil }

// reply writes a reply, one line per text, the last without the hyphen.
func (ss *sinkSession) reply(code int, texts ...string) {
	if len(texts) == 0 {
		texts = []string{""}
	}
	for i, text := range texts {
		sep := "-"
		if i == len(texts)-1 {
			sep = " "
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, text)
	}
	ss.w.Flush()
}

// readLine reads a command line, without its line end.
func (ss *sinkSession) readLine() (string, error) {
	ss.conn.SetDeadline(time.Now().Add(sinkIdle))
	line, err := ss.readRaw()
	return strings.TrimRight(string(line), "\r\n"), err
}

// readRaw reads one line with its line end, refusing overlong ones.
func (ss *sinkSession) readRaw() ([]byte, error) {
	var line []byte
	for {
		chunk, err := ss.r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > sinkMaxLine {
			// Drain the line so that the session can go on after the reply.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = ss.r.ReadSlice('\n')
			}
			if err != nil {
				return nil, err
			}
			return nil, errSinkLineTooLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return line, err
	}
}

// readData reads a message up to the line holding a single dot, undoing
// the dot-stuffing (RFC 5321 4.5.2) and ending every line with CRLF.
func (ss *sinkSession) readData() ([]byte, error) {
	var data bytes.Buffer
	tooBig := false
	for {
		ss.conn.SetDeadline(time.Now().Add(sinkIdle))
		line, err := ss.readRaw()
		if errors.Is(err, errSinkLineTooLong) {
			tooBig = true
			continue
		}
		if err != nil {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if string(line) == "." {
			break
		}
		line = bytes.TrimPrefix(line, []byte("."))
		if data.Len()+len(line) > sinkMaxData {
			tooBig = true
		}
		if !tooBig {
			data.Write(line)
			data.WriteString("\r\n")
		}
	}
	if tooBig {
		return nil, errSinkLineTooLong
	}
	return data.Bytes(), nil
}

// sinkPath reads the address of "FROM:<a@b> SIZE=…" or "TO:<a@b>".
func sinkPath(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	addr, _, ok := strings.Cut(rest[1:], ">")
	return addr, ok
}

func sinkFailureText(code int) string {
	switch {
	case code >= 400 && code < 500:
		return "4.7.1 Try again later (the test sink was told to refuse)"
	case code >= 500 && code < 600:
		return "5.1.1 Mailbox unavailable (the test sink was told to refuse)"
	default:
		return "the test sink was told to refuse"
	}
}

// sinkCert is the sinks' self-signed certificate, made once per process.
type sinkCert struct {
	pair tls.Certificate
	leaf *x509.Certificate
}

var theSinkCert struct {
	once sync.Once
	cert *sinkCert
	err  error
}

func sinkCertificate() (*sinkCert, error) {
	theSinkCert.once.Do(func() {
		theSinkCert.cert, theSinkCert.err = newSinkCert()
	})
	return theSinkCert.cert, theSinkCert.err
}

func newSinkCert() (*sinkCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("testenv: SMTP sink key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "Solidaire test SMTP sink"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("testenv: SMTP sink certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &sinkCert{pair: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf: leaf}, nil
}
