// Differential test data: runs every input line of inputs.jsonl (made by inputs.mjs, fixed seed)
// through Go 1.19's own code and writes go.jsonl, which test/template/differential.unit.test.ts
// compares jetpack's strings functions with. Not run by CI. Regenerate with:
//
//	node inputs.mjs > inputs.jsonl && GO111MODULE=off GOPATH=/usr/share/gocode go run main.go < inputs.jsonl > go.jsonl

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"github.com/Masterminds/sprig"
)

type in struct {
	F    string
	Args []interface{}
}

func main() {
	fm := sprig.GenericFuncMap()
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		var c in
		json.Unmarshal(sc.Bytes(), &c)
		f := reflect.ValueOf(fm[c.F])
		args := []reflect.Value{}
		for i, a := range c.Args {
			t := f.Type().In(i)
			if t.Kind() == reflect.Int {
				args = append(args, reflect.ValueOf(int(a.(float64))))
			} else {
				args = append(args, reflect.ValueOf(a))
			}
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					enc.Encode(map[string]string{"panic": fmt.Sprint(r)})
				}
			}()
			out := f.Call(args)
			// bytes as hex-free: use %q to keep invalid bytes visible
			enc.Encode(map[string]string{"out": fmt.Sprintf("%q", out[0].Interface())})
		}()
	}
}
