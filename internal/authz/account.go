package authz

// Account actions: what a person may do with their own account. Sign-in
// itself (requesting a code, verifying it, password sign-in, confirming an
// email change from the link) is open to anyone by design and guarded by
// secrets and rate limits, not by this policy.
const (
	AccountRead           Action = "account.read"            // read own profile
	AccountUpdate         Action = "account.update"          // change name, time zone, locale
	AccountChangeEmail    Action = "account.email.change"    // start an email change
	AccountSetPassword    Action = "account.password.set"    // set, change or remove the password
	AccountSignOut        Action = "account.signout"         // end the current session
	AccountSessionsList   Action = "account.sessions.list"   // list own sessions
	AccountSessionsRevoke Action = "account.sessions.revoke" // end one or all sessions
	AccountTokensList     Action = "account.tokens.list"     // list own API tokens
	AccountTokensCreate   Action = "account.tokens.create"   // create an API token
	AccountTokensRevoke   Action = "account.tokens.revoke"   // revoke an API token
	AccountDelete         Action = "account.delete"          // ask for a deletion code, delete the account
	AccountExport         Action = "account.export"          // ask for, follow and download a personal export (#16)
)

// botAccountActions are the account actions an API token may perform. A
// token may read and tidy its owner's profile, but never mint or revoke
// credentials, end sessions or move the account to another address: a
// leaked token must not be able to entrench itself or lock the owner out.
var botAccountActions = map[Action]bool{
	AccountRead:   true,
	AccountUpdate: true,
}

// AccountActions lists every account action (for tests and docs).
func AccountActions() []Action {
	return []Action{AccountRead, AccountUpdate, AccountChangeEmail, AccountSetPassword, AccountSignOut,
		AccountSessionsList, AccountSessionsRevoke, AccountTokensList, AccountTokensCreate, AccountTokensRevoke, AccountDelete, AccountExport}
}

// Account decides whether a may perform action on the account of userID.
// Anonymous actors must sign in; nobody may act on someone else's account
// (answered as not found); bots are limited to botAccountActions; browser
// sessions may do everything on their own account.
func Account(a Actor, action Action, userID string) error {
	if err := RequireSelf(a, userID); err != nil {
		return err
	}
	switch a.Kind {
	case User:
		if a.SessionID == "" {
			return ErrSignIn
		}
		return nil
	case Bot:
		if a.TokenID != "" && botAccountActions[action] {
			return nil
		}
		return Forbidden("API tokens cannot do this; sign in with a browser session")
	default:
		return ErrSignIn
	}
}
