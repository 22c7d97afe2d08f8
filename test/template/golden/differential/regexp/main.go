// Differential test data: runs every input line of inputs.jsonl (made by inputs.mjs, fixed seed)
// through Go 1.19's own code and writes go.jsonl, which test/template/differential.unit.test.ts
// compares jetpack's regexp functions with. Not run by CI. Regenerate with:
//
//	node inputs.mjs > inputs.jsonl && GO111MODULE=off GOPATH=/usr/share/gocode go run main.go < inputs.jsonl > go.jsonl

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

type in struct {
	P, S, R string
	N       int
}
type out struct {
	Err   string
	Match bool
	Find  string
	All   []string
	AllNil bool
	Repl  string
	Lit   string
	Split []string
	SplitNil bool
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		var c in
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil { panic(err) }
		re, err := regexp.Compile(c.P)
		if err != nil { enc.Encode(out{Err: err.Error()}); continue }
		all := re.FindAllString(c.S, c.N)
		sp := re.Split(c.S, c.N)
		enc.Encode(out{Match: re.MatchString(c.S), Find: re.FindString(c.S), All: all, AllNil: all == nil, Repl: re.ReplaceAllString(c.S, c.R), Lit: re.ReplaceAllLiteralString(c.S, c.R), Split: sp, SplitNil: sp == nil})
	}
	_ = fmt.Sprint
}
