// Command lazyschemas writes a copy of an AWS SDK for Go v2 service module whose package
// init builds only the serializer schemas of the operations a Lambda function sends.
//
// The SDK's generated `schemas` package builds every shape of the service when the process
// starts: DynamoDB's 618 shapes and 1,273 members, 590 KB and 3 ms on a cold start, of which
// the store's eight data-plane operations need a quarter. The copy builds that quarter at
// init and the rest in `schemas.Complete`, which every other operation calls first. Nothing
// else changes: the same requests and the same answers (docs/PERFORMANCE.md, cold starts;
// third_party/PATCHES.md).
//
//	go run ./third_party/lazyschemas            # write the copies
//	go run ./third_party/lazyschemas -check     # fail when a copy differs from what it would write
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// A copy is one SDK module at one version, with the operations whose schemas stay at init.
type copySpec struct {
	module  string
	version string
	sum     string   // the module's hash in go.sum's form, checked before the copy is made
	dir     string   // under the repository's root
	hot     []string // operations sent by the functions (template.yaml's dynamodb: actions)
}

var copies = []copySpec{
	{
		module:  "github.com/aws/aws-sdk-go-v2/service/dynamodb",
		version: "v1.74.0",
		sum:     "h1:DSfi8o1qAb2AQwFwfk4gjOE3R9V+33/V5k/ICYkkSac=",
		dir:     "third_party/dynamodb",
		hot:     HotDynamoDBOperations,
	},
	{
		// Linked by feature/dynamodb/attributevalue for its stream-record converters,
		// whose types carry schemas; no function sends a streams operation.
		module:  "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams",
		version: "v1.47.0",
		sum:     "h1:oOwgaAgzDhepqUDT+lO2QINr38eQdZDSwSB/1vYjAtw=",
		dir:     "third_party/dynamodbstreams",
	},
}

// HotDynamoDBOperations are the DynamoDB operations whose schemas are built at init: those
// the store sends, which are the actions the functions' policies in template.yaml allow
// (TestTheHotOperationsAreWhatTheFunctionsSend).
var HotDynamoDBOperations = []string{
	"BatchGetItem", "BatchWriteItem", "DeleteItem", "GetItem",
	"PutItem", "Query", "TransactWriteItems", "UpdateItem",
}

