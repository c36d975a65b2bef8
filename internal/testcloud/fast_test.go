package testcloud_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/testcloud"
)

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 600)...)

func send(t *testing.T, put blob.PresignedRequest, body []byte, tweak func(*http.Request)) int {
	t.Helper()
	r, err := http.NewRequest(put.Method, put.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range put.Headers {
		r.Header.Set(k, v)
	}
	r.ContentLength = int64(len(body))
	if tweak != nil {
		tweak(r)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// The fast tier's S3 keeps what the product relies on: a presigned upload
// is refused when it strays from what was signed or comes too late, a
// verified upload reads back (by range too), a download URL names the file,
// and a versioned delete keeps the old version.
func TestFastS3(t *testing.T) {
	env := testcloud.Fast(t)
	ctx := context.Background()
	limits := blob.DefaultLimits()
	up := blob.NewUploads(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, limits)

	put, err := up.PresignPut(ctx, "threads/t1/f1", "image/png", int64(len(png)))
	if err != nil {
		t.Fatal(err)
	}
	for name, tweak := range map[string]func(*http.Request){
		"another type":  func(r *http.Request) { r.Header.Set("Content-Type", "text/html") },
		"no encryption": func(r *http.Request) { r.Header.Del("X-Amz-Server-Side-Encryption") },
		"another key":   func(r *http.Request) { r.URL.Path = strings.Replace(r.URL.Path, "/f1", "/f2", 1) },
		"a forged signature": func(r *http.Request) {
			q := r.URL.Query()
			q.Set("X-Amz-Signature", strings.Repeat("0", 64))
			r.URL.RawQuery = q.Encode()
		},
	} {
		if st := send(t, put, png, tweak); st != http.StatusForbidden {
			t.Errorf("presigned PUT with %s: %d, want 403", name, st)
		}
	}
	if _, err := up.Verify(ctx, "threads/t1/f1"); !errors.Is(err, blob.ErrNotUploaded) {
		t.Fatalf("a refused upload stored something: %v", err)
	}
	if st := send(t, put, png, nil); st != http.StatusOK {
		t.Fatalf("presigned PUT as signed: %d", st)
	}
	got, err := up.Verify(ctx, "threads/t1/f1")
	if err != nil || got.Size != int64(len(png)) || got.ContentType != "image/png" {
		t.Fatalf("verify: %+v %v", got, err)
	}

	short := limits
	short.PutTTL = time.Second
	late, err := blob.NewUploads(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, short).PresignPut(ctx, "threads/t1/f3", "image/png", int64(len(png)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if st := send(t, late, png, nil); st != http.StatusForbidden {
		t.Errorf("an expired presigned PUT: %d, want 403", st)
	}

	link, err := up.PresignGet(ctx, "threads/t1/f1", "plan.png")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, png) || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename=plan.png`) {
		t.Fatalf("presigned GET: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Disposition"), len(body))
	}

	if err := up.Delete(ctx, "threads/t1/f1"); err != nil {
		t.Fatal(err)
	}
	_, err = env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(env.Config.UploadsBucket), Key: aws.String("threads/t1/f1")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NotFound" {
		t.Fatalf("head after delete: %v", err)
	}
	vs, err := env.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(env.Config.UploadsBucket), Prefix: aws.String("threads/t1/")})
	if err != nil || len(vs.Versions) != 1 || len(vs.DeleteMarkers) != 1 {
		t.Fatalf("versions after delete: %d versions, %d markers, %v", len(vs.Versions), len(vs.DeleteMarkers), err)
	}

	for _, k := range []string{"a/1", "a/2", "a/3", "b/1"} {
		if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(env.Config.InboundBucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(env.S3, &s3.ListObjectsV2Input{Bucket: aws.String(env.Config.InboundBucket), Prefix: aws.String("a/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if strings.Join(keys, " ") != "a/1 a/2 a/3" {
		t.Fatalf("listed %v", keys)
	}
}

// The fast tier's SES records a sent message as the SES emulator does, so
// mail.Emulator reads it: decoded subject and bodies, recipients, files.
func TestFastSES(t *testing.T) {
	env := testcloud.Fast(t)
	ctx := context.Background()
	ses := mail.NewSES(env.Clients.SES, "", env.Config.MailDomain)
	if _, err := ses.Send(ctx, mail.Message{From: env.Config.MailFrom, To: []string{"Zoë Ærø <zoe@example.org>"},
		Subject: "Vote: « Plant tomatoes? » closes soon", Text: "Reply yes or no.\nÜber alles.", HTML: "<p>Reply <b>yes</b></p>",
		Attachments: []mail.Attachment{{Filename: "invite.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR")}}}); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := mail.Emulator{URL: env.Config.SESEndpoint}.WaitFor(wait, "zoe@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Vote: « Plant tomatoes? » closes soon" || !strings.Contains(m.Body.Text, "Über alles.") ||
		!strings.Contains(m.Body.HTML, "<b>yes</b>") || !strings.Contains(m.From, "notifications@quorum.test") {
		t.Fatalf("stored: %+v", m)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "invite.ics" || m.Attachments[0].Size != len("BEGIN:VCALENDAR") {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
}
