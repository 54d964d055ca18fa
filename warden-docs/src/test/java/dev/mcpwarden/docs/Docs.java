package dev.mcpwarden.docs;

import dev.mcpwarden.testkit.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The user documentation: README.md and every page under docs/, and the fenced code blocks in them. */
final class Docs {

    /** A fenced block: the page, the line of its opening fence, its language and its text. */
    record Block(Path page, int line, String language, String text) {
        String where() {
            return Processes.repoRoot().relativize(page) + ":" + line;
        }
    }

    private Docs() {
    }

    static Path root() {
        return Processes.repoRoot();
    }

    /** README.md and docs/*.md. */
    static List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(root().resolve("README.md"));
        try (Stream<Path> s = Files.list(root().resolve("docs"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** Every fenced block of the pages in {@code language} ("java", "xml", ...). */
    static List<Block> blocks(String language) {
        List<Block> out = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = lines(page);
            for (int i = 0; i < lines.size(); i++) {
                String fence = lines.get(i).strip();
                if (fence.startsWith("```") && fence.length() > 3) {
                    String lang = fence.substring(3).strip();
                    StringBuilder text = new StringBuilder();
                    int j = i + 1;
                    while (j < lines.size() && !lines.get(j).strip().equals("```")) {
                        text.append(lines.get(j)).append('\n');
                        j++;
                    }
                    if (lang.equals(language)) {
                        out.add(new Block(page, i + 1, lang, text.toString()));
                    }
                    i = j;
                }
            }
        }
        return out;
    }

    static List<String> lines(Path page) {
        try {
            return Files.readAllLines(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
