// Renders every case of cases/*.json with Go's own text/template and Sprig 3.2.3, as Helm's
// pkg/engine renders a chart template (missingkey=zero, "<no value>" removed, Helm's function
// map: no env/expandenv, Helm's toYaml/fromYaml/toJson/fromJson/toToml/include/tpl/required/
// lookup), and writes expected/NAME.json beside them: each case's output or Go's error.
//
// Values are JSON with ints kept as int and other numbers as float64, as yaml.v3 gives
// mark-devkit's options. `now` is fixed (NOW below), as jetpack's is under SOURCE_DATE_EPOCH,
// and the local zone is UTC.
//
// Not run by CI. On Debian 12 (Go 1.19, Sprig 3.2.3 and its dependencies as packages):
//
//	apt-get install golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-github-burntsushi-toml-dev
//	cd test/template/golden && GO111MODULE=off GOPATH=/usr/share/gocode go run gen.go [-render-only N] [FILE...]
//
// Helm itself is not packaged by Debian: its functions and engine rules below are written
// from Helm 3's pkg/engine (engine.go, funcs.go).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// NOW is what `now` returns: SOURCE_DATE_EPOCH=1257894000 (2009-11-10 23:00:00 UTC).
var NOW = time.Unix(1257894000, 0)

// recursionMaxNums is Helm's bound on nested include calls of one name.
const recursionMaxNums = 1000

type caseFile struct {
	Values json.RawMessage `json:"values"`
	Cases  []tcase         `json:"cases"`
}

type tcase struct {
	Name      string          `json:"name"`
	Template  string          `json:"template"`
	Values    json.RawMessage `json:"values,omitempty"`
	Templates map[string]string `json:"templates,omitempty"`
}

type result struct {
	Name   string  `json:"name"`
	Output *string `json:"output,omitempty"`
	Error  string  `json:"error,omitempty"`
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

func decodeValues(raw json.RawMessage) map[string]interface{} {
	values := map[string]interface{}{}
	if len(raw) == 0 {
		return values
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&values); err != nil {
		panic(err)
	}
	return typed(values).(map[string]interface{})
}

// Helm's funcs.go.
func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(str string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toTOML(v interface{}) string {
	b := bytes.NewBuffer(nil)
	e := toml.NewEncoder(b)
	if err := e.Encode(v); err != nil {
		return err.Error()
	}
	return b.String()
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := make(map[string]interface{})
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(str string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// render parses and executes one case as Helm's engine does.
func render(name, text string, templates map[string]string, data map[string]interface{}) (string, error) {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["now"] = func() time.Time { return NOW }
	funcs["toToml"] = toTOML
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["fromJsonArray"] = fromJSONArray
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		} else if _, ok := val.(string); ok {
			if val == "" {
				return val, errors.New(warn)
			}
		}
		return val, nil
	}
	t := template.New("gotpl").Option("missingkey=zero")
	includedNames := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		if v, ok := includedNames[name]; ok {
			if v > recursionMaxNums {
				return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
			}
			includedNames[name]++
		} else {
			includedNames[name] = 1
		}
		err := t.ExecuteTemplate(&buf, name, data)
		includedNames[name]--
		return buf.String(), err
	}
	tplCount := 0
	funcs["tpl"] = func(text string, vals map[string]interface{}) (string, error) {
		tmpl, ok := vals["Template"].(map[string]interface{})
		if !ok {
			return "", fmt.Errorf("cannot retrieve Template.Name from values inside tpl function: %s", text)
		}
		tname, _ := tmpl["Name"].(string)
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		tplCount++
		if _, err := clone.New(tname).Parse(text); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		var buf strings.Builder
		if err := clone.ExecuteTemplate(&buf, tname, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	t.Funcs(funcs)
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := t.New(n).Parse(templates[n]); err != nil {
			return "", err
		}
	}
	if _, err := t.New(name).Parse(text); err != nil {
		return "", err
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

func helmData(values map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{
		"Values":   values,
		"Chart":    map[string]interface{}{"Name": "tpl", "Version": ""},
		"Release":  map[string]interface{}{"Name": "", "Namespace": "", "Service": "Helm", "IsInstall": false, "IsUpgrade": false, "Revision": 1},
		"Template": map[string]interface{}{"Name": "t.tpl", "BasePath": ""},
	}
}

func runFile(path string, out io.Writer) []result {
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var file caseFile
	if err := json.Unmarshal(raw, &file); err != nil {
		panic(fmt.Sprintf("%s: %v", path, err))
	}
	seen := map[string]bool{}
	var results []result
	for _, c := range file.Cases {
		if seen[c.Name] {
			panic(fmt.Sprintf("%s: two cases named %q", path, c.Name))
		}
		seen[c.Name] = true
		raw := file.Values
		if len(c.Values) > 0 {
			raw = c.Values
		}
		output, err := render("t.tpl", c.Template, c.Templates, helmData(decodeValues(raw)))
		r := result{Name: c.Name}
		if err != nil {
			r.Error = err.Error()
		} else {
			r.Output = &output
		}
		if out != nil {
			io.WriteString(out, output)
		}
		results = append(results, r)
	}
	return results
}

func main() {
	renderOnly := flag.Int("render-only", 0, "render every case N times, write nothing (the benchmark's Go side)")
	flag.Parse()
	time.Local = time.UTC
	files := flag.Args()
	if len(files) == 0 {
		files, _ = filepath.Glob("cases/*.json")
	}
	if *renderOnly > 0 {
		for i := 0; i < *renderOnly; i++ {
			for _, f := range files {
				runFile(f, io.Discard)
			}
		}
		return
	}
	total := 0
	for _, f := range files {
		results := runFile(f, nil)
		total += len(results)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			panic(err)
		}
		dst := filepath.Join("expected", filepath.Base(f))
		if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
			panic(err)
		}
	}
	fmt.Fprintf(os.Stderr, "%d cases in %d files\n", total, len(files))
}
