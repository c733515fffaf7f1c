// Package notify sends what applicants receive: SMS through Amazon SNS, mail through Amazon
// SES, and, in local runs, neither: both go to an in-memory outbox that scripts read back.
// The zh-CN texts live here too, so every channel says the same thing.
package notify

import (
	"context"
	"sync"
	"time"
)

// SMS sends a text message to a mobile in E.164.
type SMS interface {
	SendSMS(ctx context.Context, to, body string) error
}

// Publisher is the operators' topic: what they must be told (an overdue review, a spent SMS
// budget, a reviewer's second factor under attack), never an applicant's data.
type Publisher interface {
	Publish(ctx context.Context, subject, message string) error
}

// Mail is one e-mail with a text and an HTML body.
type Mail struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends e-mail.
type Mailer interface {
	SendMail(ctx context.Context, m Mail) error
}

// Message is what the outbox keeps, in the shape of GET /local/outbox (SPEC §4).
type Message struct {
	Channel string    `json:"channel"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	SentAt  time.Time `json:"sentAt"`
}

// Outbox keeps messages instead of sending them: local runs only.
type Outbox struct {
	mu   sync.Mutex
	msgs []Message
	now  func() time.Time
}

// NewOutbox makes an empty outbox stamping messages with now.
func NewOutbox(now func() time.Time) *Outbox { return &Outbox{now: now} }

// SendSMS keeps the message.
func (o *Outbox) SendSMS(_ context.Context, to, body string) error {
	o.add(Message{Channel: "sms", To: to, Body: body})
	return nil
}

// SendMail keeps the mail; the text body is what scripts read.
func (o *Outbox) SendMail(_ context.Context, m Mail) error {
	o.add(Message{Channel: "email", To: m.To, Subject: m.Subject, Body: m.Text})
	return nil
}

func (o *Outbox) add(m Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m.SentAt = o.now()
	o.msgs = append(o.msgs, m)
}

// Messages returns a copy, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message{}, o.msgs...)
}
