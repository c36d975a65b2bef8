package account

import (
	"context"
	"time"
)

// Personal export (#16, "Take your data with you"): what the account core
// holds about a person, as rows of the archive internal/export builds. Each
// row type names its entity (the archive's file). Secrets are never
// exported: no password hash, no session or token value or hash.

// ExportProfile is the person's profile row.
type ExportProfile struct {
	ID              string    `json:"id"`
	Email           string    `json:"email"`
	Name            string    `json:"name"`
	TimeZone        string    `json:"time_zone"`
	Locale          string    `json:"locale"`
	CreatedAt       time.Time `json:"created_at"`
	HasPassword     bool      `json:"has_password"`
	PasswordSetAt   time.Time `json:"password_set_at,omitzero"`
	TermsVersion    string    `json:"terms_version,omitempty"`
	TermsAcceptedAt time.Time `json:"terms_accepted_at,omitzero"`
}

// ExportEntity names the row's file in the archive.
func (ExportProfile) ExportEntity() string { return "profile" }

// ExportSession is one browser session's metadata.
type ExportSession struct {
	ID                string    `json:"id"`
	CreatedAt         time.Time `json:"created_at"`
	LastSeenAt        time.Time `json:"last_seen_at"`
	ExpiresAt         time.Time `json:"expires_at"`
	AbsoluteExpiresAt time.Time `json:"absolute_expires_at"`
	Device            string    `json:"device"`
}

// ExportEntity names the row's file in the archive.
func (ExportSession) ExportEntity() string { return "sessions" }

// ExportToken is one API token's metadata (never the token).
type ExportToken struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// ExportEntity names the row's file in the archive.
func (ExportToken) ExportEntity() string { return "api_tokens" }

// ExportUser returns the account core's rows about uid: the profile, the
// picture and any picture upload not yet confirmed (avatar.go), the
// sessions and the API tokens' metadata (bounded by the account's own
// limits on sessions and tokens). It is one step: it returns no cursor.
// Called by the export machinery off the request path, for the person the
// export belongs to (the export core checked who asked).
func (s *Service) ExportUser(ctx context.Context, uid string) ([]any, error) {
	u, err := s.getUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	rows := []any{ExportProfile{ID: u.ID, Email: u.Email, Name: u.Name, TimeZone: u.TimeZone, Locale: u.Locale,
		CreatedAt: u.CreatedAt, HasPassword: u.HasPassword(), PasswordSetAt: u.PasswordSetAt,
		TermsVersion: u.TermsVersion, TermsAcceptedAt: u.TermsAcceptedAt}}
	pic, err := s.exportAvatar(ctx, u)
	if err != nil {
		return nil, err
	}
	rows = append(rows, pic...)
	pending, err := s.exportAvatarUploads(ctx, uid)
	if err != nil {
		return nil, err
	}
	rows = append(rows, pending...)
	sessions, err := s.sessionsOf(ctx, uid)
	if err != nil {
		return nil, err
	}
	for _, se := range sessions {
		rows = append(rows, ExportSession{ID: se.ID, CreatedAt: se.CreatedAt, LastSeenAt: se.LastSeenAt,
			ExpiresAt: se.IdleExpiresAt, AbsoluteExpiresAt: se.AbsoluteExpiresAt, Device: se.Device})
	}
	tokens, err := s.tokensOf(ctx, uid)
	if err != nil {
		return nil, err
	}
	for _, t := range tokens {
		rows = append(rows, ExportToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt})
	}
	return rows, nil
}

// ExportContact is who an export's ready email goes to, in their language.
func (s *Service) ExportContact(ctx context.Context, uid string) (email string, locale string, err error) {
	u, err := s.getUser(ctx, uid)
	if err != nil {
		return "", "", err
	}
	return u.Email, string(u.Lang()), nil
}
