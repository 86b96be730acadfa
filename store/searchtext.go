package store

import (
	"strings"
	"unicode"

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
	var b strings.Builder
	for _, chunk := range searchChunks(s) {
		for _, tok := range chunkTokens(chunk, nil) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(tok)
		}
	}
	return b.String()
}

// searchChunks returns the runs of word characters of s, NFKC-normalized
// and lower-cased: the words a person typed, before CJK runs are cut into
// pairs. 退款refund到账 is one chunk.
func searchChunks(s string) []string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

// chunkTokens appends to dst the tokens of one chunk, in order: each run
// of CJK characters as its overlapping pairs (one character alone as
// itself), each run of other word characters as one token.
func chunkTokens(chunk string, dst []string) []string {
	runes := []rune(chunk)
	for i := 0; i < len(runes); {
		j := i + 1
		cjk := isCJK(runes[i])
		for j < len(runes) && isCJK(runes[j]) == cjk {
			j++
		}
		switch {
		case !cjk || j-i == 1:
			dst = append(dst, string(runes[i:j]))
		default:
			for k := i; k+1 < j; k++ {
				dst = append(dst, string(runes[k:k+2]))
			}
		}
		i = j
	}
	return dst
}

// isWordRune reports whether r is part of a word: a letter, a digit (or
// other number) or a combining mark, as SQLite's tokenizer is told too.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isCJK reports whether r is written without spaces between words: Han,
// kana and Hangul, with the marks that belong to them (々 repeats a Han
// character, ー lengthens a kana).
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == '々' || r == 'ー'
}
