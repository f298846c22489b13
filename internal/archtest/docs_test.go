package archtest

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// repoRoot returns the top of the git work tree the test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git work tree: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// trackedDocs returns the tracked .md and .go files, slash-separated and
// relative to root, leaving out testdata (fixtures copied from elsewhere,
// whose links point into other sites).
func trackedDocs(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--", "*.md", "*.go")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || strings.Contains("/"+f, "/testdata/") {
			continue
		}
		files = append(files, f)
	}
	return files
}

var (
	// mdLink is an inline Markdown link or image: ](target) or ](target "title").
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// docMention is a mention of one of the project's documents, with any
	// directory in front of it: the old names (the design, the API notes,
	// the error-code page) and anything under docs/.
	docMention = regexp.MustCompile(`(?:\.{1,2}/|[\w.-]+/)*(?:(?:DESIGN|8x8-api|api-error-codes)\.md|docs/[\w.-]+\.md)`)
	// badKeyVar is the API key variable's old spelling, built so that this
	// file does not contain it.
	badKeyVar = []byte("EIGHTX8" + "_API_KEY")
)

// existsIn reports whether the slash-separated, root-relative path p names a
// file or directory in the work tree.
func existsIn(root, p string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
	return err == nil
}

// TestDocReferences fails on a Markdown link, or a mention of a project
// document, whose target is not in the repository, and on the old name of
// the API key variable (OCTOSEND_API_KEY is the only one).
func TestDocReferences(t *testing.T) {
	root := repoRoot(t)
	for _, f := range trackedDocs(t, root) {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			continue // tracked but deleted in the work tree
		}
		dir := path.Dir(f)
		for i, line := range bytes.Split(data, []byte("\n")) {
			at := func() string { return f + ":" + strconv.Itoa(i+1) }
			if bytes.Contains(line, badKeyVar) {
				t.Errorf("%s: %s; the API key variable is OCTOSEND_API_KEY", at(), badKeyVar)
			}
			if strings.HasSuffix(f, ".md") {
				for _, m := range mdLink.FindAllSubmatch(line, -1) {
					target := string(m[1])
					if skipLink(target) {
						continue
					}
					target, _, _ = strings.Cut(target, "#")
					p := path.Join(dir, target)
					if strings.HasPrefix(p, "../") || !existsIn(root, p) {
						t.Errorf("%s: link %s: no such file in the repository", at(), m[1])
					}
				}
			}
			for _, m := range docMention.FindAll(line, -1) {
				ref := string(m)
				p := path.Join(dir, ref)
				if strings.HasPrefix(p, "../") {
					continue // outside the repository on purpose (an optional original beside it)
				}
				if existsIn(root, p) || existsIn(root, path.Clean(ref)) {
					continue
				}
				t.Errorf("%s: %s: no such file in the repository (relative to %s or the root)", at(), ref, dir)
			}
		}
	}
}

// skipLink reports whether a link target is not a path in the repository:
// a URL, an anchor in the same page, or an absolute path.
func skipLink(target string) bool {
	return target == "" || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "/") ||
		strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:")
}

// cells splits a Markdown table row into its trimmed cells; nil when line
// is not a row.
func cells(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
		return nil
	}
	c := strings.Split(line[1:len(line)-1], "|")
	for i := range c {
		c[i] = strings.TrimSpace(c[i])
	}
	return c
}

// TestErrorCodesDocMatchesPolicyTable keeps docs/error-codes.md in step
// with the generated default table in the README (itself checked against
// policy.Default by go test ./policy): every entry of the table is in the
// doc, with the same action, and the doc names nothing the table lacks.
func TestErrorCodesDocMatchesPolicyTable(t *testing.T) {
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "<!-- BEGIN policy table")
	table, _, ok2 := strings.Cut(table, "<!-- END policy table")
	if !ok || !ok2 {
		t.Fatal("README.md: no generated policy table")
	}
	want := map[string]string{} // match -> action
	for _, l := range strings.Split(table, "\n") {
		if c := cells(l); len(c) == 4 && c[0] != "Match" && !strings.HasPrefix(c[0], "---") {
			want[c[0]] = c[1]
		}
	}
	if len(want) == 0 {
		t.Fatal("README.md: the policy table has no rows")
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "error-codes.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, l := range strings.Split(string(doc), "\n") {
		c := cells(l)
		if len(c) < 2 {
			continue
		}
		last := c[len(c)-1]
		if len(last) < 3 || last[0] != '`' || last[len(last)-1] != '`' {
			continue // a header, a separator, or not an action table
		}
		action := last[1 : len(last)-1]
		w, ok := want[c[0]]
		switch {
		case !ok:
			t.Errorf("docs/error-codes.md:%d: %q is not in the README's default table", i+1, c[0])
		case w != action:
			t.Errorf("docs/error-codes.md:%d: %s: action %s, the default table says %s", i+1, c[0], action, w)
		}
		seen[c[0]] = true
	}
	for m := range want {
		if !seen[m] {
			t.Errorf("docs/error-codes.md: %q of the README's default table is missing", m)
		}
	}
}