func main() {
	check := flag.Bool("check", false, "compare the copies with what would be written, write nothing")
	flag.Parse()
	goMod, err := os.ReadFile("go.mod")
	if err != nil {
		fmt.Fprintf(os.Stderr, "lazyschemas: run it from the repository's root: %v\n", err)
		os.Exit(1)
	}
	failed := false
	for _, c := range copies {
		// The replace makes go.mod's require line inert: it must name what the copy is.
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(c.module) + `\s+` + regexp.QuoteMeta(c.version) + `\b`).Match(goMod) {
			fmt.Fprintf(os.Stderr, "lazyschemas: go.mod does not require %s %s, the version copied in %s\n", c.module, c.version, c.dir)
			os.Exit(1)
		}
		files, err := c.generate()
		if err != nil {
			fmt.Fprintf(os.Stderr, "lazyschemas: %s@%s: %v\n", c.module, c.version, err)
			os.Exit(1)
		}
		if *check {
			if diffs := compare(c.dir, files); len(diffs) > 0 {
				failed = true
				fmt.Fprintf(os.Stderr, "lazyschemas: %s differs from what %s@%s gives (run go run ./third_party/lazyschemas):\n\t%s\n",
					c.dir, c.module, c.version, strings.Join(diffs, "\n\t"))
			}
			continue
		}
		if err := write(c.dir, files); err != nil {
			fmt.Fprintf(os.Stderr, "lazyschemas: %v\n", err)
			os.Exit(1)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// generate reads the module from the module cache (downloading it from the proxy when
// missing) and returns the copy's files by their path in it.
func (c copySpec) generate() (map[string][]byte, error) {
	src, sum, err := moduleDir(c.module + "@" + c.version)
	if err != nil {
		return nil, err
	}
	if sum != c.sum {
		return nil, fmt.Errorf("the module's hash is %s, not the %s this copy was made from", sum, c.sum)
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			// Snapshots and test data serve the SDK's own tests, which the copy leaves out.
			if strings.HasSuffix(rel, "snapshot") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) || name == "go.mod" || name == "LICENSE.txt" {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.patch(files)
}

var opFile = regexp.MustCompile(`^api_op_(\w+)\.go$`)

func (c copySpec) patch(files map[string][]byte) (map[string][]byte, error) {
	hot := map[string]bool{}
	var roots []string
	for _, op := range c.hot {
		if _, ok := files["api_op_"+op+".go"]; !ok {
			return nil, fmt.Errorf("hot operation %s is not in the module", op)
		}
		hot[op] = true
		roots = append(roots, op, op+"Input", op+"Output")
	}
	// What the root package holds or reaches outside its operations (the client, the error
	// registry, the serializers of the attribute values) is built at init.
	for name, src := range files {
		if !strings.Contains(name, "/") && opFile.FindStringSubmatch(name) == nil {
			roots = append(roots, schemaRefs(src)...)
		}
	}
	sort.Strings(roots)
	schemas, cold, err := splitSchemas(files["schemas/schemas.go"], roots)
	if err != nil {
		return nil, err
	}
	files["schemas/schemas.go"] = noted(schemas, "only the hot operations' schemas are built at init; Complete builds the rest.")
	if len(cold) == 0 {
		return nil, fmt.Errorf("every schema is hot: nothing to defer")
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := opFile.FindStringSubmatch(name)
		if m == nil || hot[m[1]] {
			continue
		}
		patched, err := completeFirst(files[name], m[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		files[name] = noted(patched, "schemas.Complete() is called before the operation's schemas are read.")
	}
	if b, ok := files["internal/endpoints/endpoints.go"]; ok {
		patched, err := lazyPartitions(b)
		if err != nil {
			return nil, fmt.Errorf("internal/endpoints/endpoints.go: %w", err)
		}
		files["internal/endpoints/endpoints.go"] = noted(patched, "the partitions' table is built on its first use.")
	}
	files["go.mod"] = withoutReplaces(files["go.mod"])
	files["LAZYSCHEMAS.md"] = c.readme(files["schemas/schemas.go"], cold)
	return files, nil
}

var (
	shapeDecl = regexp.MustCompile(`(?m)^var \w+ = smithy\.New(Service)?Schema\(`)
	memberAdd = regexp.MustCompile(`(?m)^\s+\w+ = \w+\.AddMember\(`)
)

// builtAtInit counts the shapes and members the split file builds before main: the
// declarations with a value, and the members added in init (before completeSchemas).
func builtAtInit(schemas []byte) (shapes, members int) {
	atInit, _, _ := bytes.Cut(schemas, []byte("func completeSchemas() {"))
	return len(shapeDecl.FindAll(atInit, -1)), len(memberAdd.FindAll(atInit, -1))
}

// changeNotice goes after the generated-code line of every file the copy changes (the
// licence, Apache-2.0 §4(b), asks modified files to say so).
const changeNotice = "// Changed by third_party/lazyschemas (see third_party/PATCHES.md): "

// noted is src with the change notice, what, after its first line.
func noted(src []byte, what string) []byte {
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	out := append(append([]byte(nil), first...), '\n')
	out = append(out, changeNotice+what+"\n"...)
	return append(out, rest...)
}

// withoutReplaces drops upstream's replace directives, which point into the SDK's own
// repository and would break a build inside the copy.
func withoutReplaces(goMod []byte) []byte {
	var out []string
	for _, line := range strings.Split(string(goMod), "\n") {
		if strings.HasPrefix(line, "replace ") {
			continue
		}
		out = append(out, line)
	}
	return []byte(strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n")
}

var schemaRef = regexp.MustCompile(`\bschemas\.(\w+)`)

func schemaRefs(src []byte) []string {
	var refs []string
	for _, m := range schemaRef.FindAllSubmatch(src, -1) {
		refs = append(refs, string(m[1]))
	}
	return refs
}

// completeFirst makes an operation's middleware builder call schemas.Complete before it
// reads the operation's schemas; every way of sending the operation (the method, its
// paginators and waiters) builds its stack there.
func completeFirst(src []byte, op string) ([]byte, error) {
	head := fmt.Sprintf("func (c *Client) addOperation%sMiddlewares(stack *middleware.Stack, options Options) (err error) {\n", op)
	if bytes.Count(src, []byte(head)) != 1 {
		return nil, fmt.Errorf("no single %q", strings.TrimSpace(head))
	}
	return bytes.Replace(src, []byte(head), []byte(head+"\tschemas."+completeFunc+"()\n"), 1), nil
}

// lazyPartitions turns the legacy endpoint resolver's table (eight regular expressions and
// every partition's endpoints, built at init) into a value built on its first use. The SDK
// builds this resolver into every client but resolves with the rules of endpoints.go, so
// a function that names no legacy resolver of its own never reads the table.
func lazyPartitions(src []byte) ([]byte, error) {
	edits := []struct{ from, to string }{
		{"\t\"regexp\"\n", "\t\"regexp\"\n\t\"sync\"\n"},
		{"\tpartitions endpoints.Partitions\n", "\tpartitions func() endpoints.Partitions\n"},
		{"return r.partitions.ResolveEndpoint(region, opt)", "return r.partitions().ResolveEndpoint(region, opt)"},
		{"var partitionRegexp = struct {", "var defaultPartitions = sync.OnceValue(func() endpoints.Partitions {\n\tpartitionRegexp := struct {"},
		{"var defaultPartitions = endpoints.Partitions{", "return endpoints.Partitions{"},
	}
	for _, e := range edits {
		if bytes.Count(src, []byte(e.from)) != 1 {
			return nil, fmt.Errorf("no single %q", e.from)
		}
		src = bytes.Replace(src, []byte(e.from), []byte(e.to), 1)
	}
	// The partitions' literal ends the file.
	src = append(bytes.TrimRight(src, "\n"), "\n})\n"...)
	return formatGo(src)
}

func (c copySpec) readme(schemas []byte, cold []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s, schemas built lazily\n\n", c.module, c.version)
	fmt.Fprintf(&b, "Written by `go run ./third_party/lazyschemas`; do not edit. See third_party/PATCHES.md.\n\n")
	shapes, members := builtAtInit(schemas)
	if len(c.hot) > 0 {
		fmt.Fprintf(&b, "Built at init (%d shapes, %d members): the schemas of %s, and those the client and its error registry hold.\n",
			shapes, members, strings.Join(c.hot, ", "))
	} else {
		fmt.Fprintf(&b, "Built at init (%d shapes, %d members): the schemas the client and its error registry hold.\n", shapes, members)
	}
	fmt.Fprintf(&b, "Built by `schemas.Complete`, on the first use of any other operation: %d shapes.\n", len(cold))
	return []byte(b.String())
}

// moduleDir downloads a module version into the module cache and names its directory and
// hash. It runs outside this module, whose go.mod replaces the very modules it copies (so
// go.sum no longer lists them); the checksum database vouches for the download instead.
func moduleDir(modVersion string) (dir, sum string, err error) {
	outside, err := os.MkdirTemp("", "lazyschemas")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(outside)
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = outside
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=on", "GOWORK=off")
	cmd.Stderr = os.Stderr
	out, runErr := cmd.Output()
	// A failed download says why in its JSON, on stdout.
	var info struct{ Dir, Sum, Error string }
	if err := json.Unmarshal(out, &info); err == nil && info.Error != "" {
		return "", "", fmt.Errorf("go mod download %s: %s", modVersion, info.Error)
	}
	if runErr != nil {
		return "", "", fmt.Errorf("go mod download %s: %w", modVersion, runErr)
	}
	if info.Dir == "" {
		return "", "", fmt.Errorf("go mod download %s: no directory in %q", modVersion, out)
	}
	return info.Dir, info.Sum, nil
}

func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// compare names every file that is missing, extra or different in dir.
func compare(dir string, files map[string][]byte) []string {
	var diffs []string
	seen := map[string]bool{}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		want, ok := files[rel]
		if !ok {
			diffs = append(diffs, "extra: "+rel)
			return nil
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			diffs = append(diffs, "differs: "+rel)
		}
		return nil
	})
	for name := range files {
		if !seen[name] {
			diffs = append(diffs, "missing: "+name)
		}
	}
	sort.Strings(diffs)
	return diffs
}

func formatGo(src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("the patched file does not parse: %w", err)
	}
	return out, nil
}
