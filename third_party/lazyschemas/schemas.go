package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"sort"
)

// completeFunc is what the cold operations call before they touch a schema.
const completeFunc = "Complete"

// splitSchemas rewrites a generated schemas.go so that its package init builds only the
// schemas reachable from roots; every other schema is declared nil and built by Complete,
// once. It returns the new file and the names left for Complete.
//
// The generated file has two parts, which is all this relies on: package-level
// `var X = smithy.NewSchema(...)` (and one `smithy.NewServiceSchema`) for the shapes, and
// one `func init()` whose statements are each `P_m = P.AddMember("m", T, traits...)`.
// A shape is reachable when it is a root or the target of a reachable shape's member, so
// every AddMember left in init has its parent and its target built before it.
func splitSchemas(src []byte, roots []string) (out []byte, cold []string, err error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "schemas.go", src, parser.ParseComments)
	if err != nil {
		return nil, nil, err
	}
	var initFn *ast.FuncDecl
	for _, decl := range file.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.Name == "init" && fn.Recv == nil {
			if initFn != nil {
				return nil, nil, fmt.Errorf("schemas.go has two init functions")
			}
			initFn = fn
		}
	}
	if initFn == nil {
		return nil, nil, fmt.Errorf("schemas.go has no init function")
	}

	type addMember struct {
		stmt   ast.Stmt
		parent string
	}
	var adds []addMember
	targets := map[string][]string{} // a shape's members' targets, and what their traits name
	memberOf := map[string]string{}  // a member's var → its shape
	for _, stmt := range initFn.Body.List {
		member, parent, refs, ok := memberAdded(stmt)
		if !ok {
			return nil, nil, fmt.Errorf("%s: init holds a statement other than X = P.AddMember(...)", fset.Position(stmt.Pos()))
		}
		adds = append(adds, addMember{stmt, parent})
		memberOf[member] = parent
		targets[parent] = append(targets[parent], refs...)
	}

	shapes := map[string]*ast.ValueSpec{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Names) != 1 {
				return nil, nil, fmt.Errorf("%s: a var declaration of %d names", fset.Position(vs.Pos()), len(vs.Names))
			}
			if len(vs.Values) == 1 {
				shapes[vs.Names[0].Name] = vs
			}
		}
	}

	hot := map[string]bool{}
	var reach func(name string) error
	reach = func(name string) error {
		if parent, isMember := memberOf[name]; isMember {
			name = parent // a member is built with its shape
		}
		if hot[name] {
			return nil
		}
		vs, ok := shapes[name]
		if !ok {
			return fmt.Errorf("no shape %q in schemas.go", name)
		}
		hot[name] = true
		// A service schema wraps its shape: smithy.NewServiceSchema(_Service, version).
		for _, ref := range identArgs(vs.Values[0]) {
			if _, isShape := shapes[ref]; isShape {
				if err := reach(ref); err != nil {
					return err
				}
			}
		}
		for _, ref := range targets[name] {
			if _, isShape := shapes[ref]; !isShape && memberOf[ref] == "" {
				continue // true, nil: not a name of this file
			}
			if err := reach(ref); err != nil {
				return err
			}
		}
		return nil
	}
	for _, root := range roots {
		if err := reach(root); err != nil {
			return nil, nil, err
		}
	}

	// The cold shapes keep their declarations, without a value; Complete assigns what the
	// var held, in the file's order, then adds their members in init's order.
	var build []ast.Stmt
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			name := vs.Names[0].Name
			if len(vs.Values) != 1 || hot[name] {
				continue
			}
			// Complete builds the cold shapes in the file's order, which is safe only while
			// none is built from another (today only the service schema is, and it is hot).
			for _, ref := range identArgs(vs.Values[0]) {
				if _, isShape := shapes[ref]; isShape {
					return nil, nil, fmt.Errorf("cold shape %s is built from shape %s: Complete would need their order", name, ref)
				}
			}
			cold = append(cold, name)
			build = append(build, &ast.AssignStmt{
				Lhs: []ast.Expr{ast.NewIdent(name)},
				Tok: token.ASSIGN,
				Rhs: vs.Values,
			})
			vs.Values = nil
			vs.Type = &ast.StarExpr{X: &ast.SelectorExpr{X: ast.NewIdent("smithy"), Sel: ast.NewIdent("Schema")}}
		}
	}
	var hotAdds []ast.Stmt
	for _, add := range adds {
		if hot[add.parent] {
			hotAdds = append(hotAdds, add.stmt)
		} else {
			build = append(build, add.stmt)
		}
	}
	initFn.Body.List = hotAdds

	var buf bytes.Buffer
	if err := format.Node(&buf, fset, file); err != nil {
		return nil, nil, err
	}
	if err := appendComplete(&buf, fset, build); err != nil {
		return nil, nil, err
	}
	sorted := append([]string(nil), cold...)
	sort.Strings(sorted)
	formatted, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, nil, err
	}
	return formatted, sorted, nil
}

