package dev.mcpwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} block of README.md and docs/ compiles against Warden's modules, with the imports it shows. A block
 * is either a compilation unit (imports, then types) or imports followed by statements, which are compiled as the
 * body of a method that may throw. Nothing is hidden around a block: what a reader copies is what is compiled.
 */
class DocsSnippetsTest {

    static final Pattern TYPE = Pattern.compile("(?m)^(?:public\\s+|final\\s+|abstract\\s+|sealed\\s+)*"
            + "(?:class|record|interface|enum)\\s+(\\w+)");
    static final Pattern PUBLIC_TYPE = Pattern.compile("(?m)^public\\s+(?:final\\s+|abstract\\s+|sealed\\s+)*"
            + "(?:class|record|interface|enum)\\s+(\\w+)");

    @TempDir
    Path out;

    @Test
    void everyJavaSnippetInTheReadmeAndDocsCompiles() throws Exception {
        List<Docs.Block> blocks = Docs.blocks("java");
        assertThat(blocks).as("java snippets").hasSizeGreaterThan(25);
        List<String> errors = compile(blocks);
        assertThat(errors).as("snippets that do not compile").isEmpty();
    }

    @Test
    void aSnippetThatDoesNotCompileIsReportedWithItsPageAndLine() throws Exception {
        Docs.Block bad = new Docs.Block(Docs.root().resolve("docs/server.md"), 10, "java",
                "import dev.mcpwarden.server.McpServer;\n\nMcpServer server = McpServer.builder(\"x\", \"1\").noSuchMethod();\n");
        List<String> errors = compile(List.of(bad));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst()).startsWith("docs/server.md:13: cannot find symbol");
    }

    /** The errors of compiling {@code blocks} together, each as "page:line: message". */
    List<String> compile(List<Docs.Block> blocks) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Map<JavaFileObject, Docs.Block> sources = new IdentityHashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        int n = 0;
        for (Docs.Block b : blocks) {
            n++;
            Unit u = unit("snippets.s" + n, b.text());
            JavaFileObject file = new Source(u.fileName(), u.source());
            sources.put(file, b);
            units.add(file);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(),
                "-proc:none", "-parameters", "-Xlint:none", "-nowarn", "--release", "21");
        javac.getTask(null, null, diagnostics, options, null, units).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Docs.Block b = sources.get(d.getSource());
            String where = b == null ? "?" : b.page().getFileName().toString();
            if (b != null) {
                // The fence is on b.line(); the unit's line k is the block's line k.
                long line = b.line() + d.getLineNumber();
                where = Docs.root().relativize(b.page()) + ":" + line;
            }
            errors.add(where + ": " + d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
        }
        return errors;
    }

    /** A block as a compilation unit, line for line (the package declaration shares the first line). */
    record Unit(String fileName, String source) {
    }

    static Unit unit(String pkg, String text) {
        List<String> lines = text.lines().toList();
        int bodyStart = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("import ") || l.isEmpty() || l.startsWith("//")) {
                bodyStart = i + 1;
            } else {
                break;
            }
        }
        // Imports keep their lines; the package declaration goes on the first line, before them.
        StringBuilder src = new StringBuilder("package " + pkg + "; ");
        String imports = String.join("\n", lines.subList(0, bodyStart));
        String body = String.join("\n", lines.subList(bodyStart, lines.size()));
        Matcher type = TYPE.matcher(body);
        if (type.find()) {
            Matcher pub = PUBLIC_TYPE.matcher(body);
            String name = pub.find() ? pub.group(1) : "Snippet";
            src.append(imports).append(bodyStart > 0 ? "\n" : "").append(body).append('\n');
            return new Unit(pkg.replace('.', '/') + "/" + name + ".java", src.toString());
        }
        src.append(imports).append(bodyStart > 0 ? "\n" : "")
                .append("class Snippet { void run() throws Exception { ").append(body).append("\n} }\n");
        return new Unit(pkg.replace('.', '/') + "/Snippet.java", src.toString());
    }

    static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String name, String code) {
            super(URI.create("string:///" + name), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

}
