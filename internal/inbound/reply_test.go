package inbound

import "testing"

func TestExtractReplyText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Hello\n\nworld", "Hello\n\nworld"},
		{"gmail one line", "Yes\n\nOn Mon, Nov 23, 2026 at 6:40 PM Bob <bob@example.org> wrote:\n> hi", "Yes"},
		{"gmail wrapped 3 lines", "Yes\n\nOn Mon, Nov 23, 2026 at 6:40 PM Bob Example via Garden\nClub <r+abc@quorum.example.org>\nwrote:\n\n> hi", "Yes"},
		{"thunderbird en", "Yes\n\nOn 23/11/2026 18:40, Bob Example wrote:\n> hi", "Yes"},
		{"french", "Oui\n\nLe lun. 23 nov. 2026 à 18:40, Bob <bob@example.org> a écrit :\n> salut", "Oui"},
		{"french thunderbird", "Oui\n\nLe 23/11/2026 à 18:40, Bob a écrit :\n> salut", "Oui"},
		{"german thunderbird", "Ja\n\nAm 23.11.26 um 18:40 schrieb Bob Example:\n> hallo", "Ja"},
		{"spanish", "Sí\n\nEl lun., 23 nov. 2026 18:40, Bob <bob@example.org> escribió:\n> hola", "Sí"},
		{"dutch", "Ja\n\nOp ma 23 nov. 2026 om 18:40 schreef Bob <bob@example.org>:\n> hoi", "Ja"},
		{"japanese apple", "はい\n\n2026/11/23 18:40、Bob <bob@example.org>のメッセージ:\n> こんにちは", "はい"},
		{"japanese gmail", "はい\n\n2026年11月23日(月) 18:40 Bob <bob@example.org>:\n> こんにちは", "はい"},
		{"chinese gmail", "好\n\nBob <bob@example.org> 于2026年11月23日周一 18:40写道：\n> 你好", "好"},
		{"outlook underscores", "Fine\n\n________________________________\nFrom: Bob\nSent: Monday\nTo: x\nSubject: y\n\nhi", "Fine"},
		{"outlook german block", "Gut\n\nVon: Bob <bob@example.org>\nGesendet: Montag, 23. November 2026 18:40\nAn: Garten\nBetreff: Samstag\n\nhallo", "Gut"},
		{"outlook french block", "Bien\n\nDe : Bob <bob@example.org>\nEnvoyé : lundi 23 novembre 2026 18:40\nÀ : Jardin\nObjet : Samedi", "Bien"},
		{"outlook japanese block", "了解\n\n差出人: Bob <bob@example.org>\n送信日時: 2026年11月23日 18:40\n宛先: garden\n件名: 土曜日", "了解"},
		{"html2text bold block", "Ok\n\n*From:* Bob\n*Sent:* Monday\n*To:* x\n*Subject:* y", "Ok"},
		{"original message", "Ok\n\n-----Original Message-----\nFrom: Bob", "Ok"},
		{"ursprüngliche nachricht", "Ok\n\n-----Ursprüngliche Nachricht-----\nVon: Bob", "Ok"},
		{"signature dash dash space", "Body\n-- \nAlice\n555-1234", "Body"},
		{"signature dash dash", "Body\n--\nAlice", "Body"},
		{"iphone", "Ok\n\nSent from my iPhone", "Ok"},
		{"outlook mobile", "Ok\n\nGet Outlook for iOS", "Ok"},
		{"french iphone", "Ok\n\nEnvoyé de mon iPhone", "Ok"},
		{"german iphone", "Ok\n\nVon meinem iPhone gesendet", "Ok"},
		{"spanish iphone", "Ok\n\nEnviado desde mi iPhone", "Ok"},
		{"japanese iphone", "はい\n\niPhoneから送信", "はい"},
		{"trailing quote without header", "Agreed.\n\n> earlier text\n> more", "Agreed."},
		{"inline quotes kept", "> point one\nanswer one\n\n> point two\nanswer two", "> point one\nanswer one\n\n> point two\nanswer two"},
		{"prose starting with On", "On reflection I agree.\nOn Monday we plant.", "On reflection I agree.\nOn Monday we plant."},
		{"sent from prose kept", "The invoice was sent from the office yesterday.", "The invoice was sent from the office yesterday."},
		{"markdown rule kept", "Title\n---\n\ntext\n\n***\n\nmore", "Title\n---\n\ntext\n\n***\n\nmore"},
		{"names and lists kept", "I vote for Beta Option\n\nBeta Option\nGamma Ray", "I vote for Beta Option\n\nBeta Option\nGamma Ray"},
		{"greeting kept", "Sounds good to me.\n\nThanks,\nAlice", "Sounds good to me.\n\nThanks,\nAlice"},
		{"library: date header without colon", "Yes\n\n2013/11/1 John Smith <john@smith.org>\n\n> quoted", "Yes"},
		{"forward marker keeps content", "See below\n\nBegin forwarded message:\n\nFrom: Town <t@x.example>\nSubject: Permit\nDate: 23 November 2026\nTo: me\n\nApproved.", "See below\n\nBegin forwarded message:\n\nFrom: Town <t@x.example>\nSubject: Permit\nDate: 23 November 2026\nTo: me\n\nApproved."},
		{"forward inside quote is dropped", "Thanks!\n\nOn Mon, Nov 23, 2026 at 6:40 PM Bob <bob@example.org> wrote:\n> ---------- Forwarded message ---------\n> hi", "Thanks!"},
		{"crlf and nbsp", "Yes\r\n\r\nOn\u00a0Mon, Nov 23, 2026 at 6:40 PM Bob <bob@example.org> wrote:\r\n> hi", "Yes"},
		{"only quote", "On Mon, Nov 23, 2026 at 6:40 PM Bob <bob@example.org> wrote:\n> hi", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		if got := ExtractReplyText(c.in, false); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	// A forward subject keeps Outlook header blocks (Outlook forwards have no marker).
	in := "FYI\n\n________________________________\nFrom: Town <t@x.example>\nSent: Monday\nTo: me\nSubject: Permit\n\nApproved."
	if got := ExtractReplyText(in, true); got != in {
		t.Errorf("outlook forward: %q", got)
	}
	in = "FYI\n\nFrom: Town <t@x.example>\nSent: Monday\nTo: me\nSubject: Permit\n\nApproved."
	if got := ExtractReplyText(in, true); got != in {
		t.Errorf("forward subject: %q", got)
	}
	if !isForwardSubject("Fwd: x") || !isForwardSubject("WG: x") || !isForwardSubject("Re: FW: x") || isForwardSubject("Re: forward planning") {
		t.Error("isForwardSubject")
	}
}
