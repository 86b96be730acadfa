package mailer

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"kefu/store"
)

// The words of the mail, by language: Chinese for a customer whose
// language starts with "zh", English otherwise. Only fixed words and the
// validated addresses go in headers; what customers and agents wrote goes
// in the body alone.
type words struct {
	subject, hello, answered, replyAt, replyHere, auto string
}

var (
	zhWords = words{
		subject:   "您的留言有了回复",
		hello:     "您好，%s：",
		answered:  "客服回复了您的留言：",
		replyAt:   "如需继续沟通，请在对话中回复：%s",
		replyHere: "如需继续沟通，请回到网站上的对话中回复。",
		auto:      "这是一封自动发送的邮件，请勿直接回复。",
	}
	enWords = words{
		subject:   "Reply to your message",
		hello:     "Hello %s,",
		answered:  "An agent answered your message:",
		replyAt:   "To go on, reply in the chat: %s",
		replyHere: "To go on, reply in the chat on the website.",
		auto:      "This mail was sent automatically; replies to it are not read.",
	}
)

func wordsFor(lang string) words {
	if strings.HasPrefix(strings.ToLower(lang), "zh") {
		return zhWords
	}
	return enWords
}

// compose builds the mail: headers, then the answer in a quoted-printable
// UTF-8 body.
func compose(from string, mail store.Mail, conv store.Conversation, msgs []store.Message, publicURL string, now time.Time) ([]byte, error) {
	w := wordsFor(mail.Lang)
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", from)
	header("To", mail.To)
	header("Subject", mime.QEncoding.Encode("utf-8", w.subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+mail.MessageID+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")

	var text strings.Builder
	name := conv.CustomerName
	if name == "" {
		name = mail.To
	}
	fmt.Fprintf(&text, w.hello+"\n\n%s\n\n", name, w.answered)
	for _, m := range msgs {
		fmt.Fprintf(&text, "%s (%s):\n%s\n\n", m.SenderName, m.At.UTC().Format("2006-01-02 15:04 UTC"), m.Text)
	}
	if publicURL != "" {
		fmt.Fprintf(&text, w.replyAt+"\n", publicURL)
	} else {
		text.WriteString(w.replyHere + "\n")
	}
	text.WriteString("\n" + w.auto + "\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(text.String())); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
