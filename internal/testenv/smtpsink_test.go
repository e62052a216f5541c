package testenv_test

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// sinkSend sends one message to the sink through net/smtp, as the mail
// package does.
func sinkSend(t *testing.T, sink *testenv.SMTPSink, startTLS bool, user string, from string, to []string, body string) error {
	t.Helper()
	c, err := smtp.Dial(sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	if startTLS {
		conf := sink.ClientTLSConfig()
		conf.ServerName = "127.0.0.1"
		if err := c.StartTLS(conf); err != nil {
			t.Fatalf("STARTTLS: %v", err)
		}
	}
	if user != "" {
		if err := c.Auth(smtp.PlainAuth("", user, "secret", "127.0.0.1")); err != nil {
			t.Fatalf("AUTH: %v", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, addr := range to {
		if err := c.Rcpt(addr); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func TestSMTPSinkReceives(t *testing.T) {
	sink := testenv.SMTP(t)
	body := "Subject: Bonjour\n\nUne ligne.\n.Une ligne qui commence par un point.\n.\nFin.\n"
	if err := sinkSend(t, sink, true, "marie", "bonjour@solidaire.example", []string{"a@example.org", "b@example.org"}, body); err != nil {
		t.Fatal(err)
	}
	if err := sink.WaitFor(1, time.Second); err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "bonjour@solidaire.example" || strings.Join(m.To, ",") != "a@example.org,b@example.org" {
		t.Errorf("envelope %q → %q", m.From, m.To)
	}
	if m.Username != "marie" || !m.TLS {
		t.Errorf("username %q, TLS %v; want marie over TLS", m.Username, m.TLS)
	}
	want := strings.ReplaceAll(body, "\n", "\r\n")
	if string(m.Data) != want {
		t.Errorf("data %q\nwant %q", m.Data, want)
	}
}

func TestSMTPSinkFailNext(t *testing.T) {
	sink := testenv.SMTP(t)
	sink.FailNext(451, 1)
	err := sinkSend(t, sink, false, "", "a@example.org", []string{"b@example.org"}, "x\n")
	var tpErr *textproto.Error
	if !errors.As(err, &tpErr) || tpErr.Code != 451 {
		t.Fatalf("first send: %v, want a 451", err)
	}
	sink.FailNext(550, 1)
	err = sinkSend(t, sink, false, "", "a@example.org", []string{"b@example.org"}, "x\n")
	if !errors.As(err, &tpErr) || tpErr.Code != 550 {
		t.Fatalf("second send: %v, want a 550", err)
	}
	if err := sinkSend(t, sink, false, "", "a@example.org", []string{"b@example.org"}, "x\n"); err != nil {
		t.Fatalf("third send: %v", err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("%d messages kept, want 1", n)
	}
	if err := sink.WaitFor(2, 50*time.Millisecond); err == nil {
		t.Error("WaitFor(2) succeeded with one message")
	}
}

// TestSMTPSinkConversation speaks the protocol by hand: the order of
// commands is enforced, RSET drops a transaction, HELO works.
func TestSMTPSinkConversation(t *testing.T) {
	sink := testenv.SMTP(t)
	c, err := textproto.Dial("tcp", sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	expect := func(code int) {
		t.Helper()
		if _, _, err := c.ReadResponse(code); err != nil {
			t.Fatalf("want %d: %v", code, err)
		}
	}
	say := func(cmd string, code int) {
		t.Helper()
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatal(err)
		}
		expect(code)
	}
	expect(220)
	say("MAIL FROM:<a@example.org>", 503) // no HELO yet
	say("HELO client.test", 250)
	say("RCPT TO:<b@example.org>", 503) // no MAIL yet
	say("MAIL FROM:<a@example.org>", 250)
	say("DATA", 503) // no RCPT yet
	say("RCPT TO:<b@example.org>", 250)
	say("RSET", 250)
	say("DATA", 503) // RSET ended the transaction
	say("NOOP", 250)
	say("FROB", 502)
	say("MAIL FROM:<>", 250) // the null sender of bounces
	say("RCPT TO:<b@example.org>", 250)
	say("DATA", 354)
	if err := c.PrintfLine("Subject: x\r\n\r\n..\r\n."); err != nil {
		t.Fatal(err)
	}
	expect(250)
	say("QUIT", 221)
	msgs := sink.Messages()
	if len(msgs) != 1 || msgs[0].From != "" || string(msgs[0].Data) != "Subject: x\r\n\r\n.\r\n" {
		t.Errorf("messages %+v", msgs)
	}
}

func TestSMTPSinkClose(t *testing.T) {
	sink, err := testenv.StartSMTPSink()
	if err != nil {
		t.Fatal(err)
	}
	// An idle client must not keep Close waiting.
	c, err := textproto.Dial("tcp", sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan struct{})
	go func() { sink.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on an open connection")
	}
	if err := sink.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := smtp.Dial(sink.Addr()); err == nil {
		t.Error("the sink still accepts connections after Close")
	}
}
