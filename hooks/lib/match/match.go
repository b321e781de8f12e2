// Package match ranks short texts against a query with SQLite's full-text search (FTS5, in a
// private in-memory database): the specialties and past work of engineers and teams against a
// challenge, or the open challenges against what a person knows. Chinese has no spaces between
// words, so the text is cut into n-grams: with Bigrams (the default) every two neighbouring
// Chinese characters are a term and FTS5's unicode61 tokenizer indexes them, so 焊接 or 抛光 match
// as a reader expects; with Trigrams FTS5's own trigram tokenizer indexes the raw text, which
// needs three characters in common (热处理 matches, 加工 does not). Latin words (CAE, AR, IATF)
// are terms whole, case folded. Ranking is FTS5's BM25, with a weight per column.
package match

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"unicode"

	_ "modernc.org/sqlite" // the "sqlite" driver, also PocketBase's
)

// Tokenizer says how text is cut into terms.
type Tokenizer int

// The tokenizers.
const (
	Bigrams  Tokenizer = iota // two-character terms of Chinese, unicode61
	Trigrams                  // FTS5's trigram tokenizer on the raw text
)

func (t Tokenizer) String() string {
	if t == Trigrams {
		return "trigrams"
	}
	return "bigrams"
}

// Column is a part of every document, weighed by Weight in the ranking.
type Column struct {
	Name   string
	Weight float64
}

// Index holds documents for one ranking. It is made, filled, searched and closed within one
// request: the enclave's candidates are hundreds, indexed in milliseconds.
type Index struct {
	db   *sql.DB
	cols []Column
	tok  Tokenizer
}

// MaxQueryTerms bounds the terms a query is cut into: a challenge's whole problem statement is
// long, and its first terms (title and keywords come first) say the most.
const MaxQueryTerms = 300

// New makes an empty index of documents with the columns cols.
func New(cols []Column, tok Tokenizer) (*Index, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // every connection to :memory: is a database of its own
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	tokenize := "unicode61"
	if tok == Trigrams {
		tokenize = "trigram"
	}
	if _, err := db.Exec(fmt.Sprintf(`CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, %s, tokenize = '%s')`,
		strings.Join(names, ", "), tokenize)); err != nil {
		db.Close()
		return nil, err
	}
	return &Index{db: db, cols: cols, tok: tok}, nil
}

// Close frees the index.
func (x *Index) Close() error { return x.db.Close() }

// Add indexes a document: one value per column.
func (x *Index) Add(id string, values ...string) error {
	if len(values) != len(x.cols) {
		return fmt.Errorf("match: %d values for %d columns", len(values), len(x.cols))
	}
	args := []any{id}
	for _, v := range values {
		if x.tok == Bigrams {
			v = strings.Join(terms(v, 2), " ")
		}
		args = append(args, v)
	}
	_, err := x.db.Exec(`INSERT INTO docs VALUES (?`+strings.Repeat(", ?", len(values))+`)`, args...)
	return err
}

// Hit is a document that matches, with its score: higher is better, 1 for the best of a search.
type Hit struct {
	ID    string
	Score float64
}

// Search returns the documents that share a term with query, best first, at most limit.
func (x *Index) Search(query string, limit int) ([]Hit, error) {
	n := 2
	if x.tok == Trigrams {
		n = 3
	}
	qs := terms(query, n)
	if len(qs) > MaxQueryTerms {
		qs = qs[:MaxQueryTerms]
	}
	if len(qs) == 0 {
		return nil, nil
	}
	for i, t := range qs {
		qs[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	weights := ""
	for _, c := range x.cols {
		weights += fmt.Sprintf(", %g", c.Weight)
	}
	rows, err := x.db.Query(`SELECT id, bm25(docs, 0`+weights+`) AS rank FROM docs WHERE docs MATCH ? ORDER BY rank, id LIMIT ?`,
		strings.Join(qs, " OR "), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.ID, &h.Score); err != nil {
			return nil, err
		}
		h.Score = -h.Score // BM25 in FTS5 is negative, lower is better
		hits = append(hits, h)
	}
	if len(hits) > 0 && hits[0].Score > 0 {
		top := hits[0].Score
		for i := range hits {
			hits[i].Score /= top
		}
	}
	return hits, rows.Err()
}

// Scores is the score of every document that matches query, by id.
func (x *Index) Scores(query string) (map[string]float64, error) {
	hits, err := x.Search(query, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	scores := make(map[string]float64, len(hits))
	for _, h := range hits {
		scores[h.ID] = h.Score
	}
	return scores, nil
}

// stopTerms are two-character terms that every need and every team writes (需要, 团队, 优化…):
// they say nothing of fit and are not indexed or searched.
var stopTerms = map[string]bool{"需要": true, "团队": true, "成都": true, "大足": true, "高校": true, "企业": true,
	"优化": true, "提高": true, "方案": true, "问题": true, "研发": true, "共建": true, "进行": true, "相关": true,
	"实现": true, "提出": true, "针对": true, "工程": true, "程师": true}

// terms cuts text into its distinct terms in order: n-grams of each run of Chinese characters (a
// shorter run is a term whole) and each Latin word or number, lower case; stopTerms left out.
func terms(text string, n int) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if t != "" && !seen[t] && !stopTerms[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, run := range runs(text) {
		r := []rune(run)
		if !unicode.Is(unicode.Han, r[0]) || len(r) <= n {
			add(run)
			continue
		}
		for i := 0; i+n <= len(r); i++ {
			add(string(r[i : i+n]))
		}
	}
	return out
}

// runs splits text into runs of Chinese characters and of Latin letters and digits (lower case).
func runs(text string) []string {
	var out []string
	var cur []rune
	han := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, c := range strings.ToLower(text) {
		switch isHan := unicode.Is(unicode.Han, c); {
		case isHan || unicode.IsLetter(c) || unicode.IsDigit(c):
			if len(cur) > 0 && isHan != han {
				flush()
			}
			han = isHan
			cur = append(cur, c)
		default:
			flush()
		}
	}
	flush()
	return out
}

// Shared returns the pieces of text that a search for query found in it, in their order: runs
// of shared two-character terms grown into words (热处 + 处理 = 热处理) and shared Latin words.
// It says why a document matched, in the document's own words.
func Shared(text, query string) []string {
	q := map[string]bool{}
	for _, t := range terms(query, 2) {
		q[t] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, run := range runs(text) {
		r := []rune(run)
		if !unicode.Is(unicode.Han, r[0]) || len(r) <= 2 {
			if q[run] && !seen[run] {
				seen[run] = true
				out = append(out, run)
			}
			continue
		}
		start, end := -1, -1 // the piece being grown: runes [start, end)
		emit := func() {
			if start >= 0 && !seen[string(r[start:end])] {
				seen[string(r[start:end])] = true
				out = append(out, string(r[start:end]))
			}
			start = -1
		}
		for i := 0; i+2 <= len(r); i++ {
			if !q[string(r[i:i+2])] {
				continue
			}
			if start >= 0 && i < end {
				end = i + 2
				continue
			}
			emit()
			start, end = i, i+2
		}
		emit()
	}
	return out
}
