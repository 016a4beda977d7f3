// Command reference renders confd-style Go templates the way confd does, for the
// differential tests of the Python engine (tests/gotemplate/test_against_go.py).
//
// It is a test fixture, never part of the product. It reads a JSON array of cases from
// stdin:
//
//	[{"name": "n", "template": "{{getv \"/a\"}}", "keys": {"/a": "1"}, "env": {"X": "y"}}]
//
// and writes one JSON result per case, in order, to stdout:
//
//	[{"output": "1", "output_b64": "MQ==", "error": null, "phase": null}]
//
// Each case is rendered as confd's resource.go does it: template.New(name).Funcs(funcMap)
// then Parse(text) and Execute(buf, nil). The function map is confd's (template_funcs.go plus
// the memkv store functions, re-implemented in memkv/store.go and funcs.go) plus the project's
// backends(pattern). The keys are loaded into a fresh store per case with the key spelling
// confd gives them (path.Join("/", key)); env is set before the case (a null value unsets the
// variable) and restored afterwards.
//
// "output" is the rendered text (encoding/json replaces invalid UTF-8 with U+FFFD);
// "output_b64" is the exact bytes. On error "output" is "" (confd discards the partial
// output), "partial_b64" holds what Execute wrote before failing, "error" is Go's
// err.Error() and "phase" is "parse" or "exec".
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"text/template"

	"reference/memkv"
)

type Case struct {
	Name     string             `json:"name"`
	Template string             `json:"template"`
	Keys     map[string]string  `json:"keys"`
	Env      map[string]*string `json:"env"`
}

type Result struct {
	Output     string  `json:"output"`
	OutputB64  string  `json:"output_b64"`
	PartialB64 string  `json:"partial_b64,omitempty"`
	Error      *string `json:"error"`
	Phase      *string `json:"phase"`
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reference: reading stdin:", err)
		os.Exit(2)
	}
	var cases []Case
	if err := json.Unmarshal(input, &cases); err != nil {
		fmt.Fprintln(os.Stderr, "reference: bad input JSON:", err)
		os.Exit(2)
	}
	results := make([]Result, len(cases))
	for i, c := range cases {
		results[i] = runCase(c)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	if err := out.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "reference: writing output:", err)
		os.Exit(2)
	}
}

func fail(phase, message string, partial []byte) Result {
	r := Result{Error: &message, Phase: &phase}
	if len(partial) > 0 {
		r.PartialB64 = base64.StdEncoding.EncodeToString(partial)
	}
	return r
}

func runCase(c Case) (result Result) {
	restore := applyEnv(c.Env)
	defer restore()
	defer func() {
		// text/template recovers panics in called functions itself; this only catches
		// a bug in the fixture, reported as an error nobody can match by accident.
		if p := recover(); p != nil {
			result = fail("panic", fmt.Sprintf("REFERENCE PANIC: %v", p), nil)
		}
	}()

	store := memkv.New()
	for k, v := range c.Keys {
		// confd's setVars: store.Set(path.Join("/", strings.TrimPrefix(k, prefix)), v).
		store.Set(path.Join("/", k), v)
	}
	funcMap := newFuncMap()
	for name, fn := range store.FuncMap {
		funcMap[name] = fn
	}
	funcMap["backends"] = backendsFunc(store)

	tmpl, err := template.New(c.Name).Funcs(funcMap).Parse(c.Template)
	if err != nil {
		return fail("parse", err.Error(), nil)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, nil); err != nil {
		return fail("exec", err.Error(), buf.Bytes())
	}
	return Result{Output: buf.String(), OutputB64: base64.StdEncoding.EncodeToString(buf.Bytes())}
}

// applyEnv sets (or, for null, unsets) the case's variables and returns a function that puts
// the previous environment back.
func applyEnv(env map[string]*string) func() {
	type saved struct {
		value string
		ok    bool
	}
	old := make(map[string]saved, len(env))
	for name, value := range env {
		v, ok := os.LookupEnv(name)
		old[name] = saved{v, ok}
		if value == nil {
			os.Unsetenv(name)
		} else {
			os.Setenv(name, *value)
		}
	}
	return func() {
		for name, s := range old {
			if s.ok {
				os.Setenv(name, s.value)
			} else {
				os.Unsetenv(name)
			}
		}
	}
}
