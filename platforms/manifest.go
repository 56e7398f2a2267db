package platforms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Object is a Kubernetes object as an ordered tree: each value is a string or an Object, so the
// output keeps the usual key order (apiVersion, kind, metadata, ...) without a YAML library.
type Object []Field

// Field is one key of an Object.
type Field struct {
	Key   string
	Value any // string or Object
}

// Get returns the value at a dotted path ("metadata.name"), or nil.
func (o Object) Get(path string) any {
	key, rest, more := strings.Cut(path, ".")
	for _, f := range o {
		if f.Key != key {
			continue
		}
		if !more {
			return f.Value
		}
		if sub, ok := f.Value.(Object); ok {
			return sub.Get(rest)
		}
	}
	return nil
}

// EncodeYAML renders objects as a YAML stream ("---" between documents), as kubectl apply -f -
// reads it. Scalars are double-quoted (JSON escapes are valid YAML), multi-line values (PEM) are
// literal blocks.
func EncodeYAML(objs []Object) []byte {
	var b bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		writeYAML(&b, o, 0)
	}
	return b.Bytes()
}

func writeYAML(b *bytes.Buffer, o Object, indent int) {
	pad := strings.Repeat("  ", indent)
	for _, f := range o {
		b.WriteString(pad)
		b.WriteString(yamlKey(f.Key))
		b.WriteByte(':')
		switch v := f.Value.(type) {
		case Object:
			if len(v) == 0 {
				b.WriteString(" {}\n")
				continue
			}
			b.WriteByte('\n')
			writeYAML(b, v, indent+1)
		case string:
			if block, ok := literalBlock(v, pad+"  "); ok {
				b.WriteString(block)
				continue
			}
			b.WriteByte(' ')
			b.WriteString(yamlScalar(v))
			b.WriteByte('\n')
		default:
			panic(fmt.Sprintf("manifest value of type %T", v))
		}
	}
}

var plainKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._/-]*$`)

// yamlKey writes a key plainly when YAML (1.1 or 1.2) cannot read it as anything but that
// string, double-quoted otherwise.
func yamlKey(k string) string {
	switch strings.ToLower(k) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null":
		return yamlScalar(k)
	}
	if plainKey.MatchString(k) {
		return k
	}
	return yamlScalar(k)
}

// yamlScalar double-quotes s with JSON's escapes, which YAML's double-quoted style accepts.
func yamlScalar(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// literalBlock renders a multi-line value as a YAML literal block ("|", "|-" or "|+" chomping),
// when every line is plain printable text; ok is false otherwise (then it is double-quoted).
func literalBlock(s, pad string) (string, bool) {
	if !strings.Contains(s, "\n") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\n") {
		return "", false
	}
	for _, r := range s {
		if r == '\t' || r == '\r' || (r < 0x20 && r != '\n') || r == 0x7f || r == '\ufeff' {
			return "", false
		}
	}
	body := strings.TrimRight(s, "\n")
	for _, line := range strings.Split(body, "\n") {
		if strings.HasSuffix(line, " ") {
			return "", false
		}
	}
	trailing := len(s) - len(body)
	head := " |"
	switch {
	case trailing == 0:
		head = " |-"
	case trailing > 1:
		head = " |+"
	}
	var b strings.Builder
	b.WriteString(head + "\n")
	for _, line := range strings.Split(body, "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(pad + line + "\n")
	}
	for i := 1; i < trailing; i++ {
		b.WriteString("\n")
	}
	return b.String(), true
}

// EncodeJSON renders one object as JSON, several as a v1 List (which kubectl apply reads).
func EncodeJSON(objs []Object) []byte {
	var b bytes.Buffer
	if len(objs) == 1 {
		writeJSON(&b, objs[0], "")
	} else {
		b.WriteString("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n")
		for i, o := range objs {
			b.WriteString("    ")
			writeJSON(&b, o, "    ")
			if i < len(objs)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("  ]\n}")
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, o Object, pad string) {
	b.WriteString("{\n")
	for i, f := range o {
		b.WriteString(pad + "  " + yamlScalar(f.Key) + ": ")
		switch v := f.Value.(type) {
		case Object:
			writeJSON(b, v, pad+"  ")
		case string:
			b.WriteString(yamlScalar(v))
		}
		if i < len(o)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(pad + "}")
}
