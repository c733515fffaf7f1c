package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// The template's indentation is fixed by cfn-lint and the SAM layout it follows: resources
// at two spaces, their properties at six; Globals' Function properties at four.
var (
	topLevel      = regexp.MustCompile(`^([A-Za-z]+):\s*$`)
	resource      = regexp.MustCompile(`^  ([A-Za-z0-9]+):\s*$`)
	globalMemory  = regexp.MustCompile(`^    MemorySize:\s*(\d+)\s*$`)
	resourceMemMB = regexp.MustCompile(`^      MemorySize:\s*(\d+)\s*$`)
	resourceType  = regexp.MustCompile(`^    Type:\s*(\S+)\s*$`)
	httpEvent     = regexp.MustCompile(`^\s+Type:\s*HttpApi\s*$`)
)

// Template is what the bill reads from template.yaml.
type Template struct {
	Memory map[string]int // each function's MemorySize in MB
	Types  map[string]int // resources by type
	Routes int            // HttpApi events
}

// ReadTemplate reads template.yaml: each AWS::Serverless::Function's MemorySize (the
// Globals' where the function sets none), the resources by type, and the routes.
func ReadTemplate(r io.Reader) (Template, error) {
	var (
		section, current string
		global           int
		own              = map[string]int{}
		t                = Template{Memory: map[string]int{}, Types: map[string]int{}}
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if m := topLevel.FindStringSubmatch(line); m != nil {
			section, current = m[1], ""
			continue
		}
		switch section {
		case "Globals":
			if m := globalMemory.FindStringSubmatch(line); m != nil {
				global, _ = strconv.Atoi(m[1])
			}
		case "Resources":
			if m := resource.FindStringSubmatch(line); m != nil {
				current = m[1]
				continue
			}
			if current == "" {
				continue
			}
			if m := resourceType.FindStringSubmatch(line); m != nil {
				t.Types[m[1]]++
				if m[1] == "AWS::Serverless::Function" {
					t.Memory[current] = 0
				}
			} else if m := resourceMemMB.FindStringSubmatch(line); m != nil {
				own[current], _ = strconv.Atoi(m[1])
			} else if httpEvent.MatchString(line) {
				t.Routes++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Template{}, err
	}
	if global == 0 {
		return Template{}, fmt.Errorf("template: no Globals Function MemorySize")
	}
	for f := range t.Memory {
		t.Memory[f] = global
		if mb, ok := own[f]; ok {
			t.Memory[f] = mb
		}
	}
	return t, nil
}
