package cores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
)

// newExports wires the export machinery: each core's own export of its
// entities, in the archive's order.
func newExports(c *Cores, sender mail.Sender, cat *i18n.Catalog, log *slog.Logger) *export.Service {
	return export.New(export.Config{
		Store:    c.Store,
		Objects:  blob.NewObjects(c.Clients.S3, c.Config.UploadsBucket, c.Config.KMSKeyID, facts.ExportsPrefix),
		Contacts: c.Accounts,
		Mail:     sender, Catalog: cat, MailFrom: c.Config.MailFrom, BaseURL: c.Config.BaseURL.String(),
		Personal: []export.Section{
			{Name: "account", Step: export.Single(c.Accounts.ExportUser)},
			{Name: "groups", Step: export.Single(c.Groups.ExportUser)},
			{Name: "discussions", Step: c.Discussions.ExportUser},
			{Name: "decisions", Step: c.Decisions.ExportUser},
			{Name: "notifications", Step: c.Notifications.ExportUser},
			{Name: "email", Step: export.Single(c.MailPrefs.ExportUser)},
			{Name: "inbox", Step: c.Inbox.ExportUser},
		},
		Group: []export.Section{
			{Name: "group", Step: c.Groups.ExportGroup},
			{Name: "tags", Step: export.Single(c.Tags.ExportGroup)},
			{Name: "discussions", Step: c.Discussions.ExportGroup},
			{Name: "decisions", Step: c.Decisions.ExportGroup},
		},
		Policy:       c.Groups,
		Audit:        exportAudit{c.Audit},
		Subgroups:    subgroupIDs{c.Groups},
		Files:        c.Discussions,
		OwnFiles:     ownFiles{c.Discussions},
		Importer:     importer{c},
		Presigner:    importPresigner{blob.NewUploads(c.Clients.S3, c.Config.UploadsBucket, c.Config.KMSKeyID, blob.DefaultLimits())},
		ImportPrefix: facts.ExportsPrefix,
		Log:          log,
	})
}

// exportAudit records group exports in the group's record.
type exportAudit struct{ a *audit.Service }

func (e exportAudit) RecordExport(ctx context.Context, tx *store.Tx, gid, format string) error {
	return e.a.Record(ctx, tx, gid, audit.GroupExported, audit.Target{Kind: "group", ID: gid}, map[string]string{"format": format})
}

// subgroupIDs lists the subgroups of a group its admin may see (the
// export asks the policy about each again).
type subgroupIDs struct{ g *group.Service }

func (s subgroupIDs) SubgroupIDs(ctx context.Context, gid string) ([]string, error) {
	subs, err := s.g.Subgroups(ctx, gid)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(subs))
	for _, sg := range subs {
		out = append(out, sg.ID)
	}
	return out, nil
}

// ownFiles gives a personal export the files its owner uploaded.
type ownFiles struct{ d *discussion.Service }

func (o ownFiles) ExportFile(ctx context.Context, tid, fid string) ([]byte, error) {
	return o.d.ExportOwnFile(ctx, tid, fid)
}
