package search

import (
	"testing"
)

// findsIn indexes one thread with text in a group and searches for query.
func findsIn(t *testing.T, text, query string, prefix bool, langs ...string) bool {
	t.Helper()
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Topic", desc: text, author: "alice"})
	f.sync()
	res := f.search(member("g1"), Query{Text: query, Prefix: prefix, Languages: langs})
	return len(res.Hits) == 1
}

func TestStemmingEnglish(t *testing.T) {
	text := "We made decisions about the recycling bins and the meetings."
	for _, q := range []string{"decision", "decisions", "bin", "recycled", "meeting", "Recycle BINS"} {
		if !findsIn(t, text, q, false, "en") {
			t.Errorf("%q does not find %q", q, text)
		}
	}
	for _, q := range []string{"the", "about the"} { // stop words only: no query
		if findsIn(t, text, q, false, "en") {
			t.Errorf("stop words %q matched", q)
		}
	}
	if findsIn(t, text, "garden", false, "en") {
		t.Error("a word that is not there matched")
	}
}

func TestStemmingGerman(t *testing.T) {
	text := "Wir haben die Entscheidungen über die Mülltonnen getroffen und das ist gut so."
	for _, q := range []string{"Entscheidung", "entscheidungen", "Mülltonne", "mulltonne", "Mülltonnen"} {
		// The group's content is German: the query is analysed in German
		// too, whatever the searcher's interface language.
		if !findsIn(t, text, q, false, "en") {
			t.Errorf("%q does not find the German text", q)
		}
	}
	if findsIn(t, text, "die", false, "de") {
		t.Error("a German stop word matched")
	}
}

func TestEveryInterfaceLanguageStems(t *testing.T) {
	cases := []struct{ lang, text, query string }{
		{"en", "The committee made two decisions and many meetings were held about it.", "decision"},
		{"de", "Wir haben die Abstimmungen für das neue Jahr und die Kasse gemacht.", "Abstimmung"},
		{"es", "Hemos tomado las decisiones sobre los contenedores de la calle y de la plaza.", "contenedor"},
		{"fr", "Nous avons pris les décisions sur les poubelles de la rue et de la place.", "poubelle"},
		{"it", "Abbiamo preso le decisioni sui bidoni della strada e della piazza.", "bidone"},
		{"nl", "Wij hebben de beslissingen over de afvalbakken in het park en de straat genomen.", "beslissing"},
		{"pt", "Nós tomamos as decisões sobre as lixeiras da rua e da praça para o ano.", "lixeira"},
		{"ar", "اتخذنا القرارات في الاجتماع من أجل الحي و من أجل المدينة", "قرار"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			if got := analyzer(t).Detect(c.text, "en"); got != c.lang {
				t.Errorf("detected %s, want %s", got, c.lang)
			}
			if !findsIn(t, c.text, c.query, false, c.lang) {
				t.Errorf("%q does not find %q", c.query, c.text)
			}
		})
	}
}

func TestAccentInsensitive(t *testing.T) {
	cases := []struct{ text, query string }{
		{"Nous avons pris une décision pour le café du village et la fête.", "decision"},
		{"Nous avons pris une decision pour le cafe du village et la fete.", "décision"},
		{"Un café con leche para la reunión del martes en la plaza.", "reunion"},
		{"Die Straße wird gesperrt, und die Mülltonnen werden geleert.", "strasse"},
		{"Eine Übersicht über alle Straßen und die Mülltonnen in der Stadt.", "Ubersicht"},
	}
	for _, c := range cases {
		if !findsIn(t, c.text, c.query, false) {
			t.Errorf("%q does not find %q", c.query, c.text)
		}
	}
}

func TestPrefixMatchingForSearchAsYouType(t *testing.T) {
	text := "Our decisions about recycling and the Entscheidungen of the committee."
	for _, q := range []string{"recyc", "decisi", "committ", "Entschei", "about recy"} {
		if !findsIn(t, text, q, true) {
			t.Errorf("prefix %q does not find the text", q)
		}
		if findsIn(t, text, q+"zz", true) {
			t.Errorf("prefix %q matched", q+"zz")
		}
	}
	if findsIn(t, text, "recyc", false) {
		t.Error("without Prefix a partial word matched")
	}
	if findsIn(t, text, "recyc ", true) {
		t.Error("a word followed by a space is complete, not a prefix")
	}
}

func TestParseQueryBoundsWords(t *testing.T) {
	a := analyzer(t)
	q := a.ParseQuery("one two three four five six seven eight nine ten eleven", []string{"en"}, false)
	if len(q) != maxQueryTokens {
		t.Fatalf("got %d words, want %d", len(q), maxQueryTokens)
	}
}
