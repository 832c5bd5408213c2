package notify

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strconv"
	"strings"
)

// SMTP sends mail through a mail server.
type SMTP struct {
	Host               string
	Port               int
	Username, Password string
	From               string
}

// Send delivers one plain-text message.
func (m SMTP) Send(_ context.Context, to, subject, body string) error {
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	var auth smtp.Auth
	if m.Username != "" {
		auth = smtp.PlainAuth("", m.Username, m.Password, m.Host)
	}
	clean := func(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		clean(m.From), clean(to), clean(subject), body)
	return smtp.SendMail(addr, auth, m.From, []string{to}, []byte(msg))
}