// appendComplete writes Complete, which builds the cold schemas once, and the sync import
// it needs (added by hand: the file's import block is generated and fixed).
func appendComplete(buf *bytes.Buffer, fset *token.FileSet, build []ast.Stmt) error {
	fmt.Fprintf(buf, `
var completeOnce sync.Once

// %s builds the schemas that this package's init leaves nil: those of the operations
// outside the hot set the copy was generated with (third_party/lazyschemas). Each such
// operation calls it before it builds its middleware stack, so a function that never sends
// one never builds them; it runs once, and is safe from any number of goroutines.
func %s() {
	completeOnce.Do(completeSchemas)
}

func completeSchemas() {
`, completeFunc, completeFunc)
	for _, stmt := range build {
		if err := format.Node(buf, fset, stmt); err != nil {
			return err
		}
		buf.WriteString("\n")
	}
	buf.WriteString("}\n")
	src := buf.Bytes()
	const importOpen = "import (\n"
	i := bytes.Index(src, []byte(importOpen))
	if i < 0 {
		return fmt.Errorf("schemas.go has no import block")
	}
	i += len(importOpen)
	withSync := append([]byte(nil), src[:i]...)
	withSync = append(withSync, "\t\"sync\"\n"...)
	withSync = append(withSync, src[i:]...)
	buf.Reset()
	buf.Write(withSync)
	return nil
}

// memberAdded reads `X = P.AddMember("m", T, traits...)`: the member X, its shape P, and
// the names of this file that T and the traits hold (a prelude target, smithyprelude.X, is
// smithy-go's and none).
func memberAdded(stmt ast.Stmt) (member, parent string, refs []string, ok bool) {
	assign, isAssign := stmt.(*ast.AssignStmt)
	if !isAssign || len(assign.Lhs) != 1 || len(assign.Rhs) != 1 || assign.Tok != token.ASSIGN {
		return "", "", nil, false
	}
	m, isIdent := assign.Lhs[0].(*ast.Ident)
	if !isIdent {
		return "", "", nil, false
	}
	call, isCall := assign.Rhs[0].(*ast.CallExpr)
	if !isCall || len(call.Args) < 2 {
		return "", "", nil, false
	}
	sel, isSel := call.Fun.(*ast.SelectorExpr)
	if !isSel || sel.Sel.Name != "AddMember" {
		return "", "", nil, false
	}
	p, isIdent := sel.X.(*ast.Ident)
	if !isIdent {
		return "", "", nil, false
	}
	return m.Name, p.Name, identArgs(&ast.CallExpr{Args: call.Args[1:]}), true
}

// identArgs lists the bare identifiers passed to a call, at any depth.
func identArgs(expr ast.Expr) []string {
	var names []string
	call, ok := expr.(*ast.CallExpr)
	if !ok {
		return nil
	}
	for _, arg := range call.Args {
		ast.Inspect(arg, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				return false // pkg.Name, a field: not a shape of this file
			case *ast.KeyValueExpr:
				ast.Inspect(n.Value, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok {
						names = append(names, id.Name)
					}
					return true
				})
				return false
			case *ast.Ident:
				names = append(names, n.Name)
			}
			return true
		})
	}
	return names
}
