package stack

import (
	"reflect"
	"testing"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// The uploads bucket accepts browser PUTs (presigned, from app.js) from the
// app's own origin, the one functions receive as QUORUM_BASE_URL (the custom
// domain, or the API endpoint without one), with exactly the signed headers;
// no other method, origin, header or bucket is opened to browsers.
func TestUploadsBucketCors(t *testing.T) {
	need(t)
	wantHeaders := []any{"content-type", "content-length", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"}
	for name, c := range map[string]struct {
		tpl    map[string]any
		bucket string
	}{
		"full":    {fullTpl, full.Config.BucketName("eu-west-1", tabledef.UploadsBucket)},
		"minimal": {minTpl, minimal.Config.BucketName("us-east-1", tabledef.UploadsBucket)},
	} {
		var baseURL any
		for _, f := range resources(c.tpl, "AWS::Lambda::Function") {
			if u := get(f.props(), "Environment.Variables.QUORUM_BASE_URL"); u != nil {
				baseURL = u
			}
		}
		if baseURL == nil {
			t.Fatalf("%s: no function has QUORUM_BASE_URL", name)
		}
		if name == "full" && baseURL != "https://quorum.example.org" {
			t.Errorf("full: QUORUM_BASE_URL %s", js(baseURL))
		}
		uploads := findBucket(t, c.tpl, c.bucket)
		rules, _ := get(uploads.props(), "CorsConfiguration.CorsRules").([]any)
		if len(rules) != 1 {
			t.Fatalf("%s: uploads bucket CORS rules %s, want exactly one", name, js(rules))
		}
		rule := rules[0].(map[string]any)
		if !reflect.DeepEqual(rule["AllowedMethods"], []any{"PUT"}) {
			t.Errorf("%s: methods %s, want PUT only", name, js(rule["AllowedMethods"]))
		}
		if origins, _ := rule["AllowedOrigins"].([]any); len(origins) != 1 || !reflect.DeepEqual(origins[0], baseURL) {
			t.Errorf("%s: origins %s, want exactly QUORUM_BASE_URL %s", name, js(rule["AllowedOrigins"]), js(baseURL))
		}
		if !reflect.DeepEqual(rule["AllowedHeaders"], wantHeaders) {
			t.Errorf("%s: headers %s, want %s", name, js(rule["AllowedHeaders"]), js(wantHeaders))
		}
		if rule["ExposedHeaders"] != nil {
			t.Errorf("%s: exposes headers %s", name, js(rule["ExposedHeaders"]))
		}
		// No other bucket (inbound mail, access logs), and no DR replica, is opened to browsers.
		for tname, tpl := range map[string]map[string]any{name: c.tpl, name + " dr": map[string]map[string]any{"full": fullDRTpl, "minimal": minDRTpl}[name]} {
			for _, r := range resources(tpl, "AWS::S3::Bucket") {
				if r.ID != uploads.ID && r.props()["CorsConfiguration"] != nil {
					t.Errorf("%s: bucket %s has CORS %s", tname, r.ID, js(r.props()["CorsConfiguration"]))
				}
			}
		}
	}
}
