// Differential test data: runs every input line of inputs.jsonl (made by inputs.mjs, fixed seed)
// through Go 1.19's own code and writes go.jsonl, which test/template/differential.unit.test.ts
// compares jetpack's url functions with. Not run by CI. Regenerate with:
//
//	node inputs.mjs > inputs.jsonl && GO111MODULE=off GOPATH=/usr/share/gocode go run main.go < inputs.jsonl > go.jsonl

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/Masterminds/sprig"
)

func main() {
	fm := sprig.GenericFuncMap()
	parse := fm["urlParse"].(func(string) map[string]interface{})
	join := fm["urlJoin"].(func(map[string]interface{}) string)
	sc := bufio.NewScanner(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		var s string
		json.Unmarshal(sc.Bytes(), &s)
		func() {
			defer func() {
				if r := recover(); r != nil {
					enc.Encode(map[string]interface{}{"panic": fmt.Sprint(r)})
				}
			}()
			d := parse(s)
			j := join(d)
			enc.Encode(map[string]interface{}{"d": fmt.Sprintf("%q", fmt.Sprint(d)), "j": fmt.Sprintf("%q", j)})
		}()
	}
}
