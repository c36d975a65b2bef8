package votes

import (
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// vocabulary is what a voter may write, in one language, instead of an
// option's label or number: words for the preset options (their translated
// label first, as the poll emails show it), the meeting answers, and "none
// of the above". A reply is read with English and the voter's own language
// (see words); spelling is compared after fold, so case and accents do not
// matter ("dafur" = "Dafür", "nao" = "não").
type vocabulary struct {
	options map[string][]string // preset option id → words
	meeting map[int][]string    // poll.MeetingYes/No/Maybe → words
	none    []string
}

// vocabularies holds one vocabulary per supported language. The first word
// of each option is the catalog's translation of the label
// (internal/i18n locales, key poll.option.<id>); TestVocabularyHasCatalogLabels
// fails when the two drift apart.
var vocabularies = map[lang.Lang]vocabulary{
	lang.English: {
		options: map[string][]string{
			poll.OptionAgree:     {"agree", "agreed", "i agree", "yes", "y", "+1", "👍", "ok", "okay", "approve", "support", "in favour", "in favor", "for"},
			poll.OptionDisagree:  {"disagree", "i disagree", "no", "n", "-1", "👎", "against", "oppose"},
			poll.OptionAbstain:   {"abstain", "abstention", "i abstain", "pass", "neutral", "stand aside"},
			poll.OptionBlock:     {"block", "veto", "i block"},
			poll.OptionConsent:   {"consent", "i consent", "yes", "y", "agree", "+1", "ok"},
			poll.OptionObjection: {"objection", "object", "i object", "no"},
			poll.OptionAccept:    {"accept", "yes", "y", "in", "count me in", "i'm in", "im in", "+1"},
			poll.OptionDecline:   {"decline", "no", "n", "out", "count me out"},
			poll.OptionLooksGood: {"looks good", "lgtm", "yes", "y", "good", "ok", "+1", "👍"},
			poll.OptionNotSure:   {"not sure", "unsure", "maybe", "?", "dunno", "don't know"},
			poll.OptionConcerned: {"concerned", "concern", "worried", "no", "-1"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"yes", "y", "ok", "✓", "✔", "2", "+"},
			poll.MeetingNo:    {"no", "n", "0", "-", "x", "✗"},
			poll.MeetingMaybe: {"maybe", "m", "?", "perhaps", "1", "~"},
		},
		none: []string{"none of the above", "none", "neither"},
	},
	lang.German: {
		options: map[string][]string{
			poll.OptionAgree:     {"Zustimmen", "ja", "dafür", "ich bin dafür", "stimme zu", "ich stimme zu", "zustimmung", "einverstanden"},
			poll.OptionDisagree:  {"Ablehnen", "nein", "dagegen", "ich bin dagegen", "lehne ab", "ich lehne ab", "ablehnung"},
			poll.OptionAbstain:   {"Enthalten", "enthaltung", "ich enthalte mich", "neutral"},
			poll.OptionBlock:     {"Blockieren", "veto", "ich blockiere"},
			poll.OptionConsent:   {"Einverstanden", "ja", "zustimmung", "dafür"},
			poll.OptionObjection: {"Einwand", "nein", "ich habe einen einwand"},
			poll.OptionAccept:    {"Zusagen", "ja", "bin dabei", "ich bin dabei", "dabei", "zusage"},
			poll.OptionDecline:   {"Absagen", "nein", "bin nicht dabei", "absage"},
			poll.OptionLooksGood: {"Sieht gut aus", "ja", "gut", "passt"},
			poll.OptionNotSure:   {"Unsicher", "weiß nicht", "weiss nicht", "ich weiß nicht", "vielleicht"},
			poll.OptionConcerned: {"Bedenken", "nein", "ich habe bedenken", "besorgt"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"ja"},
			poll.MeetingNo:    {"nein"},
			poll.MeetingMaybe: {"vielleicht", "evtl", "eventuell"},
		},
		none: []string{"keine der Optionen", "keine", "keines", "keiner"},
	},
	lang.Spanish: {
		options: map[string][]string{
			poll.OptionAgree:     {"De acuerdo", "sí", "estoy de acuerdo", "a favor", "vale"},
			poll.OptionDisagree:  {"En desacuerdo", "no", "no estoy de acuerdo", "en contra"},
			poll.OptionAbstain:   {"Abstención", "me abstengo", "abstenerse"},
			poll.OptionBlock:     {"Bloquear", "bloqueo", "veto"},
			poll.OptionConsent:   {"Consiento", "sí", "consentimiento"},
			poll.OptionObjection: {"Objeción", "no", "me opongo"},
			poll.OptionAccept:    {"Aceptar", "sí", "acepto", "cuenta conmigo"},
			poll.OptionDecline:   {"Rechazar", "no", "rechazo", "no cuentes conmigo"},
			poll.OptionLooksGood: {"Me parece bien", "sí", "bien", "vale"},
			poll.OptionNotSure:   {"No estoy seguro", "no estoy segura", "no sé", "quizás", "tal vez"},
			poll.OptionConcerned: {"Me preocupa", "no", "preocupado", "preocupada"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"sí"},
			poll.MeetingNo:    {"no"},
			poll.MeetingMaybe: {"quizás", "tal vez", "quizá"},
		},
		none: []string{"ninguna de las anteriores", "ninguno de los anteriores", "ninguna", "ninguno"},
	},
	lang.French: {
		options: map[string][]string{
			poll.OptionAgree:     {"D’accord", "oui", "je suis d'accord", "pour", "ok"},
			poll.OptionDisagree:  {"Pas d’accord", "non", "je ne suis pas d'accord", "contre"},
			poll.OptionAbstain:   {"Abstention", "je m'abstiens", "abstiens"},
			poll.OptionBlock:     {"Bloquer", "veto", "je bloque"},
			poll.OptionConsent:   {"Consentement", "oui", "je consens"},
			poll.OptionObjection: {"Objection", "non", "je m'oppose"},
			poll.OptionAccept:    {"Accepter", "oui", "j'accepte", "j'en suis"},
			poll.OptionDecline:   {"Refuser", "non", "je refuse", "sans moi"},
			poll.OptionLooksGood: {"Ça me va", "oui", "ça va", "bien"},
			poll.OptionNotSure:   {"Pas sûr", "pas sûre", "je ne sais pas", "peut-être"},
			poll.OptionConcerned: {"Inquiet", "non", "inquiète", "préoccupé", "préoccupée"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"oui"},
			poll.MeetingNo:    {"non"},
			poll.MeetingMaybe: {"peut-être", "peut-etre"},
		},
		none: []string{"aucune des options", "aucune", "aucun"},
	},
	lang.Italian: {
		options: map[string][]string{
			poll.OptionAgree:     {"D’accordo", "sì", "sono d'accordo", "favorevole", "a favore"},
			poll.OptionDisagree:  {"In disaccordo", "no", "non sono d'accordo", "contrario", "contraria", "contro"},
			poll.OptionAbstain:   {"Astensione", "mi astengo", "astenuto", "astenuta"},
			poll.OptionBlock:     {"Bloccare", "blocco", "veto"},
			poll.OptionConsent:   {"Consenso", "sì", "acconsento"},
			poll.OptionObjection: {"Obiezione", "no", "mi oppongo"},
			poll.OptionAccept:    {"Accettare", "sì", "accetto", "ci sono"},
			poll.OptionDecline:   {"Rifiutare", "no", "rifiuto", "non ci sono"},
			poll.OptionLooksGood: {"Mi sembra buono", "sì", "va bene", "mi va bene", "bene"},
			poll.OptionNotSure:   {"Non sono sicuro", "non sono sicura", "non so", "forse"},
			poll.OptionConcerned: {"Preoccupato", "no", "preoccupata"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"sì"},
			poll.MeetingNo:    {"no"},
			poll.MeetingMaybe: {"forse"},
		},
		none: []string{"nessuna delle precedenti", "nessuna", "nessuno"},
	},
	lang.Dutch: {
		options: map[string][]string{
			poll.OptionAgree:     {"Eens", "ja", "mee eens", "akkoord", "voor", "ik ben voor"},
			poll.OptionDisagree:  {"Oneens", "nee", "niet mee eens", "tegen", "ik ben tegen"},
			poll.OptionAbstain:   {"Onthouden", "onthouding", "ik onthoud me", "blanco"},
			poll.OptionBlock:     {"Blokkeren", "veto", "ik blokkeer"},
			poll.OptionConsent:   {"Instemming", "ja", "akkoord", "ik stem in"},
			poll.OptionObjection: {"Bezwaar", "nee", "ik heb bezwaar"},
			poll.OptionAccept:    {"Accepteren", "ja", "ik doe mee", "ik ben erbij"},
			poll.OptionDecline:   {"Afwijzen", "nee", "ik doe niet mee"},
			poll.OptionLooksGood: {"Ziet er goed uit", "ja", "goed", "prima"},
			poll.OptionNotSure:   {"Weet ik niet", "weet niet", "twijfel", "misschien"},
			poll.OptionConcerned: {"Bezorgd", "nee", "zorgen", "ik heb zorgen"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"ja"},
			poll.MeetingNo:    {"nee"},
			poll.MeetingMaybe: {"misschien"},
		},
		none: []string{"geen van de opties", "geen van beide", "geen"},
	},
	lang.Portuguese: {
		options: map[string][]string{
			poll.OptionAgree:     {"Concordo", "sim", "de acordo", "a favor"},
			poll.OptionDisagree:  {"Discordo", "não", "não concordo", "contra"},
			poll.OptionAbstain:   {"Abstenção", "abstenho-me", "me abstenho"},
			poll.OptionBlock:     {"Bloquear", "bloqueio", "veto"},
			poll.OptionConsent:   {"Consentimento", "sim", "consinto"},
			poll.OptionObjection: {"Objeção", "não", "oponho-me"},
			poll.OptionAccept:    {"Aceitar", "sim", "aceito", "conta comigo"},
			poll.OptionDecline:   {"Recusar", "não", "recuso"},
			poll.OptionLooksGood: {"Parece-me bem", "sim", "parece bem", "bem"},
			poll.OptionNotSure:   {"Não tenho a certeza", "não tenho certeza", "não sei", "talvez"},
			poll.OptionConcerned: {"Preocupado", "não", "preocupada"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"sim"},
			poll.MeetingNo:    {"não"},
			poll.MeetingMaybe: {"talvez"},
		},
		none: []string{"nenhuma das anteriores", "nenhum dos anteriores", "nenhuma", "nenhum"},
	},
	lang.Arabic: {
		options: map[string][]string{
			poll.OptionAgree:     {"موافق", "نعم", "أوافق", "موافقة"},
			poll.OptionDisagree:  {"غير موافق", "لا", "لا أوافق", "غير موافقة"},
			poll.OptionAbstain:   {"ممتنع", "أمتنع", "امتناع", "ممتنعة"},
			poll.OptionBlock:     {"اعتراض مانع", "فيتو"},
			poll.OptionConsent:   {"موافقة", "نعم", "أوافق"},
			poll.OptionObjection: {"اعتراض", "لا", "أعترض"},
			poll.OptionAccept:    {"قبول", "نعم", "أقبل"},
			poll.OptionDecline:   {"رفض", "لا", "أرفض"},
			poll.OptionLooksGood: {"يبدو جيدًا", "نعم", "جيد"},
			poll.OptionNotSure:   {"لست متأكدًا", "لست متأكدة", "لا أعرف", "ربما"},
			poll.OptionConcerned: {"لديّ مخاوف", "لا", "قلق", "قلقة"},
		},
		meeting: map[int][]string{
			poll.MeetingYes:   {"نعم"},
			poll.MeetingNo:    {"لا"},
			poll.MeetingMaybe: {"ربما"},
		},
		none: []string{"لا شيء مما سبق", "لا شيء"},
	},
}

// languages are the vocabularies a reply from a voter writing in l is read
// with: English, and l when it is another supported language.
func languages(l lang.Lang) []vocabulary {
	out := []vocabulary{vocabularies[lang.English]}
	if l != lang.English && l.Valid() {
		out = append(out, vocabularies[l])
	}
	return out
}

// optionWords are the words for preset option id in the voter's languages.
func optionWords(l lang.Lang, id string) []string {
	var out []string
	for _, v := range languages(l) {
		out = append(out, v.options[id]...)
	}
	return out
}

// translatedLabel is the catalog label of preset option id in l ("" for an
// option people typed, or English).
func translatedLabel(l lang.Lang, id string) string {
	if l == lang.English || !l.Valid() {
		return ""
	}
	if w := vocabularies[l].options[id]; len(w) > 0 {
		return w[0]
	}
	return ""
}
