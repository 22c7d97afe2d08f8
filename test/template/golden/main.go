// Renders the cases of cases.json with Go's own text/template, as Helm's engine does
// (missingkey=zero, every "<no value>" removed), and writes golden.json: the expected output
// or error of each. Values are JSON with ints kept as int and other numbers as float64, as
// yaml.v3 gives mark-devkit's options. Only text/template's builtins: no Sprig here (no module
// proxy on the machine that made them).
//
//	cd test/template/golden && go run main.go   (Go 1.19 made the committed golden.json)
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

type tcase struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Values   json.RawMessage `json:"values"`
}

type result struct {
	Name   string `json:"name"`
	Output string `json:"output,omitempty"`
	Error  bool   `json:"error,omitempty"`
}

func typed(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []interface{}:
		for i := range x {
			x[i] = typed(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = typed(x[k])
		}
		return x
	}
	return v
}

func main() {
	raw, err := os.ReadFile("cases.json")
	if err != nil {
		panic(err)
	}
	var cases []tcase
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	var out []result
	for _, c := range cases {
		var values interface{} = map[string]interface{}{}
		if len(c.Values) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Values))
			dec.UseNumber()
			if err := dec.Decode(&values); err != nil {
				panic(err)
			}
		}
		data := map[string]interface{}{"Values": typed(values)}
		r := result{Name: c.Name}
		t, err := template.New("t.tpl").Option("missingkey=zero").Parse(c.Template)
		if err == nil {
			var buf strings.Builder
			if err = t.Execute(&buf, data); err == nil {
				r.Output = strings.ReplaceAll(buf.String(), "<no value>", "")
			}
		}
		r.Error = err != nil
		out = append(out, r)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	os.WriteFile("golden.json", append(b, '\n'), 0o644)
}
