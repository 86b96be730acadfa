package store

import (
	"slices"
	"testing"
)

func TestSearchText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"Empty", "", ""},
		{"OnlyPunctuation", "!? ，。…", ""},
		{"ChineseWord", "退款", "退款"},
		{"ChineseRun", "退款到账", "退款 款到 到账"},
		{"ChineseSentence", "我要退款，钱什么时候到账？", "我要 要退 退款 钱什 什么 么时 时候 候到 到账"},
		{"LoneHan", "好", "好"},
		{"LoneHanBetweenPunctuation", "好。谢谢", "好 谢谢"},
		{"English", "Where is my Refund?", "where is my refund"},
		{"EnglishApostropheAndHyphen", "don't re-order", "don t re order"},
		{"Digits", "Order #12345, 3 items", "order 12345 3 items"},
		{"Mixed", "退款refund到账", "退款 refund 到账"},
		{"MixedDigits", "3月5日退款", "3 月 5 日退 退款"},
		{"FullWidth", "ＲＥＦＵＮＤ１２３", "refund123"},   // NFKC
		{"HalfWidthKatakana", "ｶﾀｶﾅ", "カタ タカ カナ"}, // NFKC to full width, then pairs
		{"Japanese", "東京へ行く", "東京 京へ へ行 行く"},
		{"JapaneseLongVowel", "コーヒー", "コー ーヒ ヒー"},
		{"Korean", "환불 요청", "환불 요청"},
		{"Accents", "Café naïve", "café naïve"},
		{"CombiningMark", "cafe\u0301", "café"},          // NFKC composes
		{"Devanagari", "नमस्ते दुनिया", "नमस्ते दुनिया"}, // marks stay in their word
		{"NUL", "a\x00b", "a b"},                         // PostgreSQL's text cannot hold it
		{"Spaces", "  退款\t\n refund  ", "退款 refund"},
		{"Emoji", "退款👍ok", "退款 ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SearchText(tc.in); got != tc.want {
				t.Fatalf("SearchText(%q)=%q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestSearchPhrases: a query's phrases are its words as typed, each becoming
// one phrase, so the pairs of one Chinese word must stand together.
func TestSearchPhrases(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want [][]string
	}{
		{"退款到账", [][]string{{"退款", "款到", "到账"}}},
		{"退款 到账", [][]string{{"退款"}, {"到账"}}},
		{"退款refund到账", [][]string{{"退款", "refund", "到账"}}},
		{"Refund, NOW", [][]string{{"refund"}, {"now"}}},
	} {
		p, err := PlanSearch(SearchQuery{Text: tc.in})
		if err != nil {
			t.Fatal(err)
		}
		got := p.Phrases
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Fatalf("phrases of %q=%q, want %q", tc.in, got, tc.want)
		}
	}
}
