package pages

import (
	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
)

type Accounts = *account.Service
type Groups = *group.Service
type Discussions = *discussion.Service
type Notifications = *notify.Service
type Decisions = *decision.Service
type MailPrefs = *mailpref.Service
type Inbox = *inbox.Service
