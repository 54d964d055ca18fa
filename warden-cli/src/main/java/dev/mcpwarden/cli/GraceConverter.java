package dev.mcpwarden.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads {@code --shutdown-grace}: {@code 500ms}, {@code 20s}, {@code 2m}; at most ten minutes. */
final class GraceConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m)");

    @Override
    public Duration convert(String value) {
        Matcher m = SHORT.matcher(value);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 500ms, 20s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new CommandLine.TypeConversionException("a shutdown grace period is at most 10m, was " + value);
        }
        return d;
    }
}
