package mail

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// intro is the first sentence of a mail, by purpose.
func (p Purpose) intro() string {
	switch p {
	case PurposeSignup:
		return "Use this code to finish signing up for Wardnet:"
	case PurposePasswordReset:
		return "Use this code to reset your Wardnet password:"
	case PurposePasswordChange:
		return "Use this code to confirm the change of your Wardnet password:"
	case PurposeEnrollment:
		return "Use this code to enroll a daemon in your Wardnet account:"
	}
	return ""
}

// outro follows the code; the lifetime is the contract's (§3.5, 300 s).
const outro = "The code expires in 5 minutes and works once. If you did not ask for it, you can ignore this email."

var htmlBody = template.Must(template.New("code").Parse(`<!doctype html>
<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111">
{{- if .LogoURL}}
<p><img src="{{.LogoURL}}" alt="Wardnet" height="32"></p>
{{- end}}
<p>{{.Intro}}</p>
<p style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:28px;letter-spacing:6px"><strong>{{.Code}}</strong></p>
<p style="color:#555">{{.Outro}}</p>
</body></html>
`))

// rendered is a mail ready to send.
type rendered struct {
	Subject, HTML, Text string
}

// render builds the mail for msg. The text body has the code on a line of
// its own (package mailtest relies on it).
func render(msg Code, logoURL string) (rendered, error) {
	var h bytes.Buffer
	err := htmlBody.Execute(&h, struct{ LogoURL, Intro, Code, Outro string }{
		LogoURL: logoURL, Intro: msg.Purpose.intro(), Code: msg.Code, Outro: outro,
	})
	if err != nil {
		return rendered{}, fmt.Errorf("render %s mail: %w", msg.Purpose, err)
	}
	text := strings.Join([]string{msg.Purpose.intro(), "", msg.Code, "", outro, ""}, "\n")
	return rendered{Subject: msg.Purpose.Subject(), HTML: h.String(), Text: text}, nil
}
