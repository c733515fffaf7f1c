// Package samtemplate reads template.yaml, the single source of the deployed functions and
// their HTTP routes, with goformation. It is heavy, so only the local server and tests link it,
// never a function.
package samtemplate

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7"
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

// Load reads the functions of the template at file, sorted by logical id.
func Load(file string) ([]Function, error) {
	t, err := goformation.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var global []string
	if g, err := t.GetServerlessGlobalFunction(); err == nil && g.Environment != nil {
		global = slices.Sorted(maps.Keys(g.Environment.Variables))
	}
	var fns []Function
	for id, f := range t.GetAllServerlessFunctionResources() {
		fn := Function{LogicalID: id, Env: slices.Clone(global)}
		if f.Environment != nil {
			fn.Env = append(fn.Env, slices.Sorted(maps.Keys(f.Environment.Variables))...)
		}
		fn.BuildMethod, _ = f.AWSCloudFormationMetadata["BuildMethod"].(string)
		if f.CodeUri != nil && f.CodeUri.String != nil {
			fn.CodeURI = *f.CodeUri.String
		}
		for name, ev := range f.Events {
			if ev.Type != "HttpApi" || ev.Properties == nil || ev.Properties.HttpApiEvent == nil {
				continue
			}
			h := ev.Properties.HttpApiEvent
			if h.Method == nil || h.Path == nil {
				return nil, fmt.Errorf("%s event %s: an HttpApi event needs Method and Path", id, name)
			}
			fn.Routes = append(fn.Routes, Route{Method: strings.ToUpper(*h.Method), Path: *h.Path})
		}
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].LogicalID < fns[j].LogicalID })
	return fns, nil
}
