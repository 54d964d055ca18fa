package dev.mcpwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every relative link in README.md and docs/ leads somewhere: to a file of the repository, and to a heading in it. */
class DocsLinksTest {

    /** {@code [text](target)}; a target in angle brackets or with a title is not used in these pages. */
    static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkInTheReadmeAndDocsResolvesToAFileAndAnAnchor() {
        List<String> dead = new ArrayList<>();
        int checked = 0;
        for (Path page : Docs.pages()) {
            List<String> lines = Docs.lines(page);
            boolean inFence = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue; // https:, mailto: ...: not relative
                    }
                    checked++;
                    String problem = problem(page, target);
                    if (problem != null) {
                        dead.add(Docs.root().relativize(page) + ":" + (i + 1) + " " + target + ": " + problem);
                    }
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(50);
        assertThat(dead).as("dead relative links").isEmpty();
    }

    @Test
    void aMissingFileAndAMissingAnchorAreBothReported() throws Exception {
        Path page = Docs.root().resolve("docs/README.md");
        assertThat(problem(page, "no-such-page.md")).isEqualTo("no such file");
        assertThat(problem(page, "errors.md#no-such-heading")).isEqualTo("no heading #no-such-heading in errors.md");
        assertThat(problem(page, "errors.md")).isNull();
        assertThat(problem(page, "../README.md#a-first-server-in-java")).isNull();
    }

    /** Why {@code target}, relative to {@code page}, is dead; null when it resolves. */
    static String problem(Path page, String target) {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!resolved.startsWith(Docs.root())) {
            return "outside the repository (a clone does not have it)";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor != null && resolved.toString().endsWith(".md")
                && !anchors(resolved).contains(anchor.toLowerCase(Locale.ROOT))) {
            return "no heading #" + anchor + " in " + resolved.getFileName();
        }
        return null;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    static Set<String> anchors(Path page) {
        Set<String> out = new HashSet<>();
        boolean inFence = false;
        for (String line : Docs.lines(page)) {
            if (line.strip().startsWith("```")) {
                inFence = !inFence;
            }
            if (inFence || !line.startsWith("#")) {
                continue;
            }
            String text = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
            String slug = text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String candidate = slug;
            for (int n = 1; !out.add(candidate); n++) {
                candidate = slug + "-" + n;
            }
        }
        return out;
    }
}
