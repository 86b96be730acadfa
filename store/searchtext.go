package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// How search splits text into words (issue 19, docs/extras-plan.md §3,
// docs/operations.md "Search"). Chinese has no spaces between words and
// most of its words are two characters, so a run of Chinese (or Japanese,
// or Korean) characters is indexed as its overlapping pairs: 退款到账 is
// 退款 款到 到账, and the query 退款 is one of them. A run of one such
// character is kept as itself. Other text is split into words at anything
// that is not a letter, digit or mark. The same function serves the index
// and the query, in both stores, so what the store's own tokenizer sees
// (SQLite FTS5's unicode61, PostgreSQL's 'simple' configuration) is already
// words separated by single spaces.

// SearchText returns s as the search index keeps it: NFKC-normalized,
// lower-cased, its words separated by single spaces, each run of CJK
// characters replaced by its overlapping pairs.
func SearchText(s string) string {
	s = searchNormal(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/2) // a CJK run's pairs hold each character twice
	eachToken(s, func(tok string, _ bool) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok)
	})
	return b.String()
}

// searchNormal returns s NFKC-normalized and lower-cased: the form the
// index and the queries are split from.
func searchNormal(s string) string {
	return strings.ToLower(norm.NFKC.String(s))
}

// searchWords returns the runs of word characters of s, a searchNormal
// string: the words a person typed, before CJK runs are cut into pairs.
// 退款refund到账 is one word.
func searchWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

// eachToken calls yield with each token of s, a searchNormal string, in
// order: each run of CJK characters as its overlapping pairs (one
// character alone as itself), each run of other word characters whole.
// first is true for the first token of each of searchWords's words. The
// tokens are substrings of s.
func eachToken(s string, yield func(tok string, first bool)) {
	var (
		runStart  = -1 // byte offset of the current run's first rune; -1: none
		prevStart int  // and of the run's last rune so far
		runCJK    bool
		first     = true
	)
	emit := func(tok string) {
		yield(tok, first)
		first = false
	}
	end := func(at int) { // the run, if any, ends at byte at
		if runStart >= 0 && (!runCJK || prevStart == runStart) {
			emit(s[runStart:at])
		}
		runStart = -1
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch cjk := isCJK(r); {
		case !isWordRune(r):
			end(i)
			first = true
		case runStart >= 0 && cjk == runCJK:
			if cjk {
				emit(s[prevStart : i+size])
			}
		default:
			end(i)
			runStart, runCJK = i, cjk
		}
		prevStart = i
		i += size
	}
	end(len(s))
}

// isWordRune reports whether r is part of a word: a letter, a digit (or
// other number) or a combining mark, as SQLite's tokenizer is told too.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isCJK reports whether r is written without spaces between words: Han,
// kana and Hangul, with the marks that belong to them (々 repeats a Han
// character, ー lengthens a kana). None of them is below U+1100, where
// Hangul begins.
func isCJK(r rune) bool {
	return r >= 0x1100 && (unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == '々' || r == 'ー')
}
