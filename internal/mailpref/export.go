package mailpref

import "context"

// ExportPrefs is a person's email preferences in their personal export
// (#16): the settings page's view, opt-outs and suppression included.
type ExportPrefs struct{ Prefs }

// ExportEntity names the row's file in the archive.
func (ExportPrefs) ExportEntity() string { return "email_preferences" }

// ExportUser returns uid's email preferences (one step, no cursor).
func (s *Service) ExportUser(ctx context.Context, uid string) ([]any, error) {
	p, err := s.prefsOf(ctx, uid)
	if err != nil {
		return nil, err
	}
	return []any{ExportPrefs{*p}}, nil
}
