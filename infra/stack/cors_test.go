package stack

import (
	"reflect"
	"strings"
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
		// No other bucket (inbound mail, access logs) is opened to browsers.
		for _, r := range resources(c.tpl, "AWS::S3::Bucket") {
			if r.ID != uploads.ID && r.props()["CorsConfiguration"] != nil {
				t.Errorf("%s: bucket %s has CORS %s", name, r.ID, js(r.props()["CorsConfiguration"]))
			}
		}
		// After a failover browsers upload to the DR replica of the uploads
		// bucket, from the pilot light's origin: the same rule, and no other
		// DR bucket.
		drTpl := map[string]map[string]any{"full": fullDRTpl, "minimal": minDRTpl}[name]
		cfg := map[string]*Stacks{"full": full, "minimal": minimal}[name].Config
		drUploads := findBucket(t, drTpl, cfg.BucketName(cfg.DRRegion, tabledef.UploadsBucket))
		drRules, _ := get(drUploads.props(), "CorsConfiguration.CorsRules").([]any)
		wantOrigin := "https://quorum.example.org"
		if name == "minimal" {
			wantOrigin = "https://*.execute-api." + cfg.DRRegion + ".amazonaws.com"
		}
		if len(drRules) != 1 || js(get(drRules[0], "AllowedOrigins")) != js([]any{wantOrigin}) ||
			!reflect.DeepEqual(get(drRules[0], "AllowedMethods"), []any{"PUT"}) || !reflect.DeepEqual(get(drRules[0], "AllowedHeaders"), wantHeaders) {
			t.Errorf("%s dr: uploads replica CORS %s, want PUT from %s", name, js(drRules), wantOrigin)
		}
		appTpl := map[string]map[string]any{"full": fullAppTpl, "minimal": minAppTpl}[name]
		for _, f := range resources(appTpl, "AWS::Lambda::Function") {
			if u := get(f.props(), "Environment.Variables.QUORUM_BASE_URL"); u != nil && name == "full" && u != wantOrigin ||
				u != nil && name == "minimal" && !strings.Contains(js(u), ".execute-api."+cfg.DRRegion+".") {
				t.Errorf("%s dr-app %s: QUORUM_BASE_URL %s does not match the DR uploads CORS origin %s", name, f.ID, js(u), wantOrigin)
			}
		}
		for _, r := range resources(drTpl, "AWS::S3::Bucket") {
			if r.ID != drUploads.ID && r.props()["CorsConfiguration"] != nil {
				t.Errorf("%s dr: bucket %s has CORS %s", name, r.ID, js(r.props()["CorsConfiguration"]))
			}
		}
	}
}
