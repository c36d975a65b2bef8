//go:build ignore

// passwords_gen writes common_passwords.txt: passwords that attackers try
// first (the perennial top lists, keyboard walks, digit runs, words with the
// usual suffixes and leetspeak). Only entries Quorum's minimum length could
// admit (10+ characters) matter; shorter ones are rejected by length anyway.
// Run: go generate ./internal/account
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

var words = strings.Fields(`
password passw0rd p@ssword p@ssw0rd qwerty qwertz azerty letmein iloveyou welcome admin administrator login
dragon monkey football baseball basketball soccer hockey sunshine princess shadow master superman batman
trustno1 starwars whatever freedom michael jennifer jordan hunter ranger buster thomas tigger robert daniel
charlie andrew michelle jessica ashley amanda nicole matthew joshua anthony william sophie summer winter
spring autumn orange banana cheese chocolate cookie computer internet secret mustang harley ferrari porsche
corvette mercedes yankees cowboys eagles steelers lakers liverpool arsenal chelsea barcelona juventus
pokemon pikachu naruto minecraft fortnite roblox matrix killer hello hello123 flower lovely loveme
angel angels babygirl baby family friends forever blessed jesus heaven christ faith hope love lover
purple yellow silver golden diamond blue green black white red pepper ginger maggie buddy bailey daisy
lucky coffee qazwsx zxcvbn asdfgh asdfghjkl zxcvbnm qwertyuiop 1q2w3e4r 1qaz2wsx zaq12wsx abc123
abcdef abcdefg abcdefgh changeme default guest test tester testing user root toor access security
passpass mypassword yourpassword newpassword oldpassword temp temppass quorum loomio company office
london paris berlin madrid newyork chicago boston dallas houston toronto sydney melbourne
america canada england germany france spain italy mexico brazil india china japan russia
samsung iphone apple google facebook twitter linkedin microsoft windows android linux ubuntu
money dollar rich success winner champion victory power strong tiger lion eagle wolf bear shark
monday tuesday friday sunday january february march april june july august september october november december
`)

var suffixes = []string{"", "1", "12", "123", "1234", "12345", "123456", "!", "1!", "123!", "@123", "#1", "01", "007", "69", "99", "00",
	"2000", "2001", "2010", "2012", "2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026",
	"1990", "1985", "1980", "1995", "!!", "?", ".", "_1", "11", "22", "321", "4321", "54321", "000", "111", "777"}

func leet(s string) string {
	return strings.NewReplacer("a", "@", "o", "0", "e", "3", "i", "1", "s", "$").Replace(s)
}

func main() {
	set := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(s)
		if len(s) >= 10 && len(s) <= 64 {
			set[s] = true
		}
	}
	for _, w := range words {
		for _, base := range []string{w, w + w, leet(w), "my" + w, "ilove" + w} {
			for _, suf := range suffixes {
				add(base + suf)
			}
		}
	}
	// Digit runs, repeats and keyboard walks.
	digits := "0123456789012345678901234567"
	for n := 10; n <= 16; n++ {
		for i := 0; i < 10; i++ {
			add(digits[i : i+n])
		}
		for c := '0'; c <= '9'; c++ {
			add(strings.Repeat(string(c), n))
		}
		for c := 'a'; c <= 'z'; c++ {
			add(strings.Repeat(string(c), n))
		}
	}
	for _, rev := range []string{"9876543210", "09876543210", "987654321098"} {
		add(rev)
	}
	walks := []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "qazwsxedc", "1q2w3e4r5t", "1q2w3e4r5t6y",
		"q1w2e3r4t5", "zaq1xsw2cde3", "qwerty123", "qwertyuiop123", "asdfghjkl123", "poiuytrewq", "mnbvcxz", "lkjhgfdsa"}
	for _, w := range walks {
		for _, suf := range suffixes {
			add(w + suf)
		}
	}
	for _, p := range []string{"12341234", "123123", "112233", "121212", "123abc", "abc123", "a1b2c3", "aa11bb22"} {
		for _, q := range []string{p + p, p + p + p, p + "abc", p + "qwerty"} {
			add(q)
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	f, err := os.Create("common_passwords.txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	for _, s := range out {
		fmt.Fprintln(f, s)
	}
	fmt.Fprintln(os.Stderr, len(out), "passwords")
}
