package app_test

// The proxy voting routes in the authorization matrix (matrix_test.go).
// Every fixture group allows proxy voting (the hook below turns it on, and
// the baseline keeps it). The actor gives their proxy to T, a member; each
// case first undoes what a previous one left (the actor's standing proxy)
// or sets up what it takes back, through the core.

import (
	"net/url"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

func init() {
	matrixAreas = append(matrixAreas, proxyMatrix)
	fixtureHooks = append(fixtureHooks, proxyFixture)
}

func proxyFixture(w *world, f *fixture) {
	on := true
	g, err := w.a.Groups.Get(w.people["O"].ctx, f.id)
	w.pollMust(err, "get group")
	g, err = w.a.Groups.Update(w.people["O"].ctx, f.id, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}})
	w.pollMust(err, "enable proxy voting")
	f.flags = g.Permissions
}

// clearStanding takes back the actor's standing proxy in the case's group
// (a proxy for a poll is refused while it stands).
func clearStanding(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		if c.act.user != nil {
			_ = c.w.a.Decisions.RevokeProxy(c.act.user.ctx, c.f.id, "")
		}
		return b(c)
	}
}

// freshProxied is a fresh open poll in which the actor (when they may)
// already gave their proxy to T.
func freshProxied(c *cas) string {
	pid := freshOpen(c)
	if c.act.user != nil {
		_ = c.w.a.Decisions.RevokeProxy(c.act.user.ctx, c.f.id, "")
		_, _ = c.w.a.Decisions.GrantProxy(c.act.user.ctx, "", pid, c.w.people["T"].id)
	}
	return pid
}

// freshVotedFor is a fresh open poll in which T gave the actor (when they
// may hold it) their proxy and the actor voted for T with it.
func freshVotedFor(c *cas) string {
	pid := freshOpen(c)
	if c.act.user != nil {
		t := c.w.people["T"]
		_ = c.w.a.Decisions.RevokeProxy(c.act.user.ctx, c.f.id, "")
		_ = c.w.a.Decisions.RevokeProxy(t.ctx, c.f.id, "")
		if _, err := c.w.a.Decisions.GrantProxy(t.ctx, "", pid, c.act.user.id); err == nil {
			_, err = c.w.a.Decisions.Vote(c.act.user.ctx, pid, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "agree", Score: 1}}}, For: t.id})
			c.w.pollMust(err, "vote for T")
		}
	}
	return pid
}

func proxyMatrix() map[string]spec {
	// Reading one's proxies in a poll: whoever sees the poll (signed in).
	read := [4]string{"S A A A A A A A", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}
	// Giving one's proxy: members (and their bots on the API).
	give := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H F A H", "S H A A F F A H"}
	// Pages: Session routes refuse bearer tokens; anonymous visitors are
	// asked to sign in before anything is read.
	givePage := [4]string{"S F A A F F F F", "S F A A F F F F", "S H A A H F F F", "S H A A F F F F"}
	// Taking it back: who gave one; others see the poll but have none (404).
	revoke := [4]string{"S H A A H H A H", "S F A A F H A F", "S H A A H H A H", "S H A A F H A H"}
	revokePage := [4]string{"S H A A H H F F", "S F A A F H F F", "S H A A H H F F", "S H A A F H F F"}
	groupGive := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	// The group's proxies: whoever reads the group's content.
	groupRead := [4]string{"S A A A A A A A", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	groupRevoke := [4]string{"S H A A H H A H", "S H A A H H A H", "S H A A H H A H", "S H A A H H A H"}
	grantee := func(c *cas) string { return jsonOf(map[string]string{"grantee_id": c.w.people["T"].id}) }
	return map[string]spec{
		"GET /api/v1/polls/{pid}/proxy": {build: onPoll("poll", get("/api/v1/polls/{pid}/proxy")), grp: read, guest: true},
		"PUT /api/v1/polls/{pid}/proxy": {build: clearStanding(func(c *cas) call {
			return call{method: "PUT", path: "/api/v1/polls/" + freshOpen(c) + "/proxy", json: grantee(c)}
		}), grp: give, guest: true},
		"DELETE /api/v1/polls/{pid}/proxy": {build: freshPoll(api("DELETE", "/api/v1/polls/{pid}/proxy", ""), freshProxied), grp: revoke, guest: true},
		"GET /api/v1/groups/{id}/proxy":    {build: get("/api/v1/groups/{id}/proxy"), grp: groupRead},
		"PUT /api/v1/groups/{id}/proxy": {build: clearStanding(func(c *cas) call {
			return call{method: "PUT", path: c.sub("/api/v1/groups/{id}/proxy"), json: grantee(c)}
		}), grp: groupGive},
		"DELETE /api/v1/groups/{id}/proxy": {build: func(c *cas) call {
			if c.act.user != nil {
				_, _ = c.w.a.Decisions.GrantProxy(c.act.user.ctx, c.f.id, "", c.w.people["T"].id)
			}
			return call{method: "DELETE", path: c.sub("/api/v1/groups/{id}/proxy")}
		}, grp: groupRevoke},
		"POST /polls/{pid}/proxy": {build: clearStanding(func(c *cas) call {
			return call{method: "POST", path: "/polls/" + freshOpen(c) + "/proxy", form: url.Values{"grantee_id": {c.w.people["T"].id}, "scope": {"poll"}}}
		}), grp: givePage, guest: true},
		"POST /polls/{pid}/proxy/revoke": {build: freshPoll(page("/polls/{pid}/proxy/revoke"), freshProxied), grp: revokePage, guest: true},
		// The page of one's proxies: whoever reads the group's content.
		"GET /groups/{id}/proxies": {build: get("/groups/{id}/proxies"), grp: [4]string{"S A A A A A F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}},
		// Taking back a proxy from it (here: the one for a fresh poll).
		"POST /groups/{id}/proxies/revoke": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/groups/{id}/proxies/revoke"), form: url.Values{"poll": {freshProxied(c)}}}
		}, grp: [4]string{"S H A A H H F F", "S F A A F H F F", "S H A A H H F F", "S H A A F H F F"}},
		// Withdrawing the vote cast for T: who holds T's proxy (members).
		"POST /polls/{pid}/proxy/withdraw": {build: freshPoll(func(c *cas) call {
			return call{method: "POST", path: c.sub("/polls/{pid}/proxy/withdraw"), form: url.Values{"for": {c.w.people["T"].id}}}
		}, freshVotedFor), grp: givePage, guest: true},
	}
}
