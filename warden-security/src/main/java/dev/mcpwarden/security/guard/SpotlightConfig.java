package dev.mcpwarden.security.guard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How untrusted output is marked for the model (spotlighting, see {@link Spotlighter}), for every source or for one
 * tool.
 *
 * <p>Text (content blocks, resource contents, prompt messages, error messages, streamed notifications) is marked
 * with {@code text}; every string of untrusted {@code structuredContent} with {@code structured}, unless a field rule
 * says otherwise. {@code fields} maps a field to its marking: a JSON Pointer into {@code structuredContent} in which
 * {@code *} stands for any one member or array index ({@code /tickets/*}{@code /title}), or a bare member name that
 * matches at any depth ({@code title}); a rule applies to every string below the field. A rule with a marking other
 * than {@link Marking#VERBATIM} also <em>declares</em> the field third-party data, so a tool not marked untrusted as
 * a whole has that field (and its text) guarded; {@code verbatim} keeps a machine value exact.
 *
 * @param text       how untrusted text is marked
 * @param structured how strings of untrusted structured content are marked
 * @param fields     markings by field (pointer or member name)
 */
public record SpotlightConfig(Spotlighter.Mode text, Marking structured, Map<String, Marking> fields) {

    public SpotlightConfig {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(structured, "structured");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        for (Map.Entry<String, Marking> f : fields.entrySet()) {
            FieldPattern.parse(f.getKey());
            Objects.requireNonNull(f.getValue(), () -> "spotlighting: field " + f.getKey() + " needs a marking");
        }
    }

    /** Text delimited, strings of structured content datamarked, no field rules. */
    public static SpotlightConfig defaults() {
        return new SpotlightConfig(Spotlighter.Mode.DELIMIT, Marking.DATAMARK, Map.of());
    }

    /** Whether some field rule declares third-party data (a marking other than verbatim). */
    public boolean declaresFields() {
        return fields.values().stream().anyMatch(m -> m != Marking.VERBATIM);
    }
}
