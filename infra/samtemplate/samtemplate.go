// Package samtemplate reads template.yaml, the single source of the deployed functions and
// their HTTP routes. It reads the few properties it needs with yaml.v3 (goformation's typed
// model of all of CloudFormation cost 48 s of every cold race build for the same four
// fields); only the local server and tests link it, never a function.
package samtemplate

import (
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Function is one AWS::Serverless::Function.
type Function struct {
	LogicalID   string
	CodeURI     string // functions/<name>/
	BuildMethod string // Metadata.BuildMethod: "makefile" for all of ours
	Routes      []Route
	// Env names the environment variables the function is deployed with: its own and the
	// Globals'. Values are left out: most are references that resolve only at deployment.
	Env []string
}

// Name is the folder under functions/ that holds the function's main.go.
func (f Function) Name() string { return path.Base(strings.TrimSuffix(f.CodeURI, "/")) }

// Route is one HttpApi event: "POST /v1/accounts", or "$default" for the catch-all.
type Route struct {
	Method string
	Path   string
}

// Key is the route key API Gateway puts in events: "POST /v1/accounts", or "$default".
func (r Route) Key() string {
	if r.Path == "$default" {
		return "$default"
	}
	return strings.ToUpper(r.Method) + " " + r.Path
}

// template is the part of a SAM template this package reads. Values are yaml.Nodes, so that
// CloudFormation's intrinsic tags (!Ref, !Sub…) decode without being understood.
type template struct {
	Globals struct {
		Function struct {
			Environment struct {
				Variables map[string]yaml.Node `yaml:"Variables"`
			} `yaml:"Environment"`
		} `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]struct {
		Type     string `yaml:"Type"`
		Metadata struct {
			BuildMethod string `yaml:"BuildMethod"`
		} `yaml:"Metadata"`
		Properties struct {
			CodeURI     yaml.Node `yaml:"CodeUri"`
			Environment struct {
				Variables map[string]yaml.Node `yaml:"Variables"`
			} `yaml:"Environment"`
			Events map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					Method string `yaml:"Method"`
					Path   string `yaml:"Path"`
				} `yaml:"Properties"`
			} `yaml:"Events"`
		} `yaml:"Properties"`
	} `yaml:"Resources"`
}

// Load reads the functions of the template at file, sorted by logical id.
func Load(file string) ([]Function, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var t template
	if err := yaml.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	global := slices.Sorted(maps.Keys(t.Globals.Function.Environment.Variables))
	var fns []Function
	for id, r := range t.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		p := r.Properties
		fn := Function{LogicalID: id, Env: slices.Clone(global), BuildMethod: r.Metadata.BuildMethod}
		fn.Env = append(fn.Env, slices.Sorted(maps.Keys(p.Environment.Variables))...)
		if p.CodeURI.Kind == yaml.ScalarNode && p.CodeURI.Tag == "!!str" {
			fn.CodeURI = p.CodeURI.Value
		}
		// By event name, so that a function's routes come in the same order on every read.
		for _, name := range slices.Sorted(maps.Keys(p.Events)) {
			ev := p.Events[name]
			if ev.Type != "HttpApi" {
				continue
			}
			if ev.Properties.Method == "" || ev.Properties.Path == "" {
				return nil, fmt.Errorf("%s event %s: an HttpApi event needs Method and Path", id, name)
			}
			fn.Routes = append(fn.Routes, Route{Method: strings.ToUpper(ev.Properties.Method), Path: ev.Properties.Path})
		}
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].LogicalID < fns[j].LogicalID })
	return fns, nil
}
